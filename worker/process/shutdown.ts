/**
 * Graceful shutdown policy (pure). On SIGTERM the worker stops taking jobs at once; the running
 * job may finish until the grace period minus a reserve, the time it needs to cancel the
 * generation in InvokeAI and hand the job back to the queue before the kubelet's SIGKILL.
 */

/** Inputs: the pod's terminationGracePeriodSeconds and the handover reserve. */
export interface ShutdownSettings {
  gracePeriodSeconds: number;
  handoverReserveSeconds: number;
}

/**
 * How long the running job may still take before it is given back. `stopBy` (epoch ms, read at
 * SIGTERM time `now`) is the kill time the operator announced when it deleted the pod with a
 * grace period shorter than the pod's own; the earlier of the two deadlines wins.
 */
export function finishWithinMs(s: ShutdownSettings, announced?: { now: number; stopBy: number | null }): number {
  const own = (s.gracePeriodSeconds - s.handoverReserveSeconds) * 1000;
  const stopBy = announced?.stopBy ?? null;
  const cut = stopBy === null ? own : Math.min(own, stopBy - announced!.now - s.handoverReserveSeconds * 1000);
  return Math.max(0, cut);
}

/** Parses the announced kill time (the value at stopByKey); null when absent or not a time. */
export function parseStopBy(value: string | null | undefined): number | null {
  if (value === null || value === undefined || !/^\d{1,16}$/.test(value)) return null;
  return Number(value);
}
