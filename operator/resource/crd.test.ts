import test from "ava";
import { generationPoolCrd } from "./crd.ts";
import { PoolDefaults as D, PoolLimits as L } from "./defaults.ts";
import type { CelRule, SchemaNode } from "./schema-node.ts";
import { specSchema } from "./spec-schema.ts";
import { statusSchema } from "./status-schema.ts";

type Json = Record<string, unknown>;

/** Every node of a schema with its dotted path (lists as "[]"). */
function nodes(node: SchemaNode, path = ""): [string, SchemaNode][] {
  const children = Object.entries(node.properties ?? {}).flatMap(([name, child]) => nodes(child, path ? `${path}.${name}` : name));
  const items = node.items ? nodes(node.items, `${path}[]`) : [];
  return [[path, node], ...children, ...items];
}

function at(obj: unknown, path: string[]): unknown {
  return path.reduce<unknown>((v, k) => (v as Json | undefined)?.[k], obj);
}

const crd = generationPoolCrd();
const version = at(crd, ["spec", "versions", "0"]) as Json;
const openApi = at(version, ["schema", "openAPIV3Schema"]) as Json;

test("the CRD names the genpool.io/v1alpha1 GenerationPool, namespaced, short name gp", (t) => {
  t.is(at(crd, ["metadata", "name"]), "generationpools.genpool.io");
  t.is(at(crd, ["spec", "scope"]), "Namespaced");
  t.deepEqual(at(crd, ["spec", "names", "shortNames"]), ["gp"]);
  t.is(at(crd, ["spec", "names", "kind"]), "GenerationPool");
  t.like(version, { name: "v1alpha1", served: true, storage: true, subresources: { status: {} } });
});

test("the CRD is plain JSON: it survives a JSON round trip unchanged and carries no TypeScript twins", (t) => {
  t.deepEqual(JSON.parse(JSON.stringify(crd)), crd);
  t.false(JSON.stringify(crd).includes("check"));
});

test("every CEL rule of the spec schema is emitted with a message, reason FieldValueInvalid and a fieldPath that exists", (t) => {
  const inCode = nodes(specSchema).flatMap(([path, node]) => (node["x-kubernetes-validations"] ?? []).map((r) => ({ path, rule: r })));
  t.is(inCode.length, 9, "replicas x2, schedule x2, nodeGroup x1, unique names x2, spec-level schedule bounds x2");
  for (const { path, rule } of inCode) {
    const emittedNode = at(openApi, ["properties", "spec", ...path.split(".").filter(Boolean).flatMap((p) => (p.endsWith("[]") ? ["properties", p.slice(0, -2), "items"] : ["properties", p]))]) as Json;
    const emitted = (emittedNode["x-kubernetes-validations"] as Omit<CelRule, "check">[]).find((r) => r.rule === rule.rule);
    t.truthy(emitted, `${path}: ${rule.rule}`);
    t.is(emitted?.reason, "FieldValueInvalid");
    t.true((emitted?.message.length ?? 0) > 10);
    if (rule.fieldPath !== undefined) {
      const target = nodes(specSchema).find(([p]) => p.replace(/\[\]/gu, "") === (path.replace(/\[\]/gu, "") + rule.fieldPath).replace(/^\./u, ""));
      t.truthy(target, `fieldPath ${rule.fieldPath} of ${path} names a field`);
    }
  }
});

test("every list has maxItems and every string compared in CEL has maxLength, so CEL cost stays bounded", (t) => {
  for (const [path, node] of nodes(specSchema)) {
    if (node.type === "array") t.true(node.maxItems !== undefined, `${path} has maxItems`);
  }
  for (const path of ["schedules[].name", "schedules[].start", "nodeGroups[].name"]) {
    const node = nodes(specSchema).find(([p]) => p === path)?.[1];
    t.true(node?.maxLength !== undefined, `${path} has maxLength`);
  }
  t.is(nodes(specSchema).find(([p]) => p === "nodeGroups")?.[1].maxItems, L.maxNodeGroups);
});

test("the schema's defaults are exactly the defaults table", (t) => {
  const expected: Record<string, unknown> = {
    queue: {},
    "queue.name": D.queueName,
    "queue.prefix": D.queuePrefix,
    "replicas.min": D.replicasMin,
    "replicas.warmIdle": D.replicasWarmIdle,
    targetBacklogPerWorker: D.targetBacklogPerWorker,
    queueWaitObjectiveSeconds: D.queueWaitObjectiveSeconds,
    scaleUp: {},
    "scaleUp.stabilizationSeconds": D.scaleUpStabilizationSeconds,
    "scaleUp.maxStepWorkers": D.scaleUpMaxStepWorkers,
    "scaleUp.maxStepPercent": D.scaleUpMaxStepPercent,
    "scaleUp.stepPeriodSeconds": D.scaleUpStepPeriodSeconds,
    "scaleUp.urgentMultiplier": D.scaleUpUrgentMultiplier,
    scaleDown: {},
    "scaleDown.stabilizationSeconds": D.scaleDownStabilizationSeconds,
    "scaleDown.maxStepWorkers": D.scaleDownMaxStepWorkers,
    "scaleDown.stepPeriodSeconds": D.scaleDownStepPeriodSeconds,
    "scaleDown.scaleToZeroDelaySeconds": D.scaleToZeroDelaySeconds,
    schedules: [],
    nodeGroups: [],
    "nodeGroups[].priority": D.nodeGroupPriority,
    "nodeGroups[].minNodes": D.nodeGroupMinNodes,
    onDemandBaseNodes: D.onDemandBaseNodes,
    spotFallbackDelaySeconds: D.spotFallbackDelaySeconds,
    nodeScaleDownDelaySeconds: D.nodeScaleDownDelaySeconds,
    paused: D.paused,
  };
  const actual = Object.fromEntries(nodes(specSchema).filter(([, n]) => n.default !== undefined).map(([p, n]) => [p, n.default]));
  t.deepEqual(actual, expected);
  t.is(at(openApi, ["properties", "spec", "properties", "scaleDown", "properties", "stabilizationSeconds", "default"]), 60);
});

test("a defaulted value satisfies its own schema bounds", (t) => {
  for (const [path, node] of nodes(specSchema)) {
    if (typeof node.default !== "number") continue;
    t.true(node.minimum === undefined || node.default >= node.minimum, path);
    t.true(node.maximum === undefined || node.default <= node.maximum, path);
  }
});

test("printer columns point at fields the status schema defines", (t) => {
  const columns = version.additionalPrinterColumns as { name: string; jsonPath: string }[];
  t.deepEqual(
    columns.filter((c) => !("priority" in c)).map((c) => c.name),
    ["Queue", "Desired", "Ready", "Busy", "Nodes", "Reason", "Age"],
  );
  const statusPaths = new Set(nodes(statusSchema).map(([p]) => p));
  for (const c of columns.filter((c) => c.jsonPath.startsWith(".status."))) {
    t.true(statusPaths.has(c.jsonPath.slice(".status.".length)), c.jsonPath);
  }
});

test("status conditions are a map keyed by type with the metav1.Condition required fields", (t) => {
  const conditions = at(openApi, ["properties", "status", "properties", "conditions"]) as Json;
  t.is(conditions["x-kubernetes-list-type"], "map");
  t.deepEqual(conditions["x-kubernetes-list-map-keys"], ["type"]);
  t.deepEqual(at(conditions, ["items", "required"]), ["type", "status", "lastTransitionTime", "reason", "message"]);
});
