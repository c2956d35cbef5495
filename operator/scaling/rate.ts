/**
 * Rate demand (Little's law): jobs arriving at λ per second, each holding a worker for S seconds on
 * average, keep λ·S workers busy. The backlog term (demand.ts) only sees jobs already queued, so at
 * the start of a burst it asks for enough workers only once the queue has grown to target × that
 * number; GPU nodes take minutes to boot, so those tens of seconds of queue are paid again in boot
 * time. The rate term asks for the steady-state concurrency as soon as the arrivals show it.
 *
 * Both figures are optional observations (a trailing window of jobs added and completed, read by
 * the queue reader); without them the term is 0 and decide() behaves as the backlog alone.
 */
import type { QueueFigures } from "./types.ts";

/** Guards against ceil() turning 15.000000001 into 16. */
const EPSILON = 1e-9;

function checked(field: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value < 0) throw new Error(`queue.${field} is ${value}; allowed: a finite number >= 0, or absent`);
  return value;
}

/** ceil(arrivalsPerSecond × meanServiceSeconds); 0 when either figure is absent or the BullMQ queue is paused. */
export function rateWorkers(queue: QueueFigures): number {
  const rate = checked("arrivalsPerSecond", queue.arrivalsPerSecond);
  const service = checked("meanServiceSeconds", queue.meanServiceSeconds);
  if (rate === undefined || service === undefined || queue.paused) return 0;
  return Math.max(0, Math.ceil(rate * service - EPSILON));
}
