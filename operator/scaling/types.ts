/**
 * Inputs and outputs of decide(). Plain data, times in ms since the epoch (like operator/clock.ts):
 * the operator, the tests and the benchmark replay fill an Observation and keep what the Decision
 * hands back (`history`, `idleSince`) for the next call.
 */
import type { GenerationPoolSpec, QueueStatus } from "../resource/index.ts";

/** Queue figures decide() reads; operator/queue's QueueDemand is assignable to it. */
export type QueueFigures = Pick<QueueStatus, "waiting" | "prioritized" | "active" | "delayedSoon" | "paused" | "oldestWaitingSeconds"> & RateFigures;

/**
 * Optional arrival figures for the rate term (rate.ts). Absent: decide() uses the backlog alone.
 * A reader fills both from the same trailing window (about 15 s of jobs added; completed jobs'
 * processedOn -> finishedOn for the service time).
 */
export interface RateFigures {
  /** Jobs added to the queue per second over the trailing window. */
  arrivalsPerSecond?: number;
  /** Mean seconds a job holds a worker (processedOn to finishedOn) over recent completions. */
  meanServiceSeconds?: number;
}

/** Worker counts the operator observed. */
export interface WorkerFigures {
  /** The worker Deployment's spec.replicas. */
  current: number;
  /** Ready worker pods (informational: pods not ready yet still count as capacity on the way). */
  ready: number;
  /** Active jobs held by a registered worker pod: these pods must not be removed. */
  busy: number;
}

/**
 * One past decision. decide() returns the list pruned to the longest window it needs; the caller
 * keeps it in memory and passes it back. After a restart, start from `initialHistory()`.
 */
export interface HistoryEntry {
  /** ms epoch of the decision (consecutive equal entries are merged into the latest). */
  at: number;
  /** What the bounds and demand asked for, before stabilization and step limits. */
  recommended: number;
  /** The worker count decided. */
  decided: number;
}

/** Everything decide() reads. */
export interface Observation {
  spec: GenerationPoolSpec;
  /** undefined when Redis could not be read: the pool then holds (never scales in on missing data). */
  queue: QueueFigures | undefined;
  workers: WorkerFigures;
  /** ms epoch since which the pool has had no demand and no busy worker; null while it has. */
  idleSince: number | null;
  history: readonly HistoryEntry[];
  /** ms epoch. */
  now: number;
}

/** Why the pool has the size it has. */
export type DecisionReason =
  | "paused"
  | "queue-unreachable"
  | "backlog"
  | "urgent-backlog"
  | "arrival-rate"
  | "warm-pool"
  | "min-bound"
  | "max-bound"
  | "schedule"
  | "busy-workers"
  | "stabilizing"
  | "idle-delay"
  | "idle-to-zero"
  | "idle";

/** What held the worker count back from the recommendation, if anything. */
export type LimitedBy = "none" | "max" | "step" | "stabilization" | "busy-workers" | "idle-delay";

/** The replica bounds in force at `now`. */
export interface EffectiveBounds {
  min: number;
  max: number;
  warmIdle: number;
  /** Name of the schedule that set them; undefined for the spec's own bounds. */
  schedule: string | undefined;
}

/** decide()'s answer. */
export interface Decision {
  /** Desired worker Deployment replicas. */
  workers: number;
  reason: DecisionReason;
  limitedBy: LimitedBy;
  /** The next decision may differ without any new event after this long; undefined: only events change it. */
  requeueAfterSeconds: number | undefined;
  /** Keep and pass back as Observation.history. */
  history: HistoryEntry[];
  /** Keep and pass back as Observation.idleSince. */
  idleSince: number | null;
  /** waiting + prioritized + active + delayedSoon (queued part 0 while the queue is paused). */
  demand: number;
  /** The recommendation before stabilization and step limits. */
  recommended: number;
  bounds: EffectiveBounds;
}
