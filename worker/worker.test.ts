import { spawn } from "node:child_process";
import { createServer as createNetServer } from "node:net";
import test, { type ExecutionContext } from "ava";
import { Queue } from "bullmq";
import { PNG } from "pngjs";
import { pino } from "pino";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { World } from "../api/test-support.ts";
import { FakeInvokeAI } from "../test/fakes/invokeai/server.ts";
import { InvokeAIClient } from "./invokeai/client.ts";
import { InvokeAIBackend } from "./invokeai/backend.ts";
import { busyHashKey, imageKey } from "./job/keys.ts";
import { proceduralBackend } from "./procedural/backend.ts";
import { createS3, objectSize } from "./adapters/s3.ts";
import { s3Unavailable, startAwsProxy, type Interceptor } from "../test/support/aws-proxy.ts";
import { processGeneration } from "./process/processor.ts";
import { GenerationStore } from "./store.ts";
import { createPool } from "./adapters/pg.ts";
import { PermanentError } from "./errors.ts";
import { freePorts } from "../sandbox/ports.ts";
import type { JobData } from "./job/schema.ts";
import { addJob, enqueueGeneration, eventually, exited, generation, generationIn, inProcessWorker, insertGenerationRow, jobIn, newJob, objectKeys, spawnWorker, useWorkerContext } from "./test-support.ts";

const setup = useWorkerContext;

/**
 * An in-process worker whose S3 traffic goes through a fault proxy in front of moto: `onImagePut`
 * decides each image upload (undefined passes it on). Returns how many image PUTs S3 was sent.
 */
async function workerWithS3Faults(t: ExecutionContext, world: World, onImagePut: () => ReturnType<Interceptor>): Promise<{ imagePuts: () => number }> {
  const isImagePut = (r: { method: string; path: string }): boolean => r.method === "PUT" && r.path.startsWith(`/${world.env.S3_BUCKET}/users/`);
  const proxy = await startAwsProxy(world.env.AWS_ENDPOINT_URL ?? "", (r) => (isImagePut(r) ? onImagePut() : undefined));
  const s3 = createS3({ ...world.env, AWS_ENDPOINT_URL: proxy.endpoint });
  t.teardown(async () => {
    s3.destroy();
    await proxy.close();
  });
  const worker = await inProcessWorker({ ...world, s3 }, proceduralBackend());
  t.teardown(worker.close);
  return { imagePuts: () => proxy.seen.filter(isImagePut).length };
}

const invokeai = (fake: FakeInvokeAI, timeoutMs = 20_000): InvokeAIBackend =>
  new InvokeAIBackend(new InvokeAIClient({ baseUrl: fake.url, retryDelayMs: 20 }), { pollMs: 20, timeoutMs }, pino({ level: "silent" }));

async function storedPng(world: World, key: string): Promise<PNG> {
  const obj = await world.s3.send(new GetObjectCommand({ Bucket: world.env.S3_BUCKET, Key: key }));
  t_assertSse(obj.ServerSideEncryption);
  return PNG.sync.read(Buffer.from(await obj.Body!.transformToByteArray()));
}
function t_assertSse(sse: string | undefined): void {
  if (sse !== "AES256") throw new Error(`object is not encrypted with SSE (got ${String(sse)})`);
}

test("[integration] InvokeAI backend: a job becomes one encrypted PNG at the deterministic key, one image row, a completed generation", async (t) => {
  const { world, queue, fake } = await setup(t);
  const worker = await inProcessWorker(world, invokeai(fake));
  t.teardown(worker.close);
  const job = await enqueueGeneration(world, queue);
  await generationIn(world, job.generationId, "completed");
  const key = imageKey("alice", "art", job.imageName);
  t.deepEqual(await objectKeys(world), [key]);
  t.false(key.endsWith(".png.png"));
  const png = await storedPng(world, key);
  t.is(png.width / png.height, 256 / 192, "the PNG keeps the requested size ratio");
  const rows = await world.db.query("SELECT name, s3_key, size_bytes, width, height FROM images");
  t.is(rows.rowCount, 1);
  t.like(rows.rows[0], { name: job.imageName, s3_key: key });
  t.like(await generation(world, job.generationId), { progress: 100, error: null });
  t.is(fake.enqueued, 1);
  t.deepEqual(fake.listItems(), [], "items are deleted from InvokeAI after upload");
  t.deepEqual(fake.imageNames(), [], "images are deleted from InvokeAI after upload");
  const graph = fake.calls.filter((c) => c.includes("enqueue_batch"));
  t.is(graph.length, 1);
});

