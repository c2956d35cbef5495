/**
 * The recommendation: what demand, the warm pool, the idle rules and the bounds ask for right now,
 * before stabilization and step limits. It is what the history remembers.
 */
import type { GenerationPoolSpec } from "../resource/index.ts";
import { backlogWorkers, isUrgent } from "./demand.ts";
import { isIdle, secondsUntilZeroAllowed } from "./idle.ts";
import { rateWorkers } from "./rate.ts";
import type { DecisionReason, EffectiveBounds, LimitedBy, QueueFigures, WorkerFigures } from "./types.ts";

/** A worker count and why. */
export interface Recommendation {
  workers: number;
  reason: DecisionReason;
  limitedBy: LimitedBy;
  /** The pool goes to zero because it has been idle long enough: no stabilization or step applies. */
  toZero: boolean;
  /** Seconds until the idle delay ends, while it is what keeps a worker. */
  idleRequeueSeconds: number | undefined;
}

/** Inputs of recommend(). */
export interface RecommendInput {
  spec: GenerationPoolSpec;
  queue: QueueFigures;
  workers: WorkerFigures;
  bounds: EffectiveBounds;
}

function demandPart(input: RecommendInput): Recommendation {
  const { spec, queue, workers, bounds } = input;
  const byBacklog = backlogWorkers(queue, spec, workers.busy);
  const byRate = rateWorkers(queue);
  const backlog = Math.max(byBacklog, byRate);
  const reason = byRate > byBacklog ? "arrival-rate" : isUrgent(queue, spec) ? "urgent-backlog" : "backlog";
  const warm = workers.busy + bounds.warmIdle;
  const warmReason = bounds.warmIdle > 0 ? "warm-pool" : "busy-workers";
  if (warm > backlog) return { workers: warm, reason: warmReason, limitedBy: "none", toZero: false, idleRequeueSeconds: undefined };
  return { workers: backlog, reason, limitedBy: "none", toZero: false, idleRequeueSeconds: undefined };
}

const idleAt = (workers: number, reason: DecisionReason, toZero: boolean): Recommendation => ({ workers, reason, limitedBy: "none", toZero, idleRequeueSeconds: undefined });

function idlePart(input: RecommendInput, idleSince: number | null, now: number): Recommendation | undefined {
  const { spec, queue, workers, bounds } = input;
  if (!isIdle(queue, workers.busy) || bounds.min > 0) return undefined;
  const left = secondsUntilZeroAllowed(spec, idleSince ?? now, now) ?? 0;
  if (left === 0) return idleAt(0, workers.current === 0 ? "idle" : "idle-to-zero", true);
  // A pool already at zero stays there until a job arrives: a warm pool is kept for an active pool,
  // not started for an idle one (an operator restart would otherwise wake a GPU for the idle delay).
  if (workers.current === 0) return idleAt(0, "idle", false);
  const keep = Math.max(1, bounds.warmIdle);
  return { workers: keep, reason: keep > 1 ? "warm-pool" : "idle-delay", limitedBy: "idle-delay", toZero: false, idleRequeueSeconds: left };
}

function clampToBounds(r: Recommendation, bounds: EffectiveBounds, busy: number): Recommendation {
  const boundReason = (plain: DecisionReason): DecisionReason => (bounds.schedule === undefined ? plain : "schedule");
  let out = r;
  if (out.workers < bounds.min) out = { ...out, workers: bounds.min, reason: boundReason("min-bound"), toZero: false };
  if (out.workers > bounds.max) out = { ...out, workers: bounds.max, reason: boundReason("max-bound"), limitedBy: "max" };
  // Never below the busy workers, even above max (e.g. just after max was lowered): see decide.ts.
  if (busy > out.workers) out = { ...out, workers: busy, reason: "busy-workers", limitedBy: busy > bounds.max ? "busy-workers" : out.limitedBy };
  return out;
}

/**
 * desired = max(backlog workers, arrival-rate workers, busy + warmIdle), clamped to [min, max], never below busy. An idle
 * pool allowed to reach zero keeps max(1, warmIdle) workers until the idle delay has passed, then 0.
 */
export function recommend(input: RecommendInput, idleSince: number | null, now: number): Recommendation {
  const base = idlePart(input, idleSince, now) ?? demandPart(input);
  return clampToBounds(base, input.bounds, input.workers.busy);
}
