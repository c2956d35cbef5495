import test from "ava";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { designGroups } from "../config.ts";
import { defaultPoolSpec, groupsOf, readPoolFile } from "./pool.ts";

const file = (text: string): string => {
  const path = join(mkdtempSync(join(tmpdir(), "pool-")), "pool.yaml");
  writeFileSync(path, text);
  return path;
};

test("a pool file is defaulted by the operator's parser and gives the simulated node groups", (t) => {
  const spec = readPoolFile(file(`apiVersion: genpool.io/v1alpha1
kind: GenerationPool
metadata: { name: p, namespace: genpool-gpu }
spec:
  workload: { deploymentName: w }
  replicas: { max: 8 }
  nodeGroups:
    - { name: spot-a, capacityType: spot, maxNodes: 4, workersPerNode: 2 }
`));
  t.is(spec.targetBacklogPerWorker, 5, "operator default applied");
  t.deepEqual(groupsOf(spec), [{ name: "spot-a", capacityType: "spot", workersPerNode: 2, minNodes: 0, maxNodes: 4 }]);
});

test("a pool file with a bad value is rejected naming the field and value", (t) => {
  const path = file("workload: { deploymentName: w }\nreplicas: { max: 0 }\n");
  t.throws(() => readPoolFile(path), { message: /replicas\.max.*0/ });
});

test("the default pool keeps the on-demand base as its floor and the groups' capacity as its ceiling", (t) => {
  const spec = defaultPoolSpec(designGroups(20));
  t.deepEqual([spec.replicas.min, spec.replicas.max, spec.onDemandBaseNodes], [1, 21, 1]);
});
