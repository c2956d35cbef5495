/** Builds Observations for tests and replays: a defaulted spec, an empty queue and idle workers unless told otherwise. */
import { parseGenerationPoolSpec } from "../resource/index.ts";
import type { HistoryEntry, Observation, QueueFigures, WorkerFigures } from "./types.ts";

/** Overrides for observation(); `spec` is raw (defaults applied). */
export interface ObservationParts {
  spec?: Record<string, unknown>;
  queue?: Partial<QueueFigures> | undefined;
  workers?: Partial<WorkerFigures>;
  idleSince?: number | null;
  history?: HistoryEntry[];
  now?: number;
}

/** An empty queue. */
export const emptyQueue: QueueFigures = { waiting: 0, prioritized: 0, active: 0, delayedSoon: 0, paused: false, oldestWaitingSeconds: 0 };

/** Monday 2026-11-23 12:00 UTC. */
export const NOON = Date.parse("2026-11-23T12:00:00Z");

/** An Observation: max 100 workers, no history, `now` = NOON. `queue: undefined` means Redis could not be read. */
export function observation(parts: ObservationParts = {}): Observation {
  const spec = parseGenerationPoolSpec({ workload: { deploymentName: "genpool-worker" }, replicas: { max: 100 }, ...parts.spec });
  const queue = "queue" in parts && parts.queue === undefined ? undefined : { ...emptyQueue, ...parts.queue };
  return {
    spec,
    queue,
    workers: { current: 0, ready: 0, busy: 0, ...parts.workers },
    idleSince: parts.idleSince ?? null,
    history: parts.history ?? [],
    now: parts.now ?? NOON,
  };
}

/** A history entry `secondsAgo` before NOON. */
export function past(secondsAgo: number, recommended: number, decided = recommended): HistoryEntry {
  return { at: NOON - secondsAgo * 1000, recommended, decided };
}
