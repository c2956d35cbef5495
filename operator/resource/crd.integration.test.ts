import test from "ava";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { apiErrorMessage, kubeConfig, kubectl, useNamespace } from "../../test/support/sandbox.ts";
import { generationPoolCrd } from "./crd.ts";
import { parseGenerationPoolSpec } from "./parse.ts";
import { invalidSpecs, minimal, night, spot } from "./spec-cases.ts";
import { GenerationPoolApi as Api } from "./types.ts";

// The CRD in a real kube-apiserver: it must accept the schema (structural, CEL compiles within cost
// limits), default exactly as parseGenerationPoolSpec() does, and reject what the parser rejects.

let installed: Promise<void> | undefined;
function installCrd(): Promise<void> {
  installed ??= (async () => {
    const applied = await kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=genpool-tests", "-f", "-"], { input: JSON.stringify(generationPoolCrd()) });
    if (applied.code !== 0) throw new Error(`CRD apply failed: ${applied.stderr}`);
    const waited = await kubectl(["wait", "--for=condition=Established", "--timeout=60s", `crd/${Api.plural}.${Api.group}`]);
    if (waited.code !== 0) throw new Error(`CRD not established: ${waited.stderr}`);
  })();
  return installed;
}

function create(namespace: string, name: string, spec: unknown): Promise<unknown> {
  const api = kubeConfig().makeApiClient(CustomObjectsApi);
  const body = { apiVersion: Api.apiVersion, kind: Api.kind, metadata: { name }, spec };
  return api.createNamespacedCustomObject({ group: Api.group, version: Api.version, namespace, plural: Api.plural, body });
}

test.serial("[integration] the API server accepts the CRD and defaults a minimal pool exactly like the parser", async (t) => {
  await installCrd();
  const ns = await useNamespace(t);
  const created = (await create(ns, "minimal", minimal)) as { spec: unknown };
  t.deepEqual(created.spec, parseGenerationPoolSpec(minimal));
});

test.serial("[integration] list items and nested objects are defaulted like the parser does", async (t) => {
  await installCrd();
  const ns = await useNamespace(t);
  const spec = { ...minimal, scaleDown: { stabilizationSeconds: 30 }, schedules: [{ ...night, min: 0 }, { name: "weekend", timeZone: "UTC", days: ["Sat", "Sun"], start: "00:00", end: "24:00", max: 2 }], nodeGroups: [spot, { name: "gpu-od", capacityType: "on-demand", maxNodes: 2, priority: 5 }] };
  const created = (await create(ns, "full", spec)) as { spec: unknown };
  t.deepEqual(created.spec, parseGenerationPoolSpec(spec));
});

test.serial("[integration] kubectl get gp prints the pool with its columns", async (t) => {
  await installCrd();
  const ns = await useNamespace(t);
  await create(ns, "printed", minimal);
  const got = await kubectl(["get", "gp", "-n", ns]);
  t.is(got.code, 0, got.stderr);
  t.regex(got.stdout, /^NAME\s+QUEUE\s+DESIRED\s+READY\s+BUSY\s+NODES\s+REASON\s+AGE/u);
  t.regex(got.stdout, /printed/u);
});

for (const [why, spec, field, fragment, apiServer] of invalidSpecs) {
  if (apiServer === false) continue;
  test.serial(`[integration] the API server rejects: ${why}`, async (t) => {
    await installCrd();
    const ns = await useNamespace(t);
    const error = await t.throwsAsync(create(ns, "bad", spec));
    const message = apiErrorMessage(error);
    t.true(message.includes(field), `${field} in: ${message}`);
    t.true(message.includes(fragment), `${fragment} in: ${message}`);
  });
}
