/**
 * Scale to zero. The pool is idle when nothing is queued or running and no worker is busy. The last
 * worker (and the warm pool) goes only after the pool has been idle for scaleToZeroDelaySeconds,
 * and only when the bounds in force allow zero (min 0): a schedule with min >= 1 keeps workers.
 */
import type { GenerationPoolSpec } from "../resource/index.ts";
import { demandOf } from "./demand.ts";
import type { QueueFigures } from "./types.ts";

/** The pool has no demand and no busy worker. */
export function isIdle(queue: QueueFigures, busy: number): boolean {
  return demandOf(queue) === 0 && busy === 0;
}

/** Next value of Observation.idleSince: kept while idle, started now when idleness begins, cleared otherwise. */
export function nextIdleSince(idle: boolean, previous: number | null, now: number): number | null {
  if (!idle) return null;
  return previous ?? now;
}

/** Seconds left before the pool may go to zero; 0 once it may. */
export function secondsUntilZeroAllowed(spec: GenerationPoolSpec, idleSince: number | null, now: number): number | undefined {
  if (idleSince === null) return undefined;
  const left = idleSince + spec.scaleDown.scaleToZeroDelaySeconds * 1000 - now;
  return Math.max(0, Math.ceil(left / 1000));
}
