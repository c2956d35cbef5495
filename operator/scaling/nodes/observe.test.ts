import test from "ava";
import { observeNodeGroups, type NodeLike } from "./observe.ts";

const node = (name: string, group: string, extra: { ready?: boolean; taint?: string; providerID?: string } = {}): NodeLike => ({
  metadata: { name, labels: { "eks.amazonaws.com/nodegroup": group } },
  spec: { taints: extra.taint ? [{ key: extra.taint, effect: "NoSchedule" }] : [], providerID: extra.providerID },
  status: { conditions: [{ type: "Ready", status: extra.ready === false ? "False" : "True" }] },
});

const spec = (name: string, capacityType: "spot" | "on-demand") => ({ name, capacityType, priority: 0, minNodes: 0, maxNodes: 10 });

test("observeNodeGroups: nodes join their group by label, with readiness, marks, busy workers and instance ids", (t) => {
  const [spot] = observeNodeGroups({
    specs: [spec("gpu-spot", "spot")],
    cloud: new Map([["gpu-spot", { desiredSize: 4, healthIssues: [] }]]),
    workersPerNode: new Map([["gpu-spot", 1]]),
    nodes: [
      node("a", "gpu-spot", { providerID: "aws:///us-east-1a/i-0aaa" }),
      node("b", "gpu-spot", { ready: false }),
      node("c", "gpu-spot", { taint: "aws-node-termination-handler/spot-itn" }),
      node("d", "other-group"),
    ],
    workers: [{ name: "w1", nodeName: "a", busy: true }, { name: "w2", nodeName: "a", busy: false }, { name: "w3", nodeName: "c", busy: false }, { name: "w4", busy: false }],
  });
  t.is(spot?.desiredSize, 4);
  t.deepEqual(spot?.nodes, [
    { name: "a", ready: true, markedForTermination: false, busyWorkers: 1, idleWorkerPods: ["w2"], instanceId: "i-0aaa" },
    { name: "b", ready: false, markedForTermination: false, busyWorkers: 0, idleWorkerPods: [], instanceId: undefined },
    { name: "c", ready: true, markedForTermination: true, busyWorkers: 0, idleWorkerPods: ["w3"], instanceId: undefined },
  ]);
});

test("observeNodeGroups: a group the cloud did not describe is an error naming it", (t) => {
  t.throws(() => observeNodeGroups({ specs: [spec("gpu-od", "on-demand")], cloud: new Map(), workersPerNode: new Map(), nodes: [], workers: [] }),
    { message: "node group gpu-od: no cloud description (does the EKS node group exist?)" });
});
