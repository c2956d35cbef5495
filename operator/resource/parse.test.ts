import test from "ava";
import { PoolDefaults as D } from "./defaults.ts";
import { InvalidGenerationPoolError, parseGenerationPool, parseGenerationPoolSpec } from "./parse.ts";
import { invalidSpecs, minimal, spot } from "./spec-cases.ts";

test("a minimal spec gets every default from the table", (t) => {
  const spec = parseGenerationPoolSpec(minimal);
  t.deepEqual(spec.queue, { name: D.queueName, prefix: D.queuePrefix });
  t.deepEqual(spec.replicas, { min: 0, max: 8, warmIdle: 0 });
  t.is(spec.targetBacklogPerWorker, 5);
  t.is(spec.queueWaitObjectiveSeconds, 60);
  t.deepEqual(spec.scaleUp, { stabilizationSeconds: 0, maxStepWorkers: 10, maxStepPercent: 100, stepPeriodSeconds: 15, urgentMultiplier: 2 });
  t.deepEqual(spec.scaleDown, { stabilizationSeconds: 60, maxStepWorkers: 10, stepPeriodSeconds: 60, scaleToZeroDelaySeconds: 600 });
  t.deepEqual([spec.schedules, spec.nodeGroups, spec.paused], [[], [], false]);
  t.deepEqual([spec.onDemandBaseNodes, spec.spotFallbackDelaySeconds, spec.nodeScaleDownDelaySeconds], [0, 180, 60]);
});

test("defaults fill the gaps of a partly given object and of list items, given values are kept", (t) => {
  const spec = parseGenerationPoolSpec({ ...minimal, scaleDown: { stabilizationSeconds: 30 }, nodeGroups: [spot] });
  t.deepEqual(spec.scaleDown, { stabilizationSeconds: 30, maxStepWorkers: 10, stepPeriodSeconds: 60, scaleToZeroDelaySeconds: 600 });
  t.deepEqual(spec.nodeGroups, [{ name: "gpu-spot", capacityType: "spot", maxNodes: 4, priority: 0, minNodes: 0 }]);
});

test("workersPerNode has no default (the instance type's GPUs apply); a given value is kept", (t) => {
  t.false("workersPerNode" in parseGenerationPoolSpec({ ...minimal, nodeGroups: [spot] }).nodeGroups[0]!);
  t.is(parseGenerationPoolSpec({ ...minimal, nodeGroups: [{ ...spot, workersPerNode: 4 }] }).nodeGroups[0]!.workersPerNode, 4);
  t.throws(() => parseGenerationPoolSpec({ ...minimal, nodeGroups: [{ ...spot, workersPerNode: 0 }] }), { message: /spec\.nodeGroups\[0\]\.workersPerNode/ });
});

test("unknown fields are pruned, as the API server prunes them", (t) => {
  const spec = parseGenerationPoolSpec({ ...minimal, replicas: { max: 8, maximum: 99 }, colour: "blue" });
  t.deepEqual(spec.replicas, { min: 0, max: 8, warmIdle: 0 });
  t.false("colour" in spec);
});

test("parsing does not modify its input", (t) => {
  const input = structuredClone(minimal);
  parseGenerationPoolSpec(input);
  t.deepEqual(input, minimal);
});

for (const [why, spec, field, fragment] of invalidSpecs) {
  test(`rejects: ${why}`, (t) => {
    const error = t.throws(() => parseGenerationPoolSpec(spec), { instanceOf: InvalidGenerationPoolError });
    const issue = error?.issues.find((i) => i.field === field);
    t.truthy(issue, `${field} in ${error?.message}`);
    t.true(issue?.message.includes(fragment), issue?.message);
    t.true(error?.message.includes(field));
  });
}

test("the error message names the field, the value and what is allowed", (t) => {
  const error = t.throws(() => parseGenerationPoolSpec({ ...minimal, replicas: { min: 9, max: 8 } }));
  t.is(error?.message, "spec.replicas.min: Invalid value: 9: replicas.min must be less than or equal to replicas.max");
});

test("all problems are reported at once", (t) => {
  const error = t.throws(() => parseGenerationPoolSpec({ replicas: { max: 0 }, paused: 1 }), { instanceOf: InvalidGenerationPoolError });
  t.deepEqual(error?.issues.map((i) => i.field).sort(), ["spec.paused", "spec.replicas.max", "spec.workload"]);
});

test("parseGenerationPool checks kind and metadata and passes status through", (t) => {
  const pool = parseGenerationPool({
    apiVersion: "genpool.io/v1alpha1",
    kind: "GenerationPool",
    metadata: { name: "default", namespace: "genpool-gpu", generation: 3 },
    spec: minimal,
    status: { observedGeneration: 2 },
  });
  t.deepEqual(pool.metadata, { name: "default", namespace: "genpool-gpu", generation: 3 });
  t.is(pool.spec.replicas.max, 8);
  t.is(pool.status?.observedGeneration, 2);
  t.throws(() => parseGenerationPool({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: "y" }, spec: minimal }), { message: /apiVersion\/kind/u });
  t.throws(() => parseGenerationPool({ apiVersion: "genpool.io/v1alpha1", kind: "GenerationPool", metadata: {}, spec: minimal }), { message: /metadata.name: Required value/u });
});
