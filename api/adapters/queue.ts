/** Enqueueing generation jobs (adapter over BullMQ). */
import type { JobsOptions, Queue } from "bullmq";
import type { JobData } from "../../worker/job/schema.ts";

/** What the API needs from the job queue. */
export interface JobQueue {
  /** Adds the job with jobId = generationId; a second add with the same id is a no-op. */
  add(data: JobData): Promise<void>;
}

/** Retry policy given to every job. */
export interface RetryPolicy {
  attempts: number;
  backoffMs: number;
}

/** Rejects when `p` takes longer than `ms` (BullMQ waits for a connection before adding). */
async function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`queue did not answer within ${ms} ms`)), ms);
  });
  // If the timeout wins, p may still reject later: observe it so it is not an unhandled rejection.
  p.catch(() => undefined);
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
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
    add: async (data) => {
      await within(queue.add(JOB_NAME, data, jobOptions(data, retry)), timeoutMs);
    },
  };
}
