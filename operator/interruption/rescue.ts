/**
 * Interruption rescue (pure): which worker pods on nodes marked for termination to delete, and
 * with which grace period, so that the worker's own SIGTERM path (stop taking jobs, finish the
 * current one if it fits, otherwise hand it back to the queue) runs while the node still exists,
 * and the Deployment recreates the pod on healthy capacity.
 *
 * The grace period is the pod's own `terminationGracePeriodSeconds`, cut to the time left before
 * the node goes when that time is known:
 * - a spot interruption notice (NTH taint `aws-node-termination-handler/spot-itn`) leaves
 *   120 s from the taint's appearance (EC2's two-minute warning; NTH taints the node within
 *   seconds of the notice). The appearance is the taint's `timeAdded` when set, otherwise the
 *   first time the operator saw the taint (an operator restart during a notice therefore
 *   overestimates the time left by the time it was down);
 * - `node.kubernetes.io/out-of-service` means the node is already down: nothing is left.
 * Every other mark (rebalance recommendation, scheduled maintenance, lifecycle termination,
 * cordon, Cluster Autoscaler, Karpenter, a Node being deleted) has no known deadline: the pod
 * keeps its full grace period, as a drain gives it.
 */
import { terminationReason, type NodeMarks, type TerminationReason } from "./marked-for-termination.ts";

/** Seconds between a spot interruption notice and EC2 reclaiming the instance. */
export const spotInterruptionNoticeSeconds = 120;

/** Kubernetes' default `terminationGracePeriodSeconds`. */
export const defaultGracePeriodSeconds = 30;

/**
 * Taints that put a deadline on a node: seconds left after the taint appears. Read apart from
 * `terminationReason()`, which reports only the first mark: a rebalance taint listed first must
 * not hide a spot notice that arrives later.
 */
export const DeadlineTaints: Readonly<Record<string, number>> = {
  "aws-node-termination-handler/spot-itn": spotInterruptionNoticeSeconds,
  "node.kubernetes.io/out-of-service": 0,
};

/** A Node as the rescue reads it (a `V1Node` fits). */
export interface RescueNode extends NodeMarks {
  metadata?: { name?: string; deletionTimestamp?: Date | string | null } | undefined;
  spec?: {
    unschedulable?: boolean | null;
    taints?: readonly { key: string; value?: string | null; effect: string; timeAdded?: Date | string | null }[] | null;
  } | undefined;
}

/** A worker pod as the rescue reads it. */
export interface RescuePod {
  name: string;
  nodeName?: string | undefined;
  /** The pod's `spec.terminationGracePeriodSeconds`; undefined means Kubernetes' default. */
  terminationGracePeriodSeconds?: number | undefined;
  /** ms epoch of `metadata.deletionTimestamp` (when the kubelet kills it), if being deleted. */
  deletionDeadline?: number | undefined;
}

/** One pod to delete. */
export interface Rescue {
  pod: string;
  node: string;
  reason: TerminationReason;
  gracePeriodSeconds: number;
  /** Whole seconds before the node goes; null when no deadline is known. */
  leftSeconds: number | null;
}

/** Input of planRescue(). */
export interface RescueInput {
  now: number;
  nodes: readonly RescueNode[];
  pods: readonly RescuePod[];
  /** First time each deadline taint was seen, `node/taintKey` -> ms epoch (the previous call's memory). */
  seen: Readonly<Record<string, number>>;
}

/** Output: pods to delete, and the memory for the next call (entries of gone taints dropped). */
export interface RescuePlan {
  rescues: Rescue[];
  seen: Record<string, number>;
}

const epoch = (t: Date | string | null | undefined): number | undefined => {
  if (t === null || t === undefined) return undefined;
  const ms = new Date(t).getTime();
  return Number.isNaN(ms) ? undefined : ms;
};

/** When a deadline taint appeared: its `timeAdded`, else the first sighting, else now (recorded in `seen`). */
function appearedAt(key: string, timeAdded: Date | string | null | undefined, m: Memo): number {
  const appeared = epoch(timeAdded) ?? m.prior[key] ?? m.now;
  m.seen[key] = m.prior[key] ?? appeared;
  return appeared;
}

/** The time and the first-sighting memory (read: prior, written: seen). */
interface Memo {
  now: number;
  prior: Readonly<Record<string, number>>;
  seen: Record<string, number>;
}

/** The node's deadline (ms epoch) from its deadline taints, the earliest one winning; null when none. */
function deadlineOf(node: RescueNode, m: Memo): number | null {
  const deadlines = (node.spec?.taints ?? []).flatMap((taint) => {
    const notice = DeadlineTaints[taint.key];
    if (notice === undefined) return [];
    return [appearedAt(`${node.metadata?.name ?? ""}/${taint.key}`, taint.timeAdded, m) + notice * 1000];
  });
  return deadlines.length === 0 ? null : Math.min(...deadlines);
}

/** Marked nodes by name, with their reason and deadline. */
function markedNodes(input: RescueInput, seen: Record<string, number>): Map<string, { reason: TerminationReason; deadline: number | null }> {
  const marked = new Map<string, { reason: TerminationReason; deadline: number | null }>();
  for (const node of input.nodes) {
    const reason = terminationReason(node);
    if (reason !== null) marked.set(node.metadata?.name ?? "", { reason, deadline: deadlineOf(node, { now: input.now, prior: input.seen, seen }) });
  }
  return marked;
}

/** Grace for one pod: its own, cut to the time left, never below 1 s (0 would drop the pod from the API before its process stops). */
function graceFor(pod: RescuePod, leftSeconds: number | null): number {
  const own = pod.terminationGracePeriodSeconds ?? defaultGracePeriodSeconds;
  return Math.max(1, leftSeconds === null ? own : Math.min(own, leftSeconds));
}

/** A pod already being deleted is deleted again only if that makes it stop sooner (the API server shortens the grace). */
function alreadyStopsInTime(pod: RescuePod, now: number, grace: number): boolean {
  if (pod.deletionDeadline === undefined) return false;
  return pod.deletionDeadline <= now + (grace + 1) * 1000;
}

/** Chooses the worker pods to delete on nodes marked for termination, and their grace periods. */
export function planRescue(input: RescueInput): RescuePlan {
  const seen: Record<string, number> = {};
  const marked = markedNodes(input, seen);
  const rescues: Rescue[] = [];
  for (const pod of input.pods) {
    const mark = pod.nodeName === undefined ? undefined : marked.get(pod.nodeName);
    if (mark === undefined) continue;
    const leftSeconds = mark.deadline === null ? null : Math.max(0, Math.floor((mark.deadline - input.now) / 1000));
    const gracePeriodSeconds = graceFor(pod, leftSeconds);
    if (alreadyStopsInTime(pod, input.now, gracePeriodSeconds)) continue;
    rescues.push({ pod: pod.name, node: pod.nodeName ?? "", reason: mark.reason, gracePeriodSeconds, leftSeconds });
  }
  return { rescues, seen };
}
