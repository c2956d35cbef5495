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
