import { randomUUID } from "node:crypto";
import test, { type ExecutionContext } from "ava";
import { Queue } from "bullmq";
import { Redis } from "../worker/adapters/redis.ts";
import type { GenerationParams, JobData } from "../worker/job/schema.ts";
import { bullJobQueue, type JobQueue } from "./adapters/queue.ts";
import { UnavailableError } from "./errors.ts";
import { jobOf, type NewGeneration } from "./db/generations.ts";
import { batchedIntake, type IntakeOptions } from "./intake.ts";
import { closeQueue, closeRedis, createWorld, type World } from "./test-support.ts";

const params: GenerationParams = { prompt: "a lighthouse", negativePrompt: "", model: "sdxl-base", width: 512, height: 512, steps: 20, cfgScale: 7.5, scheduler: "euler", seed: 1 };

function submission(userId = "alice", over: { idempotencyKey?: string; imageName?: string } = {}): NewGeneration {
  return { id: randomUUID(), userId, category: "general", imageName: over.imageName ?? randomUUID(), params, idempotencyKey: over.idempotencyKey ?? null, requestHash: null, queue: "q" };
}

/** The real BullMQ queue, with a record of every addAll: its size, and how many ran at once. */
function recorded(queue: JobQueue): JobQueue & { sizes: number[]; maxConcurrent: number } {
  let running = 0;
  const rec = {
    sizes: [] as number[],
    maxConcurrent: 0,
    addAll: async (jobs: readonly JobData[]) => {
      rec.sizes.push(jobs.length);
      running += 1;
      rec.maxConcurrent = Math.max(rec.maxConcurrent, running);
      try {
        await queue.addAll(jobs);
      } finally {
        running -= 1;
      }
    },
  };
  return rec;
}

interface Harness {
  world: World;
  queue: Queue<JobData>;
  jobs: ReturnType<typeof recorded>;
}

async function harness(t: ExecutionContext): Promise<Harness> {
  const world = await createWorld();
  const queue = new Queue<JobData>(world.env.QUEUE_NAME, { connection: { host: world.env.REDIS_HOST, port: world.env.REDIS_PORT, password: world.env.REDIS_PASSWORD } });
  t.teardown(async () => {
    await closeQueue(queue);
    await world.cleanup();
  });
  return { world, queue, jobs: recorded(bullJobQueue(queue, { attempts: 1, backoffMs: 0 })) };
}

function intakeOf(h: Harness, opts: Partial<IntakeOptions> & { max?: number } = {}) {
  const limit = { scope: h.world.env.QUEUE_NAME, max: opts.max ?? 1000, windowSeconds: 60 };
  return batchedIntake({ db: h.world.db, redis: h.world.redis, queue: h.jobs, limit, now: Date.now }, { maxBatch: opts.maxBatch ?? 64, maxInFlight: opts.maxInFlight ?? 2 });
}

async function rowIds(world: World): Promise<string[]> {
  const res = await world.db.query<{ id: string }>("SELECT id FROM generations ORDER BY id");
  return res.rows.map((r) => r.id);
}

async function jobIds(queue: Queue<JobData>): Promise<string[]> {
  return (await queue.getJobs(["waiting"])).map((j) => j.id!).sort();
}

test("[integration] intake: requests submitted together share one transaction and one addBulk; each is queued with its own row and job", async (t) => {
  const h = await harness(t);
  const intake = intakeOf(h);
  const subs = Array.from({ length: 20 }, () => submission());
  const outcomes = await Promise.all(subs.map((s) => intake.submit(s)));
  t.deepEqual(outcomes, Array(20).fill({ kind: "queued" }));
  t.deepEqual(h.jobs.sizes, [20]);
  const ids = subs.map((s) => s.id).sort();
  t.deepEqual(await rowIds(h.world), ids);
  t.deepEqual(await jobIds(h.queue), ids);
  const job = await h.queue.getJob(subs[7]!.id);
  t.deepEqual(job?.data, jobOf(subs[7]!), "each job carries its own data");
});

