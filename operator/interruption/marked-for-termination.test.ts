import test from "ava";
import { terminationReason, type NodeMarks } from "./marked-for-termination.ts";

const taint = (key: string, effect = "NoSchedule", value?: string): NodeMarks => ({
  spec: { taints: [{ key, effect, ...(value === undefined ? {} : { value }) }] },
});

// One row per signal an agent writes before a node goes away, and the near misses that must not count.
const rows: [string, NodeMarks, ReturnType<typeof terminationReason>][] = [
  ["a plain GPU node is capacity", { spec: { taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }] } }, null],
  ["a node without spec is capacity", {}, null],
  ["deletion requested (deletionTimestamp set)", { metadata: { deletionTimestamp: "2026-01-01T00:00:00Z" } }, "Deleting"],
  ["deletion wins over any taint", { metadata: { deletionTimestamp: new Date(0) }, ...taint("ToBeDeletedByClusterAutoscaler") }, "Deleting"],
  ["NTH: spot interruption notice", taint("aws-node-termination-handler/spot-itn", "NoSchedule", "i-0abc"), "SpotInterruption"],
  ["NTH: rebalance recommendation (replace before the notice)", taint("aws-node-termination-handler/rebalance-recommendation"), "RebalanceRecommendation"],
  ["NTH: scheduled maintenance", taint("aws-node-termination-handler/scheduled-maintenance"), "ScheduledMaintenance"],
  ["NTH: Auto Scaling lifecycle termination", taint("aws-node-termination-handler/asg-lifecycle-termination"), "AutoScalingTermination"],
  ["NTH configured with PreferNoSchedule still marks", taint("aws-node-termination-handler/spot-itn", "PreferNoSchedule"), "SpotInterruption"],
  ["Cluster Autoscaler deleting the node", taint("ToBeDeletedByClusterAutoscaler"), "ClusterAutoscalerScaleDown"],
  ["Cluster Autoscaler's soft candidate taint is not a decision", taint("DeletionCandidateOfClusterAutoscaler", "PreferNoSchedule"), null],
  ["Karpenter v1 disruption", taint("karpenter.sh/disrupted"), "KarpenterDisruption"],
  ["Karpenter v1beta1 disruption", taint("karpenter.sh/disruption", "NoSchedule", "disrupting"), "KarpenterDisruption"],
  ["out-of-service (node shut down)", taint("node.kubernetes.io/out-of-service", "NoExecute"), "OutOfService"],
  ["cordoned via spec.unschedulable", { spec: { unschedulable: true } }, "Cordoned"],
  ["cordoned via the unschedulable taint only", taint("node.kubernetes.io/unschedulable"), "Cordoned"],
  ["explicitly schedulable", { spec: { unschedulable: false, taints: null } }, null],
  ["a not-ready node is not leaving (readiness is judged elsewhere)", taint("node.kubernetes.io/not-ready", "NoExecute"), null],
];

for (const [title, node, expected] of rows) {
  test(`terminationReason: ${title}`, (t) => {
    t.is(terminationReason(node), expected);
  });
}