test("[integration] InvokeAI enqueue failing: retried with backoff, then failed with a readable reason", async (t) => {
  const { world, queue, fake } = await setup(t);
  fake.scenario.enqueueErrors = Infinity;
  const worker = await inProcessWorker(world, invokeai(fake));
  t.teardown(worker.close);
  const job = await enqueueGeneration(world, queue, {}, 3);
  const g = await generationIn(world, job.generationId, "failed");
  t.regex(g.error ?? "", /^failed after 3 attempt\(s\): InvokeAI unavailable: InvokeAI \/api\/v1\/queue\/default\/enqueue_batch answered 500: .*database is locked/);
  t.is(g.attempts, 3);
  // The row is marked failed just before BullMQ records the last attempt.
  t.is((await jobIn(queue, job.generationId, "failed")).attemptsMade, 3);
  t.is(fake.calls.filter((c) => c.endsWith("enqueue_batch")).length, 9, "3 attempts × 3 HTTP tries each");
  t.deepEqual(await objectKeys(world), []);
});

test("[integration] InvokeAI item failing with OOM is retried; a later success stores exactly one image", async (t) => {
  const { world, queue, fake } = await setup(t);
  fake.scenario.ending = { kind: "fail", errorType: "OutOfMemoryError", errorMessage: "CUDA out of memory" };
  const worker = await inProcessWorker(world, invokeai(fake));
  t.teardown(worker.close);
  const job = await enqueueGeneration(world, queue, {}, 3);
  await eventually(() => fake.enqueued >= 1, 10_000, "first enqueue");
  fake.scenario.ending = { kind: "complete" };
  await generationIn(world, job.generationId, "completed");
  t.is(fake.enqueued, 2);
  t.is((await objectKeys(world)).length, 1);
});

test("[integration] a model InvokeAI does not have fails at once, naming the model and what is installed", async (t) => {
  const { world, queue, fake } = await setup(t);
  const worker = await inProcessWorker(world, invokeai(fake));
  t.teardown(worker.close);
  const job = await enqueueGeneration(world, queue, { model: "flux-dev" }, 5);
  const g = await generationIn(world, job.generationId, "failed");
  t.is(g.error, "model flux-dev is not installed in InvokeAI (installed: sdxl-base, sd15)");
  t.is(g.attempts, 1, "not retried");
  t.is(fake.enqueued, 0);
});

test("[integration] InvokeAI that stops answering HTTP mid-job: each call times out, the attempt fails, the retry attaches to the same item; one image", async (t) => {
  const { world, queue, fake } = await setup(t);
  fake.scenario.runningPolls = 1_000_000;
  // 300 ms per call, 3 tries with 20 ms backoff: an attempt gives up about 1 s into the hang.
  const client = new InvokeAIClient({ baseUrl: fake.url, retryDelayMs: 20, requestTimeoutMs: 300 });
  const worker = await inProcessWorker(world, new InvokeAIBackend(client, { pollMs: 20, timeoutMs: 20_000 }, pino({ level: "silent" })));
  t.teardown(worker.close);
  const job = await enqueueGeneration(world, queue, {}, 3);
  await eventually(() => fake.listItems().some((i) => i.status === "in_progress"), 10_000, "in progress");
  fake.scenario.unresponsive = true;
  await eventually(async () => ((await queue.getJob(job.generationId))!.attemptsMade >= 1 ? true : null), 10_000, "the attempt gave up");
  fake.scenario.unresponsive = false;
  fake.scenario.runningPolls = 2;
  await generationIn(world, job.generationId, "completed");
  const done = await jobIn(queue, job.generationId, "completed");
  t.true(fake.unanswered >= 3, `${fake.unanswered} calls went unanswered`);
  t.is(done.attemptsMade, 2, "one failed attempt, then the completion");
  t.is(fake.enqueued, 1, "the retry attached to the item it left running, no second generation");
  t.is((await objectKeys(world)).length, 1);
  t.is((await world.db.query("SELECT 1 FROM images")).rowCount, 1);
});

