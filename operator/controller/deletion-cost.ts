import type { WorkerPod } from "../kube/pods.ts";

/** Deletion cost of a pod running a job: the ReplicaSet removes lower costs first, so busy pods go last. */
export const busyDeletionCost = 10_000;
/** Deletion cost of an idle pod (the default for pods without the annotation). */
export const idleDeletionCost = 0;

/** One annotation write. */
export interface CostChange {
  pod: string;
  cost: number;
}

/**
 * Deletion costs to write before a scale-down: busy pods high, idle pods back to the default.
 * Only pods whose annotation differs are written; terminating pods are left alone.
 */
export function deletionCostChanges(pods: readonly WorkerPod[], busy: ReadonlySet<string>): CostChange[] {
  const changes: CostChange[] = [];
  for (const pod of pods) {
    if (pod.terminating) continue;
    const cost = busy.has(pod.name) ? busyDeletionCost : idleDeletionCost;
    const current = pod.deletionCost === undefined ? idleDeletionCost : Number(pod.deletionCost);
    if (current !== cost) changes.push({ pod: pod.name, cost });
  }
  return changes;
}

/** Pods running a job: pod names that hold an active BullMQ job (worker name = pod name). */
export function busyPods(pods: readonly WorkerPod[], activeWorkers: Iterable<string>): Set<string> {
  const names = new Set(pods.filter((p) => !p.terminating).map((p) => p.name));
  const busy = new Set<string>();
  for (const worker of activeWorkers) if (names.has(worker)) busy.add(worker);
  return busy;
}

/**
 * A pod's place in the ReplicaSet controller's deletion order before deletion costs are compared
 * (lower goes first): unscheduled, then Pending, Unknown, Running, then not ready before ready.
 * Unknown fields count as a running, ready pod.
 */
function rankBeforeCost(pod: WorkerPod): number {
  if (pod.nodeName === undefined || pod.nodeName === "") return 0;
  const phase = pod.phase === "Pending" ? 0 : pod.phase === "Running" || pod.phase === undefined ? 2 : 1;
  return 1 + phase * 2 + (pod.ready === false ? 0 : 1);
}

/**
 * How many pods a scale-down may remove without a busy one among them. The ReplicaSet controller
 * ranks unscheduled, pending and not-ready pods ahead of any deletion cost, so a busy pod that is
 * not ready (after a control-plane outage, or a probe failing under load) goes before a ready idle
 * pod whatever its cost: only idle pods ranked no later than every busy pod are safe to remove.
 */
export function safeRemovals(pods: readonly WorkerPod[], busy: ReadonlySet<string>, replicas: number): number {
  const live = pods.filter((p) => !p.terminating);
  const firstBusy = Math.min(Number.POSITIVE_INFINITY, ...live.filter((p) => busy.has(p.name)).map(rankBeforeCost));
  // Replicas without a pod yet are dropped before any pod is deleted.
  const notCreated = Math.max(0, replicas - live.length);
  return notCreated + live.filter((p) => !busy.has(p.name) && rankBeforeCost(p) <= firstBusy).length;
}