test("[integration] intake: batches hold at most maxBatch, at most maxInFlight are written at once, and the rest follow without being lost", async (t) => {
  const h = await harness(t);
  const intake = intakeOf(h, { maxBatch: 3, maxInFlight: 2 });
  const subs = Array.from({ length: 11 }, () => submission());
  const outcomes = await Promise.all(subs.map((s) => intake.submit(s)));
  t.deepEqual(outcomes, Array(11).fill({ kind: "queued" }));
  t.true(h.jobs.sizes.every((n) => n <= 3), `batch sizes ${h.jobs.sizes.join(", ")}`);
  t.is(h.jobs.sizes.reduce((a, b) => a + b, 0), 11);
  t.true(h.jobs.maxConcurrent <= 2, `${h.jobs.maxConcurrent} batches were written at once`);
  t.deepEqual(await jobIds(h.queue), subs.map((s) => s.id).sort());

  // A lone request later is not held back.
  const lone = submission();
  t.deepEqual(await intake.submit(lone), { kind: "queued" });
  t.is(h.jobs.sizes.at(-1), 1);
});

test("[integration] intake: the rate limit decides each member of a batch; the others are written", async (t) => {
  const h = await harness(t);
  const intake = intakeOf(h, { max: 3 });
  const alice = Array.from({ length: 5 }, () => submission("alice"));
  const bob = Array.from({ length: 2 }, () => submission("bob"));
  const outcomes = await Promise.all([...alice, ...bob].map((s) => intake.submit(s)));
  t.deepEqual(outcomes.slice(0, 3), Array(3).fill({ kind: "queued" }));
  for (const o of outcomes.slice(3, 5)) {
    t.is(o.kind, "rate_limited");
    if (o.kind === "rate_limited") t.true(o.retryAfterSeconds >= 1 && o.retryAfterSeconds <= 60);
  }
  t.deepEqual(outcomes.slice(5), Array(2).fill({ kind: "queued" }), "bob has his own counter");
  const written = [...alice.slice(0, 3), ...bob].map((s) => s.id).sort();
  t.deepEqual(await rowIds(h.world), written);
  t.deepEqual(await jobIds(h.queue), written);
});

test("[integration] intake: an Idempotency-Key used twice in one batch is written once; the other is a duplicate", async (t) => {
  const h = await harness(t);
  const intake = intakeOf(h);
  const [a, b] = [submission("alice", { idempotencyKey: "k" }), submission("alice", { idempotencyKey: "k" })];
  const outcomes = await Promise.all([a, b].map((s) => intake.submit(s)));
  t.deepEqual(outcomes, [{ kind: "queued" }, { kind: "duplicate" }]);
  t.deepEqual(await rowIds(h.world), [a.id]);
  t.deepEqual(await jobIds(h.queue), [a.id]);
});

test("[integration] intake: a row the database refuses fails its own request only; the rest of its batch is written", async (t) => {
  const h = await harness(t);
  const intake = intakeOf(h);
  const first = submission();
  await intake.submit(first);
  // image_name is unique: the same name again violates it (SQLSTATE 23505).
  const clash = submission("alice", { imageName: first.imageName });
  const good = Array.from({ length: 3 }, () => submission());
  const settled = await Promise.allSettled([good[0]!, clash, good[1]!, good[2]!].map((s) => intake.submit(s)));
  t.deepEqual(settled.map((s) => s.status), ["fulfilled", "rejected", "fulfilled", "fulfilled"]);
  const refused = settled[1] as PromiseRejectedResult;
  t.is((refused.reason as { code?: string }).code, "23505");
  const written = [first, ...good].map((s) => s.id).sort();
  t.deepEqual(await rowIds(h.world), written);
  t.deepEqual(await jobIds(h.queue), written);
});

test("[integration] intake: the queue down fails every member of the batch with 'queue unavailable' and leaves no row", async (t) => {
  const h = await harness(t);
  const client = new Redis({ host: "127.0.0.1", port: 1, enableOfflineQueue: false, retryStrategy: () => null, maxRetriesPerRequest: null });
  client.on("error", () => undefined);
  const dead = new Queue<JobData>(h.world.env.QUEUE_NAME, { connection: client });
  dead.on("error", () => undefined);
  t.teardown(async () => {
    await dead.close().catch(() => undefined);
    await closeRedis(client);
  });
  const intake = batchedIntake(
    { db: h.world.db, redis: h.world.redis, queue: bullJobQueue(dead, { attempts: 1, backoffMs: 0 }), limit: { scope: h.world.env.QUEUE_NAME, max: 100, windowSeconds: 60 }, now: Date.now },
    { maxBatch: 64, maxInFlight: 2 },
  );
  const settled = await Promise.allSettled(Array.from({ length: 4 }, () => intake.submit(submission())));
  for (const s of settled) {
    t.is(s.status, "rejected");
    const reason = s.status === "rejected" ? (s.reason as unknown) : undefined;
    t.true(reason instanceof UnavailableError && reason.dependency === "queue", String(reason));
  }
  t.deepEqual(await rowIds(h.world), []);
});
