/** Enqueueing generation jobs (adapter over BullMQ). */
import type { JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
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

/**
 * QueueInspector on a BullMQ queue: per id, EXISTS on the job's hash and ZSCORE in the failed
 * set, pipelined (O(1) each; BullMQ's getJobState scans the wait list, O(backlog) per job), then
 * the reason of each failed one. Bounded by `timeoutMs`.
 */
export function bullQueueInspector(queue: Queue<JobData>, timeoutMs = 10_000): QueueInspector {
  const inspect = async (ids: readonly string[]): Promise<Map<string, JobStatus>> => {
    // BullMQ's client is an ioredis client; its own type leaves plain commands out of pipelines.
    const client = (await queue.client) as unknown as Redis;
    const probe = client.pipeline();
    for (const id of ids) probe.exists(queue.toKey(id)).zscore(queue.keys.failed!, id);
    const answers = await probe.exec();
    if (!answers) throw new Error("Redis gave no answer to the job probe");
    const out = new Map<string, JobStatus>();
    const failed: string[] = [];
    ids.forEach((id, i) => {
      const [[existsErr, exists], [scoreErr, score]] = [answers[2 * i]!, answers[2 * i + 1]!];
      const err = existsErr ?? scoreErr;
      if (err) throw err;
      if (exists === 0) out.set(id, { state: "missing" });
      else if (score === null) out.set(id, { state: "present" });
      else failed.push(id);
    });
    if (failed.length > 0) {
      const reasons = client.pipeline();
      for (const id of failed) reasons.hget(queue.toKey(id), "failedReason");
      const got = await reasons.exec();
      failed.forEach((id, i) => out.set(id, { state: "failed", reason: (got?.[i]?.[1] as string | null) || "no reason recorded" }));
    }
    return out;
  };
  return { statuses: (ids) => within(inspect(ids), timeoutMs, `queue did not answer within ${timeoutMs} ms`) };
}