test("[integration] S3 unavailable while a job uploads: the SDK's retries, then the job's, store one object and one row once S3 is back", async (t) => {
  const { world, queue } = await setup(t);
  let down = true;
  const s3 = await workerWithS3Faults(t, world, () => (down ? s3Unavailable : undefined));
  const job = await enqueueGeneration(world, queue, { width: 64, height: 64 }, 5);
  // The SDK tries each PUT 4 times (createS3 maxAttempts); a failed attempt goes back with the job's backoff.
  await eventually(async () => ((await queue.getJob(job.generationId))!.attemptsMade >= 1 ? true : null), 20_000, "an attempt failed on S3");
  t.deepEqual(await objectKeys(world), [], "nothing stored while S3 refused");
  const refused = s3.imagePuts();
  down = false;
  await generationIn(world, job.generationId, "completed");
  t.true(refused >= 4, `${refused} PUTs refused`);
  const done = await jobIn(queue, job.generationId, "completed");
  t.regex(done.failedReason, /unable to handle request/, "the failed attempt kept S3's reason");
  t.is((await objectKeys(world)).length, 1);
  t.is((await world.db.query("SELECT 1 FROM images WHERE generation_id = $1", [job.generationId])).rows.length, 1);
});

test("[integration] S3 unavailable through every attempt: the generation fails with S3's reason and nothing is stored", async (t) => {
  const { world, queue } = await setup(t);
  const s3 = await workerWithS3Faults(t, world, () => s3Unavailable);
  const job = await enqueueGeneration(world, queue, { width: 64, height: 64 }, 2);
  const failed = await generationIn(world, job.generationId, "failed", 30_000);
  t.regex(failed.error ?? "", /^failed after 2 attempt\(s\): .*unable to handle request/);
  await jobIn(queue, job.generationId, "failed");
  t.is(s3.imagePuts(), 8, "4 tries by the SDK in each of the 2 attempts");
  t.deepEqual(await objectKeys(world), []);
  t.is((await world.db.query("SELECT 1 FROM images WHERE generation_id = $1", [job.generationId])).rows.length, 0);
});

test("[integration] an upload S3 stored but whose answer was lost is sent again to the same key: one object, one row, one attempt", async (t) => {
  const { world, queue } = await setup(t);
  let lost = 0;
  const s3 = await workerWithS3Faults(t, world, () => (lost++ === 0 ? "lose-answer" : undefined));
  const job = await enqueueGeneration(world, queue, { width: 64, height: 64 }, 5);
  await generationIn(world, job.generationId, "completed");
  t.is(s3.imagePuts(), 2, "the SDK sent the PUT again after the lost answer");
  t.is((await jobIn(queue, job.generationId, "completed")).attemptsMade, 1, "the SDK's retry was enough: no failed attempt");
  t.deepEqual(await objectKeys(world), [imageKey(job.userId, job.category, job.imageName)]);
  t.is((await world.db.query("SELECT 1 FROM images WHERE generation_id = $1", [job.generationId])).rows.length, 1);
});

test("[integration] InvokeAI restarting with a fresh database mid-job: the job is retried and completes once", async (t) => {
  const { world, queue, fake } = await setup(t);
  fake.scenario.runningPolls = 1_000_000;
  const worker = await inProcessWorker(world, invokeai(fake));
  t.teardown(worker.close);
  const job = await enqueueGeneration(world, queue, {}, 3);
  await eventually(() => fake.listItems().some((i) => i.status === "in_progress"), 10_000, "in progress");
  const oldKey = fake.modelKey("sdxl-base");
  fake.scenario.runningPolls = 2;
  await fake.restart({ persistDb: false });
  t.not(fake.modelKey("sdxl-base"), oldKey);
  await generationIn(world, job.generationId, "completed");
  t.is((await objectKeys(world)).length, 1);
  t.is(fake.enqueued, 2);
});

