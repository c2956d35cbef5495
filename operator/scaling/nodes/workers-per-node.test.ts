import test from "ava";
import { resolveWorkersPerNode, type WorkersPerNodeInput } from "./workers-per-node.ts";

// GPU counts as EC2 DescribeInstanceTypes reports them (moto serves the same figures).
const gpus = new Map([["g5.xlarge", 1], ["g5.12xlarge", 4], ["g4dn.12xlarge", 4], ["p4d.24xlarge", 8], ["m5.large", 0]]);
const at = "spec.nodeGroups[0] (gpu)";
const row = (override: number | undefined, instanceTypes: string[]): WorkersPerNodeInput => ({ at, override, instanceTypes, gpus });

const resolves: [why: string, input: WorkersPerNodeInput, want: number][] = [
  ["one GPU per node: one worker", row(undefined, ["g5.xlarge"]), 1],
  ["a 4-GPU type: four workers per node", row(undefined, ["g5.12xlarge"]), 4],
  ["several types: the fewest GPUs, so a small node is never over-filled", row(undefined, ["g5.12xlarge", "g5.xlarge"]), 1],
  ["several types with equal GPUs", row(undefined, ["g5.12xlarge", "g4dn.12xlarge"]), 4],
  ["the spec's override wins over the instance type", row(2, ["p4d.24xlarge"]), 2],
  ["the override needs no instance type at all", row(3, []), 3],
  ["the override needs no GPU count either (no lookup was made)", row(1, ["x9.unknown"]), 1],
];
for (const [why, input, want] of resolves) {
  test(`workers per node: ${why}`, (t) => t.is(resolveWorkersPerNode(input), want));
}

const rejects: [why: string, input: WorkersPerNodeInput, message: RegExp][] = [
  ["a type without GPUs names the type and the way out", row(undefined, ["g5.xlarge", "m5.large"]),
    /^spec\.nodeGroups\[0\] \(gpu\): instance type m5\.large has 0 GPUs; a worker needs one: use GPU instance types or set its workersPerNode \(>= 1\)$/],
  ["no instance type known anywhere", row(undefined, []), /^spec\.nodeGroups\[0\] \(gpu\): no instance type is known .*set its workersPerNode or its instanceTypes$/],
  ["a type whose GPU count was not looked up", row(undefined, ["x9.unknown"]), /^spec\.nodeGroups\[0\] \(gpu\): the GPU count of instance type x9\.unknown is unknown$/],
];
for (const [why, input, message] of rejects) {
  test(`workers per node: ${why}`, (t) => {
    t.throws(() => resolveWorkersPerNode(input), { instanceOf: RangeError, message });
  });
}
