/** Redis connections and BullMQ queues/workers (adapter: the only place bullmq and ioredis are built). */
import { Queue, UnrecoverableError, WaitingError, Worker, type Processor } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";
import type { RedisConfig } from "../config/env.ts";
import type { JobData } from "../job/schema.ts";
import { HandBack, PermanentError } from "../errors.ts";
import type { JobRun } from "../process/processor.ts";
import type { BusyRegistry } from "./busy.ts";

export type { Job } from "bullmq";
export { Redis } from "ioredis";

/** ioredis options for the configured server. */
export function redisOptions(cfg: RedisConfig): RedisOptions {
  return {
    host: cfg.REDIS_HOST,
    port: cfg.REDIS_PORT,
    password: cfg.REDIS_PASSWORD || undefined,
    tls: cfg.REDIS_TLS ? {} : undefined,
  };
}

/**
 * Options for request-path clients (API): fail fast while Redis is unreachable (one reconnect
 * attempt, 2 s command timeout), so a request gets a 503 instead of hanging.
 */
export function producerOptions(cfg: RedisConfig): RedisOptions {
  return {
    ...redisOptions(cfg),
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
}

/** A client for API-side commands (rate limits, readiness). */
export function createProducerRedis(cfg: RedisConfig): Redis {
  const redis = new Redis(producerOptions(cfg));
  redis.on("error", () => undefined); // reported through failing commands and /api/v1/health
  return redis;
}

/** A client for worker-side commands: waits out outages (commands queue until Redis is back). */
export function createWorkerRedis(cfg: RedisConfig): Redis {
  const redis = new Redis({ ...redisOptions(cfg), maxRetriesPerRequest: null });
  redis.on("error", () => undefined);
  return redis;
}

/** The generation queue, as a producer. */
export function createQueue(cfg: RedisConfig): Queue<JobData> {
  const queue = new Queue<JobData>(cfg.QUEUE_NAME, { connection: producerOptions(cfg), prefix: cfg.QUEUE_PREFIX });
  queue.on("error", () => undefined);
  return queue;
}

/** Options of a generation worker. */
export interface WorkerOptions {
  podName: string;
  lockDurationMs: number;
}

/**
 * A BullMQ worker named after its pod (CLIENT SETNAME `{prefix}:{base64(queue)}:w:{podName}`),
 * concurrency 1 (one InvokeAI per GPU), not started until `run()`.
 */
export function createWorker(cfg: RedisConfig, opts: WorkerOptions, processor: Processor<JobData>): Worker<JobData> {
  return new Worker<JobData>(cfg.QUEUE_NAME, processor, {
    connection: { ...redisOptions(cfg), maxRetriesPerRequest: null },
    prefix: cfg.QUEUE_PREFIX,
    name: opts.podName,
    concurrency: 1,
    autorun: false,
    lockDuration: opts.lockDurationMs,
    stalledInterval: opts.lockDurationMs,
    maxStalledCount: 3,
  });
}

/**
 * Adapts a processor of JobRun to BullMQ: records the busy pod while the job runs, maps
 * PermanentError to UnrecoverableError and HandBack to "back to the wait list at once".
 */
export function bullProcessor<R>(fn: (run: JobRun) => Promise<R>, busy: BusyRegistry): Processor<JobData, R> {
  return async (job, token, signal) => {
    const id = job.id ?? "";
    await busy.mark(id);
    try {
      return await fn({
        id,
        data: job.data,
        attemptsMade: job.attemptsMade,
        maxAttempts: job.opts.attempts ?? 1,
        signal: signal ?? new AbortController().signal,
        reportProgress: (p) => job.updateProgress(p),
      });
    } catch (err) {
      if (err instanceof HandBack && token) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      if (err instanceof PermanentError) throw new UnrecoverableError(err.message);
      throw err;
    } finally {
      await busy.clear(id);
    }
  };
}
