/**
 * When the planner must look again although nothing in the cluster changed: a timer it keeps
 * (spot fallback, end of slow start, an idle node reaching the scale-down delay) falls due.
 * Node and pod changes trigger a reconcile on their own.
 */
import type { GroupState } from "./group-state.ts";
import type { NodePolicy } from "./types.ts";

/** Without a pending timer the plan is still re-checked this often (a safety net). */
export const resyncSeconds = 60;

/** Inputs of the requeue computation. */
export interface RequeueInput {
  now: number;
  policy: NodePolicy;
  states: readonly GroupState[];
  idleSince: Readonly<Record<string, number>>;
}

/** Seconds until the earliest due timer, at least 1, at most the resync period. */
export function requeueAfterSeconds({ now, policy, states, idleSince }: RequeueInput): number {
  const fallbackMs = policy.spotFallbackDelaySeconds * 1000;
  const due: number[] = [];
  for (const s of states) {
    const spot = s.obs.spec.capacityType === "spot";
    if (spot && !s.degraded && s.memory.shortfallSince !== null) due.push(s.memory.shortfallSince + fallbackMs);
    if (s.growthLimit !== null && s.memory.recoveredAt !== null) due.push(s.memory.recoveredAt + fallbackMs);
  }
  for (const since of Object.values(idleSince)) due.push(since + policy.nodeScaleDownDelaySeconds * 1000);
  const future = due.filter((at) => at > now);
  if (future.length === 0) return resyncSeconds;
  const seconds = Math.ceil((Math.min(...future) - now) / 1000);
  return Math.min(resyncSeconds, Math.max(1, seconds));
}
