/**
 * Demand: how many jobs want a worker, and how many workers that is.
 *
 * Active jobs are counted together with queued ones (ceil((queued + active) / target)), not as one
 * worker each plus ceil(queued / target). A worker taking a job moves it from queued to active;
 * with the sum, that leaves the recommendation unchanged. Counting active jobs separately would
 * turn every pickup into a reason for more workers (a queued job weighs 1/target of a worker, an
 * active one a whole worker) until every job had its own worker and the target meant nothing.
 * Busy workers are protected by a floor instead (recommend.ts), so nothing running is removed.
 * The design's figure holds: 50 queued jobs at target 5 ask for 10 workers.
 */
import type { GenerationPoolSpec } from "../resource/index.ts";
import type { QueueFigures } from "./types.ts";

/** Jobs waiting for a worker now or within the lead time; 0 while the BullMQ queue is paused (no worker could take them). */
export function queuedJobs(queue: QueueFigures): number {
  return queue.paused ? 0 : queue.waiting + queue.prioritized + queue.delayedSoon;
}

/** waiting + prioritized + delayedSoon + active. */
export function demandOf(queue: QueueFigures): number {
  return queuedJobs(queue) + queue.active;
}

/** True when the oldest waiting job has waited longer than the objective (and the queue can be served). */
export function isUrgent(queue: QueueFigures, spec: GenerationPoolSpec): boolean {
  return !queue.paused && queuedJobs(queue) > 0 && queue.oldestWaitingSeconds > spec.queueWaitObjectiveSeconds;
}

/**
 * Workers the backlog asks for. Normally ceil(demand / target). When urgent, the jobs already
 * running are taken as given (one worker each) and the queued ones count `urgentMultiplier` times:
 * busy + ceil(queued * multiplier / target), never less than the normal figure.
 */
export function backlogWorkers(queue: QueueFigures, spec: GenerationPoolSpec, busy: number): number {
  const target = spec.targetBacklogPerWorker;
  const normal = Math.ceil(demandOf(queue) / target);
  if (!isUrgent(queue, spec)) return normal;
  const running = Math.max(busy, queue.active);
  return Math.max(normal, running + Math.ceil((queuedJobs(queue) * spec.scaleUp.urgentMultiplier) / target));
}