test("[integration] worker SIGKILLed mid-job: after a restart it attaches to the live item and the job completes exactly once", async (t) => {
  const { world, queue, fake } = await setup(t);
  fake.scenario.runningPolls = 1_000_000;
  const env = { BACKEND: "invokeai", INVOKEAI_URL: fake.url, POD_NAME: "gpu-worker-abc" };
  const first = spawnWorker(world, env);
  t.teardown(() => void first.kill("SIGKILL"));
  const job = await enqueueGeneration(world, queue, {}, 3);
  await eventually(() => fake.listItems().some((i) => i.status === "in_progress"), 20_000, "in progress");
  t.is(await world.redis.hget(busyHashKey(world.env.QUEUE_NAME), job.generationId), "gpu-worker-abc", "busy hash names the pod");
  const workers = await queue.getWorkers();
  t.true(workers.some((w) => String(w.rawname).endsWith(":w:gpu-worker-abc")), "BullMQ sees the worker by pod name");
  first.kill("SIGKILL");
  await exited(first);
  fake.scenario.runningPolls = 2;

  const second = spawnWorker(world, { ...env, POD_NAME: "gpu-worker-def" });
  t.teardown(() => void second.kill("SIGKILL"));
  await generationIn(world, job.generationId, "completed", 30_000).catch((err: Error) => {
    t.log(second.output());
    throw err;
  });
  t.is(fake.enqueued, 1, "no duplicate enqueue: the new worker attached to the live item");
  t.is((await objectKeys(world)).length, 1);
  t.is((await world.db.query("SELECT 1 FROM images")).rowCount, 1);
  await jobIn(queue, job.generationId, "completed");
  await eventually(async () => (await world.redis.hlen(busyHashKey(world.env.QUEUE_NAME))) === 0, 5000, "busy entry removed");
  second.kill("SIGTERM");
  t.is(await exited(second), 0);
});

test("[integration] SIGTERM with a job that cannot finish in the grace period: canceled in InvokeAI and back in the queue at once", async (t) => {
  const { world, queue, fake } = await setup(t);
  fake.scenario.ending = { kind: "hang" };
  const env = { BACKEND: "invokeai", INVOKEAI_URL: fake.url, GRACE_PERIOD_SECONDS: "2", HANDOVER_RESERVE_SECONDS: "1", LOCK_DURATION_MS: "30000" };
  const worker = spawnWorker(world, env);
  t.teardown(() => void worker.kill("SIGKILL"));
  const job = await enqueueGeneration(world, queue, {}, 3);
  await eventually(() => fake.listItems().some((i) => i.status === "in_progress"), 20_000, "in progress");
  const sent = Date.now();
  worker.kill("SIGTERM");
  t.is(await exited(worker), 0, worker.output());
  t.true(Date.now() - sent < 2000, "stopped within the grace period");
  t.deepEqual(fake.listItems().map((i) => i.status), ["canceled"]);
  const bullJob = await queue.getJob(job.generationId);
  t.is(await bullJob!.getState(), "waiting", "back in the queue without waiting for stall detection");
  t.is(bullJob!.attemptsMade, 0, "a hand-back is not a failed attempt");
  t.is(await world.redis.hlen(busyHashKey(world.env.QUEUE_NAME)), 0);

  fake.scenario.ending = { kind: "complete" };
  const next = spawnWorker(world, { ...env, POD_NAME: "worker-1" });
  t.teardown(() => void next.kill("SIGKILL"));
  await generationIn(world, job.generationId, "completed");
  t.is((await objectKeys(world)).length, 1);
  next.kill("SIGTERM");
  await exited(next);
});

test("[integration] SIGTERM with a job that fits in the grace period: it finishes, then the worker exits", async (t) => {
  const { world, queue, fake } = await setup(t);
  fake.scenario.runningPolls = 15; // ~1.5 s at 100 ms polls
  const worker = spawnWorker(world, { BACKEND: "invokeai", INVOKEAI_URL: fake.url, GRACE_PERIOD_SECONDS: "20", HANDOVER_RESERVE_SECONDS: "5" });
  t.teardown(() => void worker.kill("SIGKILL"));
  const job = await enqueueGeneration(world, queue);
  await eventually(() => fake.listItems().some((i) => i.status === "in_progress"), 20_000, "in progress");
  worker.kill("SIGTERM");
  t.is(await exited(worker), 0);
  t.is((await generation(world, job.generationId)).status, "completed");
  t.is(await (await queue.getJob(job.generationId))!.getState(), "completed");
});

