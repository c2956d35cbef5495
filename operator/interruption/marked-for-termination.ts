/**
 * Is a node about to go away? Pure predicates over the parts of a Node that the agents which
 * take nodes away (AWS Node Termination Handler, EKS managed node groups, Cluster Autoscaler,
 * Karpenter, an operator's `kubectl drain`) write before they do it.
 *
 * The node planner treats a marked node as lost capacity and orders its replacement at once:
 * a spot interruption notice leaves two minutes, less than a GPU node takes to boot.
 */

/** The parts of a Kubernetes Node these predicates read (a `V1Node` fits). */
export interface NodeMarks {
  metadata?: { deletionTimestamp?: Date | string | null } | undefined;
  spec?: {
    unschedulable?: boolean | null;
    taints?: readonly { key: string; value?: string | null; effect: string }[] | null;
  } | undefined;
}

/** Why a node counts as leaving. */
export type TerminationReason =
  | "Deleting"
  | "SpotInterruption"
  | "RebalanceRecommendation"
  | "ScheduledMaintenance"
  | "AutoScalingTermination"
  | "ClusterAutoscalerScaleDown"
  | "KarpenterDisruption"
  | "OutOfService"
  | "Cordoned";

/**
 * Taint keys and the reason each one means. The AWS Node Termination Handler keys are its
 * `TAINT_NODE` taints; a rebalance recommendation is only elevated risk, but a GPU node takes
 * minutes to boot, so it is replaced before the two-minute notice arrives.
 */
export const TerminationTaints: Readonly<Record<string, TerminationReason>> = {
  "aws-node-termination-handler/spot-itn": "SpotInterruption",
  "aws-node-termination-handler/rebalance-recommendation": "RebalanceRecommendation",
  "aws-node-termination-handler/scheduled-maintenance": "ScheduledMaintenance",
  "aws-node-termination-handler/asg-lifecycle-termination": "AutoScalingTermination",
  ToBeDeletedByClusterAutoscaler: "ClusterAutoscalerScaleDown",
  // Karpenter v1; v1beta1 used `karpenter.sh/disruption=disrupting`.
  "karpenter.sh/disrupted": "KarpenterDisruption",
  "karpenter.sh/disruption": "KarpenterDisruption",
  "node.kubernetes.io/out-of-service": "OutOfService",
  // Written by the node lifecycle controller when spec.unschedulable is set (kubectl cordon,
  // EKS managed node groups before they terminate an instance).
  "node.kubernetes.io/unschedulable": "Cordoned",
};

/** The reason a node is leaving, or null when nothing marks it. Deletion wins over taints. */
export function terminationReason(node: NodeMarks): TerminationReason | null {
  if (node.metadata?.deletionTimestamp) return "Deleting";
  // Any effect counts: the Node Termination Handler lets operators pick PreferNoSchedule.
  // Cluster Autoscaler's soft `DeletionCandidateOfClusterAutoscaler` is deliberately absent.
  for (const taint of node.spec?.taints ?? []) {
    const reason = TerminationTaints[taint.key];
    if (reason) return reason;
  }
  if (node.spec?.unschedulable) return "Cordoned";
  return null;
}

/** True when the node should not count as capacity because it is leaving. */
export function isMarkedForTermination(node: NodeMarks): boolean {
  return terminationReason(node) !== null;
}
