/**
 * Worker entrypoint: one BullMQ worker named after its pod, concurrency 1, driving one
 * generator (InvokeAI sidecar or procedural). SIGTERM: stop taking jobs, finish the current
 * one if it fits in the grace period, otherwise cancel it and hand it back to the queue.
 */
import { pino } from "pino";
import { migrate } from "../api/db/migrate.ts";
import type { Backend } from "./backend.ts";
import { loadWorkerConfig, type WorkerConfig } from "./config.ts";
import { ConfigError } from "./config/env.ts";
import { BusyRegistry } from "./adapters/busy.ts";
import { createPool } from "./adapters/pg.ts";
import { bullProcessor, createWorker, createWorkerRedis } from "./adapters/redis.ts";
import { createS3, objectSize, putImage } from "./adapters/s3.ts";
import { InvokeAIClient } from "./invokeai/client.ts";
import { InvokeAIBackend } from "./invokeai/backend.ts";
import { proceduralBackend } from "./procedural/backend.ts";
import { processGeneration, type ObjectStore } from "./process/processor.ts";
import { finishWithinMs, parseStopBy } from "./process/shutdown.ts";
import { stopByKey } from "./job/keys.ts";
import { GenerationStore } from "./store.ts";
import { serveHealth, type WorkerState } from "./http/health.ts";
import { WorkerMetrics } from "./http/metrics.ts";

function config(): WorkerConfig {
  try {
    return loadWorkerConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

const cfg = config();
const log = pino({ name: "genpool-worker", base: { pod: cfg.POD_NAME, queue: cfg.QUEUE_NAME } });

function backendFor(c: WorkerConfig): Backend {
  if (c.BACKEND === "procedural") return proceduralBackend();
  const client = new InvokeAIClient({ baseUrl: c.INVOKEAI_URL ?? "", requestTimeoutMs: c.INVOKEAI_REQUEST_TIMEOUT_SECONDS * 1000 });
  return new InvokeAIBackend(client, { pollMs: c.POLL_INTERVAL_MS, timeoutMs: c.GENERATION_TIMEOUT_SECONDS * 1000 }, log);
}

/** Readiness as the probe sees it: set as the worker starts, runs and stops. */
class Readiness implements WorkerState {
  generatorReady = false;
  stopping = false;
  worker: { isRunning(): boolean } | undefined;
  constructor(private readonly redis: { status: string }) {}

  notReady(): string | null {
    if (this.stopping) return "stopping";
    if (!this.generatorReady) return "waiting for the generator";
    if (this.redis.status !== "ready") return `redis is ${this.redis.status}`;
    return this.worker?.isRunning() === true ? null : "queue worker not running";
  }
}

/** The kill time the operator announced for this pod (interruption rescue), or null; never waits more than 500 ms. */
async function announcedStopBy(redis: { get(key: string): Promise<string | null> }): Promise<number | null> {
  const read = redis.get(stopByKey(cfg.QUEUE_NAME, cfg.POD_NAME, cfg.QUEUE_PREFIX)).then(parseStopBy, () => null);
  const late = new Promise<null>((resolve) => setTimeout(() => resolve(null), 500).unref());
  return Promise.race([read, late]);
}

async function main(): Promise<void> {
  const pool = createPool(cfg);
  await migrate(pool);
  const redis = createWorkerRedis(cfg);
  const metrics = new WorkerMetrics();
  const readiness = new Readiness(redis);
  const health = cfg.HEALTH_PORT === 0 ? undefined : await serveHealth(cfg.HEALTH_PORT, readiness, metrics);
  const busy = new BusyRegistry(redis, { queueName: cfg.QUEUE_NAME, prefix: cfg.QUEUE_PREFIX }, cfg.POD_NAME);
  const s3 = createS3(cfg);
  const objects: ObjectStore = {
    put: (key, body, metadata) => putImage(s3, { bucket: cfg.S3_BUCKET, key, body, contentType: "image/png", metadata }),
    size: (key) => objectSize(s3, cfg.S3_BUCKET, key),
  };
  const backend = backendFor(cfg);
  const stopping = new AbortController();
  process.once("SIGTERM", () => stopping.abort());
  process.once("SIGINT", () => stopping.abort());

  try {
    await backend.ready(stopping.signal);
  } catch (err) {
    if (!stopping.signal.aborted) throw err;
    await Promise.allSettled([redis.quit(), pool.end()]);
    health?.close();
    return; // stopped before taking any job
  }
  readiness.generatorReady = true;
  const purged = await busy.purgeStale();
  const ports = { records: new GenerationStore(pool), objects, backend, log };
  const worker = createWorker(cfg, { podName: cfg.POD_NAME, lockDurationMs: cfg.LOCK_DURATION_MS }, bullProcessor((run) => processGeneration(run, ports), busy));
  readiness.worker = worker;
  worker.on("completed", (job) => {
    metrics.finished("completed", job);
    log.info({ jobId: job.id }, "Job completed");
  });
  worker.on("failed", (job, err) => {
    if (job) metrics.finished("failed", job);
    log.warn({ jobId: job?.id, reason: err.message, attemptsMade: job?.attemptsMade }, "Job failed");
  });
  worker.on("error", (err) => log.error({ err: err.message }, "Worker error"));

  const shutdown = async (): Promise<void> => {
    readiness.stopping = true;
    const closing = worker.close(); // takes no new job from here on; resolves when the running one ends
    const stopBy = await announcedStopBy(redis);
    const withinMs = finishWithinMs({ gracePeriodSeconds: cfg.GRACE_PERIOD_SECONDS, handoverReserveSeconds: cfg.HANDOVER_RESERVE_SECONDS }, { now: Date.now(), stopBy });
    log.info({ finishWithinMs: withinMs, announcedStopBy: stopBy }, "Stopping: no new jobs");
    const giveBack = setTimeout(() => {
      log.warn({}, "Grace period running out: handing the current job back");
      worker.cancelAllJobs("shutdown");
    }, withinMs);
    await closing;
    clearTimeout(giveBack);
    await Promise.allSettled([redis.quit(), pool.end()]);
    health?.close();
    s3.destroy();
    log.info({}, "Stopped");
  };
  const stopped = new Promise<void>((resolve) => stopping.signal.addEventListener("abort", () => void shutdown().then(resolve), { once: true }));
  if (stopping.signal.aborted) return void (await shutdown());
  log.info({ purgedBusyEntries: purged, backend: cfg.BACKEND, healthPort: cfg.HEALTH_PORT }, "Worker started");
  await Promise.all([worker.run(), stopped]);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log.fatal({ err }, "Worker crashed");
    process.exit(1);
  },
);
