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

/** How long the running job may still take before it is given back. */
export function finishWithinMs(s: ShutdownSettings): number {
  return Math.max(0, (s.gracePeriodSeconds - s.handoverReserveSeconds) * 1000);
}