/** The first of 3 attempts of `job`, as the BullMQ glue hands it to processGeneration. */
const firstAttempt = (job: JobData) => ({ id: job.generationId, data: job, attemptsMade: 0, maxAttempts: 3, signal: new AbortController().signal, reportProgress: () => Promise.resolve() });

test("[integration] a job re-delivered after it was stored (crash before ack) is acknowledged without generating again", async (t) => {
  const { world, queue } = await setup(t);
  const worker = await inProcessWorker(world, proceduralBackend());
  t.teardown(worker.close);
  const job = await enqueueGeneration(world, queue, { width: 64, height: 64 });
  await generationIn(world, job.generationId, "completed");
  const before = await world.db.query<{ updated_at: Date }>("SELECT updated_at FROM images");
  let generated = 0;
  const ports = {
    records: new GenerationStore(world.db),
    objects: { put: () => Promise.reject(new Error("must not upload again")), size: (key: string) => objectSize(world.s3, world.env.S3_BUCKET, key) },
    backend: { ready: () => Promise.resolve(), generate: () => Promise.reject(new Error(`must not generate again (${++generated})`)) },
    log: pino({ level: "silent" }),
  };
  const result = await processGeneration(firstAttempt(job), ports);
  t.like(result, { skipped: true, imageName: job.imageName });
  t.is(generated, 0);
  const after = await world.db.query<{ updated_at: Date }>("SELECT updated_at FROM images");
  t.deepEqual(after.rows, before.rows);
  t.is((await objectKeys(world)).length, 1);
});

test("[integration] a final failure that cannot be written to PostgreSQL still fails the job with its own reason, not the database's", async (t) => {
  const { world } = await setup(t);
  const job = newJob({ width: 64, height: 64 });
  await insertGenerationRow(world.db, job);
  // The real store, except that the failure goes to a PostgreSQL that is not there.
  const [closedPort] = await freePorts(1);
  const gone = createPool({ ...world.env, DB_PORT: closedPort! }, world.schema);
  t.teardown(() => gone.end());
  const records = Object.assign(Object.create(new GenerationStore(world.db)) as GenerationStore, { fail: (id: string, reason: string) => new GenerationStore(gone).fail(id, reason) });
  const ports = {
    records,
    objects: { put: () => Promise.reject(new Error("must not upload")), size: () => Promise.resolve(null) },
    backend: { ready: () => Promise.resolve(), generate: () => Promise.reject(new PermanentError("model sdxl-base is not installed in InvokeAI")) },
    log: pino({ level: "silent" }),
  };
  await t.throwsAsync(processGeneration(firstAttempt(job), ports), { instanceOf: PermanentError, message: "model sdxl-base is not installed in InvokeAI" });
  t.is((await generation(world, job.generationId)).status, "running", "the row could not be marked: the recovery sweep marks it from the job's reason");
});

/**
 * A worker, and a job it has started whose row is written by a transaction still open, as the
 * API does (the job is added before the commit); `end` commits or rolls that transaction back.
 */
async function jobStartedBeforeCommit(t: ExecutionContext): Promise<{ world: World; queue: Queue; job: JobData; end: (sql: "COMMIT" | "ROLLBACK") => Promise<void> }> {
  const { world, queue } = await setup(t);
  const worker = await inProcessWorker(world, proceduralBackend());
  t.teardown(worker.close);
  const job = newJob({ width: 64, height: 64 });
  const client = await world.db.connect();
  await client.query("BEGIN");
  await insertGenerationRow(client, job);
  await addJob(queue, job);
  await eventually(async () => ((await queue.getJob(job.generationId))?.attemptsStarted ?? 0) > 0, 10_000, "job started");
  const end = async (sql: "COMMIT" | "ROLLBACK"): Promise<void> => {
    await client.query(sql);
    client.release();
  };
  return { world, queue, job, end };
}

test("[integration] a job seen before the API commits its row waits for the commit and completes in its first attempt", async (t) => {
  const { world, queue, job, end } = await jobStartedBeforeCommit(t);
  await new Promise((r) => setTimeout(r, 300)); // the worker is now waiting on the open transaction
  t.is(await (await queue.getJob(job.generationId))!.getState(), "active");
  await end("COMMIT");
  await generationIn(world, job.generationId, "completed", 10_000);
  const done = await jobIn(queue, job.generationId, "completed");
  t.is(done.attemptsStarted, 1);
  t.is(done.attemptsMade, 1, "no failed attempt: the completion is the only one");
  t.is((await generation(world, job.generationId)).attempts, 1);
  t.is((await objectKeys(world)).length, 1);
});

