import test from "ava";
import { Workload } from "../../cluster/contract.ts";
import { parseGenerationPoolSpec } from "../../operator/resource/index.ts";
import { localSettings } from "../config/local.ts";
import type { Settings } from "../config/settings.ts";
import { exampleProductionSettings } from "../lib/fixtures.ts";
import { allManifests, find } from "../lib/manifests.ts";
import { DEFAULT_POOL } from "./pools.ts";
import { WORKER_CONTAINER, WORKER_DEPLOYMENT } from "./worker.ts";

const environments: [string, () => Settings][] = [
  ["local", localSettings],
  ["production", () => exampleProductionSettings()],
];

for (const [env, settings] of environments) {
  test(`${env}: the default pool passes the operator's own schema and CEL checks`, (t) => {
    const s = settings();
    const pool = find<{ spec: unknown }>(allManifests(s), "GenerationPool", DEFAULT_POOL, Workload.worker.namespace);
    const spec = parseGenerationPoolSpec(pool.spec);
    t.is(spec.targetBacklogPerWorker, 5);
    t.is(spec.replicas.max, 20);
    t.is(spec.onDemandBaseNodes, 1);
    t.deepEqual(spec.workload, { deploymentName: WORKER_DEPLOYMENT, containerName: WORKER_CONTAINER });
    t.is(spec.queue.name, "gpu-generation");
    // Spot grows first; the on-demand group is the base and the fallback.
    t.deepEqual(
      [...spec.nodeGroups].sort((a, b) => a.priority - b.priority).map((g) => [g.name, g.capacityType]),
      [[s.gpuNodegroups.spot, "spot"], [s.gpuNodegroups.onDemand, "on-demand"]],
    );
    // No override: the operator reads the GPUs of each group's instance type.
    t.deepEqual(spec.nodeGroups.map((g) => g.workersPerNode), [undefined, undefined]);
  });
}
