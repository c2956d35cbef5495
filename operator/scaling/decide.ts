/**
 * decide(): observation in, desired worker count out. Pure: no clients, no clock, no logging.
 * The operator, the tests and the benchmark replay all call it.
 *
 * recommend (demand, warm pool, idle delay, bounds) -> stabilize (HPA-like windows) -> step limits
 * -> bounds again (a schedule change or a lowered max applies at once) -> never below busy workers.
 *
 * Busy workers above max (max lowered while they run): the pool stays at the busy count and takes
 * no new worker; it comes down as workers finish and fall idle. While a deep backlog keeps every
 * worker busy that can take as long as the backlog lasts; lowering max never interrupts a job.
 */
import { effectiveBounds } from "./bounds.ts";
import { demandOf, isUrgent } from "./demand.ts";
import { record } from "./history.ts";
import { isIdle, nextIdleSince } from "./idle.ts";
import { recommend, type Recommendation } from "./recommend.ts";
import { secondsUntilScheduleBoundary } from "./schedule.ts";
import { stabilize, type Stabilized } from "./stabilization.ts";
import { limitStep, type Stepped } from "./step.ts";
import type { Decision, DecisionReason, EffectiveBounds, LimitedBy, Observation, QueueFigures } from "./types.ts";

/** Retry hint while Redis cannot be read. */
export const QUEUE_UNREACHABLE_RETRY_SECONDS = 15;

function earliest(...seconds: (number | undefined)[]): number | undefined {
  const defined = seconds.filter((s): s is number => s !== undefined);
  return defined.length === 0 ? undefined : Math.max(1, Math.ceil(Math.min(...defined)));
}

function boundReason(bounds: EffectiveBounds, plain: DecisionReason): DecisionReason {
  return bounds.schedule === undefined ? plain : "schedule";
}

/** Paused: frozen at the current size. Queue unreachable: held, only raised to min (never scaled in on missing data). */
function hold(obs: Observation, bounds: EffectiveBounds): Decision {
  const current = obs.workers.current;
  const paused = obs.spec.paused;
  const workers = paused ? current : Math.max(current, bounds.min);
  const reason: DecisionReason = paused ? "paused" : workers > current ? boundReason(bounds, "min-bound") : "queue-unreachable";
  return {
    workers,
    reason,
    limitedBy: "none",
    requeueAfterSeconds: paused ? undefined : QUEUE_UNREACHABLE_RETRY_SECONDS,
    history: [...obs.history],
    idleSince: obs.idleSince,
    demand: obs.queue === undefined ? 0 : demandOf(obs.queue),
    recommended: workers,
    bounds,
  };
}

interface Steps {
  rec: Recommendation;
  stab: Stabilized;
  step: Stepped;
  final: number;
}

function explain({ rec, stab, step, final }: Steps, bounds: EffectiveBounds): { reason: DecisionReason; limitedBy: LimitedBy } {
  if (final > step.workers) return { reason: final === bounds.min ? boundReason(bounds, "min-bound") : "busy-workers", limitedBy: "none" };
  if (final < step.workers) return { reason: boundReason(bounds, "max-bound"), limitedBy: "max" };
  if (step.limited) return { reason: rec.reason, limitedBy: "step" };
  if (stab.held) return { reason: "stabilizing", limitedBy: "stabilization" };
  return { reason: rec.reason, limitedBy: rec.limitedBy };
}

function converge(obs: Observation, queue: QueueFigures, bounds: EffectiveBounds): Decision {
  const { spec, workers, now } = obs;
  const idleSince = nextIdleSince(isIdle(queue, workers.busy), obs.idleSince, now);
  const rec = recommend({ spec, queue, workers, bounds }, idleSince, now);
  const urgent = isUrgent(queue, spec);
  const window = { spec, current: workers.current, history: obs.history, now, skipUp: urgent, skipDown: rec.toZero };
  const stab = stabilize({ ...window, recommended: rec.workers });
  const step = limitStep({ ...window, target: stab.workers });
  const final = Math.max(workers.busy, Math.min(bounds.max, Math.max(bounds.min, step.workers)));
  const requeue = earliest(
    stab.held ? stab.requeueAfterSeconds : undefined,
    step.limited ? step.requeueAfterSeconds : undefined,
    rec.idleRequeueSeconds,
    secondsUntilScheduleBoundary(spec.schedules, now),
  );
  return {
    workers: final,
    ...explain({ rec, stab, step, final }, bounds),
    requeueAfterSeconds: requeue,
    history: record(obs.history, { at: now, recommended: rec.workers, decided: final }, spec),
    idleSince,
    demand: demandOf(queue),
    recommended: rec.workers,
    bounds,
  };
}

/** The desired worker count for a pool, why, and what to remember for the next call. */
export function decide(obs: Observation): Decision {
  const bounds = effectiveBounds(obs.spec, obs.now);
  if (obs.spec.paused || obs.queue === undefined) return hold(obs, bounds);
  return converge(obs, obs.queue, bounds);
}
