/**
 * The job queue: first in, first out, except that a job handed back by an interrupted worker goes
 * to the front (it is the oldest work and BullMQ retries it first). Waiting time is summed over
 * every spell a job spends in the queue.
 */
import type { Job } from "./trace.ts";

/** A job in the queue or on a worker. */
export interface QueuedJob {
  job: Job;
  /** When the job last entered the queue. */
  enqueuedS: number;
  /** Seconds spent waiting before this spell. */
  waitedS: number;
  /** Attempts started so far. */
  attempts: number;
}

/** The waiting jobs. */
export class JobQueue {
  private readonly fresh: QueuedJob[] = [];
  private head = 0;
  private readonly retried: QueuedJob[] = [];

  /** A new arrival. */
  add(job: Job, nowS: number): void {
    this.fresh.push({ job, enqueuedS: nowS, waitedS: 0, attempts: 0 });
  }

  /** A job handed back by a worker. */
  requeue(q: QueuedJob, nowS: number): void {
    this.retried.push({ ...q, enqueuedS: nowS });
  }

  /** Takes the next job, or undefined. */
  take(nowS: number): QueuedJob | undefined {
    const q = this.retried.shift() ?? this.fresh[this.head];
    if (q === undefined) return undefined;
    if (q === this.fresh[this.head]) {
      this.fresh[this.head] = undefined as unknown as QueuedJob;
      this.head++;
    }
    return { ...q, waitedS: q.waitedS + (nowS - q.enqueuedS), attempts: q.attempts + 1 };
  }

  get waiting(): number {
    return this.fresh.length - this.head + this.retried.length;
  }

  /** Age of the oldest waiting job, counted from its arrival. */
  oldestWaitS(nowS: number): number {
    const arrivals = [this.retried[0]?.job.arrivalS, this.fresh[this.head]?.job.arrivalS].filter((x) => x !== undefined);
    return arrivals.length === 0 ? 0 : nowS - Math.min(...arrivals);
  }
}
