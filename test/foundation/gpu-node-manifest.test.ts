// What createGpuNode sends, checked without a sandbox: shape per instance type and bad options named.
import test from "ava";
import { GpuNode } from "../../cluster/contract.ts";
import { gpuNodeManifest, notReadyTaint, readyAtAnnotation } from "../support/gpu-nodes.ts";

const now = new Date("2026-01-01T00:00:00.000Z");

test("a node is created NotReady with its ready-at time = now + bootDelayMs", (t) => {
  const node = gpuNodeManifest({ name: "n1", nodegroup: "gpu-spot", capacityType: "SPOT", bootDelayMs: 90_000 }, now);
  t.is(node.metadata?.annotations?.[readyAtAnnotation], "2026-01-01T00:01:30.000Z");
  t.is(node.metadata?.annotations?.["kwok.x-k8s.io/node"], "fake");
  t.deepEqual(node.spec?.taints, [GpuNode.taint, notReadyTaint]);
  t.is(node.status?.conditions?.[0]?.status, "False");
});

const shapes: { instanceType?: string; gpus?: number; expected: Record<string, string> }[] = [
  // The default is the smallest current GPU instance.
  { expected: { cpu: "4", memory: "16Gi", [GpuNode.resource]: "1" } },
  { instanceType: "g5.12xlarge", expected: { cpu: "48", memory: "192Gi", [GpuNode.resource]: "4" } },
  // An explicit GPU count wins over the instance type's.
  { instanceType: "g5.12xlarge", gpus: 2, expected: { cpu: "48", memory: "192Gi", [GpuNode.resource]: "2" } },
];
for (const row of shapes) {
  test(`capacity of ${row.instanceType ?? "the default"} with gpus=${row.gpus ?? "default"}`, (t) => {
    const node = gpuNodeManifest({ name: "n", nodegroup: "g", capacityType: "ON_DEMAND", ...row }, now);
    t.like(node.status?.capacity, row.expected);
    t.deepEqual(node.status?.allocatable, node.status?.capacity);
    t.is(node.metadata?.labels?.["node.kubernetes.io/instance-type"], row.instanceType ?? "g5.xlarge");
  });
}

test("bad options are refused, naming the value and what is allowed", (t) => {
  t.throws(() => gpuNodeManifest({ name: "n", nodegroup: "g", capacityType: "SPOT", gpus: 1.5 }), { message: /gpus=1\.5 is not allowed: use a whole number >= 0/ });
  t.throws(() => gpuNodeManifest({ name: "n", nodegroup: "g", capacityType: "SPOT", bootDelayMs: -1 }), { message: /bootDelayMs=-1 is not allowed/ });
});
