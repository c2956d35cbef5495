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

/** What a scale-down removes: replicas that have no pod yet, then these idle pods by name. */
export interface Removals {
  /** Replicas above the live pods (created by nobody yet): dropping them deletes nothing. */
  notCreated: number;
  /** Idle pods the operator deletes itself, in the order chosen. */
  pods: string[];
}

/**
 * Chooses what a scale-down from `replicas` by `count` removes, never a busy pod. Replicas without
 * a pod go first, then idle pods: unscheduled, pending and not-ready ones first (they serve no
 * one), then pods on nodes with fewer busy and then fewer live workers (so nodes empty and the
 * node step can remove them), then the newest. Fewer than `count` when too few pods are idle.
 *
 * The operator deletes the chosen pods itself before it lowers the replica count, rather than
 * leaving the choice to the ReplicaSet controller: that controller ranks unscheduled, pending and
 * not-ready pods ahead of any pod-deletion-cost, so after a control-plane outage (nodes' leases
 * lapsed, pods briefly not ready) it would delete busy pods whatever their cost. See
 * `busyNotReady` for the one case left to that controller.
 */
export function chooseRemovals(pods: readonly WorkerPod[], busy: ReadonlySet<string>, replicas: number, count: number): Removals {
  const live = pods.filter((p) => !p.terminating);
  const notCreated = Math.min(count, Math.max(0, replicas - live.length));
  const perNode = new Map<string, { busy: number; live: number }>();
  for (const p of live) {
    const node = perNode.get(p.nodeName ?? "") ?? { busy: 0, live: 0 };
    node.live++;
    if (busy.has(p.name)) node.busy++;
    perNode.set(p.nodeName ?? "", node);
  }
  const key = (p: WorkerPod): number[] => {
    const node = perNode.get(p.nodeName ?? "") ?? { busy: 0, live: 0 };
    return [rankBeforeCost(p), node.busy, node.live, -(p.createdAt ?? 0)];
  };
  const idle = live.filter((p) => !busy.has(p.name)).map((p) => ({ p, k: key(p) }));
  idle.sort((a, b) => compareKeys(a.k, b.k) || a.p.name.localeCompare(b.p.name));
  return { notCreated, pods: idle.slice(0, count - notCreated).map((x) => x.p.name) };
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * Busy pods that are not ready. Between the operator's deletions and its new replica count the
 * ReplicaSet controller may start replacements (it sees the deletions first; after a control-plane
 * outage the new count reached it 15–28 s later in tests). It removes those again by its own
 * ranking, and a replacement that is ready by then ranks after a busy pod that is not: so no
 * scale-down is made while any busy pod is not ready.
 */
export function busyNotReady(pods: readonly WorkerPod[], busy: ReadonlySet<string>): string[] {
  return pods.filter((p) => !p.terminating && busy.has(p.name) && (p.ready === false || (p.phase !== undefined && p.phase !== "Running"))).map((p) => p.name);
}

/** How the operator carries out a decided worker count. */
export type ScalePlan =
  | { kind: "scale"; to: number; removed: string[] }
  | { kind: "held"; message: string; detail: Record<string, unknown>; why: string };

/**
 * Longest a scale-down waits for busy pods to be ready again. The wait covers the control plane's
 * recovery after an outage (the ReplicaSet controller lagged 15–28 s in tests); a busy pod that
 * stays not ready for longer (a failing probe) must not keep a pool's idle GPUs forever.
 */
export const maxScaleDownHoldMs = 120_000;

/**
 * The replica count to set for `decided` workers when the Deployment has `from`, and the idle pods
 * to delete first on a scale-down (chooseRemovals). A scale-down waits while a busy pod is not
 * ready (busyNotReady) unless `holdForUnready` is false (the wait has lasted maxScaleDownHoldMs),
 * and goes only as far as there are idle pods to remove.
 */
export function planScale(a: { from: number; decided: number; pods: readonly WorkerPod[]; busy: ReadonlySet<string>; holdForUnready?: boolean }): ScalePlan {
  const { from, decided, pods, busy, holdForUnready = true } = a;
  if (decided >= from) return { kind: "scale", to: decided, removed: [] };
  const unready = holdForUnready ? busyNotReady(pods, busy) : [];
  if (unready.length > 0) {
    const names = unready.length > 3 ? `${unready.slice(0, 3).join(", ")} and ${unready.length - 3} more` : unready.join(", ");
    return { kind: "held", message: "Scale-down held: a busy pod is not ready", detail: { workers: from, decided, busyNotReady: unready }, why: `busy pods not ready (${names}); the ReplicaSet controller would delete them before ready idle ones` };
  }
  const removals = chooseRemovals(pods, busy, from, from - decided);
  const to = from - removals.notCreated - removals.pods.length;
  if (to === from) return { kind: "held", message: "Scale-down held: no idle pod to remove", detail: { workers: from, decided, busy: busy.size }, why: "no idle pod to remove" };
  return { kind: "scale", to, removed: removals.pods };
}
