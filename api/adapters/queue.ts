/** Enqueueing generation jobs (adapter over BullMQ). */
import type { JobsOptions, Queue } from "bullmq";
import type { JobData } from "../../worker/job/schema.ts";
import type { JobStatus, QueueInspector } from "../recovery.ts";
import { within } from "../within.ts";

/** What the API needs from the job queue. */
export interface JobQueue {
  /**
   * Adds the jobs, each with jobId = generationId, in one round trip (BullMQ's addBulk: one
   * MULTI); a second add with the same id is a no-op.
   */
  addAll(data: readonly JobData[]): Promise<void>;
}

/** Retry policy given to every job. */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** Job name of every generation job. */
export const JOB_NAME = "generate";

/** Options of the job of `data`: jobId = generation id, the retry policy, retention. */
export function jobOptions(data: JobData, retry: RetryPolicy): JobsOptions {
  return {
    jobId: data.generationId,
    attempts: retry.attempts,
    backoff: { type: "exponential", delay: retry.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  };
}

/** JobQueue on a BullMQ queue; an add that takes more than `timeoutMs` fails. */
export function bullJobQueue(queue: Queue<JobData>, retry: RetryPolicy, timeoutMs = 3000): JobQueue {
  return {
    addAll: async (jobs) => {
      if (jobs.length === 0) return;
      const bulk = jobs.map((data) => ({ name: JOB_NAME, data, opts: jobOptions(data, retry) }));
      // BullMQ waits for a connection before adding: bound that wait.
      await within(queue.addBulk(bulk), timeoutMs, `queue did not answer within ${timeoutMs} ms`);
    },
  };
}

/** QueueInspector on a BullMQ queue (getJobState per id, sent together); bounded by `timeoutMs`. */
export function bullQueueInspector(queue: Queue<JobData>, timeoutMs = 10_000): QueueInspector {
  const status = async (id: string): Promise<JobStatus> => {
    const state = await queue.getJobState(id);
    if (state === "unknown") return { state: "missing" };
    if (state !== "failed") return { state: "present" };
    const job = await queue.getJob(id);
    return job ? { state: "failed", reason: job.failedReason || "no reason recorded" } : { state: "missing" };
  };
  return {
    statuses: async (ids) => {
      const all = Promise.all(ids.map(async (id) => [id, await status(id)] as const));
      return new Map(await within(all, timeoutMs, `queue did not answer within ${timeoutMs} ms`));
    },
  };
}