test("[integration] a job whose row the API rolled back fails at once without generating", async (t) => {
  const { world, queue, job, end } = await jobStartedBeforeCommit(t);
  await end("ROLLBACK");
  const failed = await jobIn(queue, job.generationId, "failed");
  t.is(failed.attemptsStarted, 1, "not retried");
  t.regex(failed.failedReason, /never committed/);
  t.is((await world.db.query("SELECT 1 FROM generations WHERE id = $1", [job.generationId])).rowCount, 0, "the trial insert left no row");
  t.is((await objectKeys(world)).length, 0);
});

test("[integration] a job whose id differs from its generationId fails without retry", async (t) => {
  const { world, queue } = await setup(t);
  const worker = await inProcessWorker(world, proceduralBackend());
  t.teardown(worker.close);
  const job = await enqueueGeneration(world, queue, { width: 64, height: 64 });
  await generationIn(world, job.generationId, "completed");
  const stray = await queue.add("generate", job, { jobId: "stray", attempts: 5 });
  await eventually(async () => ((await stray.getState()) === "failed" ? true : null));
  const failed = await queue.getJob("stray");
  t.is(failed!.attemptsStarted, 1, "not retried");
  t.regex(failed!.failedReason, /differs from generationId/);
  t.is((await objectKeys(world)).length, 1);
});

test("[integration] the worker takes no job before InvokeAI answers, then processes it", async (t) => {
  const { world, queue, fake } = await setup(t);
  const port = fake.port;
  await fake.stop(); // connection refused, as while the sidecar boots
  const worker = spawnWorker(world, { BACKEND: "invokeai", INVOKEAI_URL: `http://127.0.0.1:${port}` });
  t.teardown(() => void worker.kill("SIGKILL"));
  const job = await enqueueGeneration(world, queue);
  await new Promise((r) => setTimeout(r, 2500));
  t.is(await (await queue.getJob(job.generationId))!.getState(), "waiting");
  t.is((await generation(world, job.generationId)).status, "queued");
  await fake.start(port);
  await generationIn(world, job.generationId, "completed", 30_000);
  t.is(fake.enqueued, 1);
});

/** A private redis-server on a free port, so a test may stop and restart it. */
async function privateRedis(): Promise<{ port: number; start: () => Promise<void>; stop: () => Promise<void> }> {
  const port = await new Promise<number>((resolve) => {
    const probe = createNetServer().listen(0, "127.0.0.1", () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
  let child: ReturnType<typeof spawn> | null = null;
  const start = async (): Promise<void> => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction"], { stdio: "ignore" });
    await eventually(async () => {
      const ok = await fetch(`http://127.0.0.1:${port}`).then(() => true, (e: Error & { cause?: { code?: string } }) => e.cause?.code !== "ECONNREFUSED");
      return ok;
    }, 10_000, "redis up");
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    if (!c) return;
    c.kill("SIGKILL");
    await exited(c);
  };
  await start();
  return { port, start, stop };
}

test("[integration] a Redis outage is waited out: the worker keeps running and takes jobs once Redis is back", async (t) => {
  const { world } = await setup(t);
  const redis = await privateRedis();
  t.teardown(redis.stop);
  const queue = new Queue(world.env.QUEUE_NAME, { connection: { host: "127.0.0.1", port: redis.port } });
  t.teardown(() => queue.close());
  const worker = spawnWorker(world, { BACKEND: "procedural", REDIS_PORT: String(redis.port) });
  t.teardown(() => void worker.kill("SIGKILL"));
  await eventually(async () => (await queue.getWorkers()).length > 0, 20_000, "worker connected");
  await redis.stop();
  await new Promise((r) => setTimeout(r, 3000));
  t.is(worker.exitCode, null, `worker still running during the outage\n${worker.output()}`);
  await redis.start();
  const job = await enqueueGeneration(world, queue, { width: 64, height: 64 });
  await generationIn(world, job.generationId, "completed", 30_000);
  t.is((await objectKeys(world)).length, 1);
});
