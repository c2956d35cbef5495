/** Test wiring for worker tests: in-process workers and worker child processes on a World. */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { Queue, type Job } from "bullmq";
import { pino } from "pino";
import { createWorld, type World } from "../api/test-support.ts";
import { FakeInvokeAI } from "../test/fakes/invokeai/server.ts";
import type { Backend } from "./backend.ts";
import type { Pool, PoolClient } from "./adapters/pg.ts";
import { BusyRegistry } from "./adapters/busy.ts";
import { bullProcessor, createWorker, createWorkerRedis } from "./adapters/redis.ts";
import { objectSize, putImage } from "./adapters/s3.ts";
import type { JobData } from "./job/schema.ts";
import { processGeneration } from "./process/processor.ts";
import { GenerationStore } from "./store.ts";

/** A BullMQ worker running processGeneration in this process. */
export async function inProcessWorker(world: World, backend: Backend, podName = "pod-a"): Promise<{ close: () => Promise<void> }> {
  const redis = createWorkerRedis(world.env);
  const busy = new BusyRegistry(redis, { queueName: world.env.QUEUE_NAME, prefix: "bull" }, podName);
  const ports = {
    records: new GenerationStore(world.db),
    objects: {
      put: (key: string, body: Buffer, metadata: Record<string, string>) => putImage(world.s3, { bucket: world.env.S3_BUCKET, key, body, contentType: "image/png", metadata }),
      size: (key: string) => objectSize(world.s3, world.env.S3_BUCKET, key),
    },
    backend,
    log: pino({ level: "silent" }),
  };
  await backend.ready(new AbortController().signal);
  const worker = createWorker(world.env, { podName, lockDurationMs: 5000 }, bullProcessor((run) => processGeneration(run, ports), busy));
  worker.on("error", () => undefined);
  void worker.run();
  await worker.waitUntilReady();
  return {
    close: async () => {
      await worker.close();
      redis.disconnect();
    },
  };
}

/** A generation job as the API builds it (user alice, category art), with overridden parameters. */
export function newJob(overrides: Partial<JobData["params"]> = {}): JobData {
  return {
    userId: "alice",
    generationId: randomUUID(),
    imageName: randomUUID(),
    category: "art",
    params: { prompt: "a lighthouse", negativePrompt: "", model: "sdxl-base", width: 256, height: 192, steps: 20, cfgScale: 7, scheduler: "euler", seed: 7, ...overrides },
  };
}

/** Writes the job's queued generation row through `db`: the pool, or a client inside a transaction. */
export async function insertGenerationRow(db: Pool | PoolClient, job: JobData): Promise<void> {
  await db.query(
    "INSERT INTO generations (id, user_id, status, category, image_name, params) VALUES ($1, $2, 'queued', $3, $4, $5)",
    [job.generationId, job.userId, job.category, job.imageName, JSON.stringify(job.params)],
  );
}

/** Adds the job as the API does (jobId = generation id), with a fixed 100 ms backoff. */
export async function addJob(queue: Queue, job: JobData, attempts = 3): Promise<void> {
  await queue.add("generate", job, { jobId: job.generationId, attempts, backoff: { type: "fixed", delay: 100 } });
}

/** Inserts a generation row and adds its job the way the API does. */
export async function enqueueGeneration(world: World, queue: Queue, overrides: Partial<JobData["params"]> = {}, attempts = 3): Promise<JobData> {
  const job = newJob(overrides);
  await insertGenerationRow(world.db, job);
  await addJob(queue, job, attempts);
  return job;
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 20_000, label = "condition"): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Generation row status, error and progress. */
export async function generation(world: World, id: string): Promise<{ status: string; error: string | null; progress: number; attempts: number }> {
  const res = await world.db.query<{ status: string; error: string | null; progress: number; attempts: number }>("SELECT status, error, progress, attempts FROM generations WHERE id = $1", [id]);
  return res.rows[0]!;
}

/** The generation row once its status is `status`. */
export async function generationIn(world: World, id: string, status: "completed" | "failed", timeoutMs = 20_000): Promise<Awaited<ReturnType<typeof generation>>> {
  return eventually(async () => {
    const row = await generation(world, id);
    return row.status === status ? row : null;
  }, timeoutMs, `generation ${status}`);
}

/** The BullMQ job once BullMQ has recorded it `state`; the worker writes the generation row just before. */
export async function jobIn(queue: Queue, id: string, state: "completed" | "failed", timeoutMs = 10_000): Promise<Job> {
  await eventually(async () => (await (await queue.getJob(id))?.getState()) === state, timeoutMs, `job ${state}`);
  return (await queue.getJob(id))!;
}

/** Keys of every object in the world's bucket. */
export async function objectKeys(world: World): Promise<string[]> {
  const res = await world.s3.send(new ListObjectsV2Command({ Bucket: world.env.S3_BUCKET }));
  return (res.Contents ?? []).map((o) => o.Key ?? "");
}

/**
 * A worker process on the world, with extra env: `worker/main.ts` through tsx, or the built
 * bundle when GENPOOL_WORKER_ENTRY names it (e.g. build/worker/main.mjs).
 */
export function spawnWorker(world: World, env: Record<string, string>): ChildProcess & { output: () => string } {
  let output = "";
  const built = process.env.GENPOOL_WORKER_ENTRY;
  const child = spawn(process.execPath, built ? [built] : ["--import", "tsx", "worker/main.ts"], {
    env: {
      PATH: process.env.PATH ?? "",
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "test",
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
      AWS_REGION: world.env.AWS_REGION,
      AWS_ENDPOINT_URL: world.env.AWS_ENDPOINT_URL ?? "",
      S3_BUCKET: world.env.S3_BUCKET,
      DB_HOST: world.env.DB_HOST,
      DB_PORT: String(world.env.DB_PORT),
      DB_NAME: world.env.DB_NAME,
      DB_USER: world.env.DB_USER,
      DB_PASSWORD: world.env.DB_PASSWORD,
      DB_SCHEMA: world.schema,
      REDIS_HOST: world.env.REDIS_HOST,
      REDIS_PORT: String(world.env.REDIS_PORT),
      ...(world.env.REDIS_PASSWORD ? { REDIS_PASSWORD: world.env.REDIS_PASSWORD } : {}),
      QUEUE_NAME: world.env.QUEUE_NAME,
      POD_NAME: "worker-0",
      POLL_INTERVAL_MS: "100",
      LOCK_DURATION_MS: "2000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

/** Resolves with the exit code (or signal) of a child. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
}

/** A world, a producer queue on its Redis and a fake InvokeAI, all closed when the test ends. */
export interface WorkerTestContext {
  world: World;
  queue: Queue;
  fake: FakeInvokeAI;
}

/** Sets up a WorkerTestContext; teardown stops the fake, closes the queue and cleans the world. */
export async function useWorkerContext(t: { teardown: (fn: () => Promise<void> | void) => void }): Promise<WorkerTestContext> {
  const world = await createWorld();
  const queue = new Queue(world.env.QUEUE_NAME, { connection: { host: world.env.REDIS_HOST, port: world.env.REDIS_PORT, password: world.env.REDIS_PASSWORD } });
  const fake = await new FakeInvokeAI().start();
  t.teardown(async () => {
    await fake.stop();
    await queue.close();
    await world.cleanup();
  });
  return { world, queue, fake };
}
