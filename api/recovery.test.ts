import test, { type ExecutionContext } from "ava";
import { Queue, Worker } from "bullmq";
import type { JobData } from "../worker/job/schema.ts";
import { addJob, eventually, generation, insertGenerationRow, newJob } from "../worker/test-support.ts";
import { bullJobQueue, bullQueueInspector } from "./adapters/queue.ts";
import { planRepairs, startRecovery, sweep, SWEEP_LOCK, type InFlightRow, type RecoveryDeps, type RecoveryOptions } from "./recovery.ts";
import { closeQueue, createWorld, type World } from "./test-support.ts";
import { pino } from "pino";

interface Harness {
  world: World;
  queue: Queue<JobData>;
  deps: RecoveryDeps;
}

const opts: RecoveryOptions = { intervalSeconds: 30, minAgeSeconds: 60, pageSize: 500 };

async function harness(t: ExecutionContext): Promise<Harness> {
  const world = await createWorld();
  const connection = { host: world.env.REDIS_HOST, port: world.env.REDIS_PORT, password: world.env.REDIS_PASSWORD };
  const queue = new Queue<JobData>(world.env.QUEUE_NAME, { connection });
  t.teardown(async () => {
    await closeQueue(queue);
    await world.cleanup();
  });
  const deps = { db: world.db, queueName: world.env.QUEUE_NAME, queue: bullJobQueue(queue, { attempts: 3, backoffMs: 100 }), inspector: bullQueueInspector(queue), log: pino({ level: "silent" }) };
  return { world, queue, deps };
}

/** Inserts the jobs' rows, last written `minutes` ago. */
async function rows(world: World, jobs: JobData[], minutes: number, status = "queued"): Promise<void> {
  for (const job of jobs) await insertGenerationRow(world.db, job);
  await world.db.query(
    `UPDATE generations SET status = $3, created_at = now() - make_interval(mins => $2), updated_at = now() - make_interval(mins => $2) WHERE id = ANY($1::uuid[])`,
    [jobs.map((j) => j.generationId), minutes, status],
  );
}

const ids = (jobs: JobData[]): string[] => jobs.map((j) => j.generationId).sort();

test("recovery plan: a missing job is added again from its row, a failed one fails its row, a present one is left alone", (t) => {
  const [lost, gaveUp, live] = [newJob(), newJob(), newJob()];
  const row = (j: JobData): InFlightRow => ({ id: j.generationId, userId: j.userId, category: j.category, imageName: j.imageName, params: j.params });
  const plan = planRepairs([row(lost), row(gaveUp), row(live)], new Map([
    [lost.generationId, { state: "missing" as const }],
    [gaveUp.generationId, { state: "failed" as const, reason: "job stalled more than allowable limit" }],
    [live.generationId, { state: "present" as const }],
  ]));
  t.deepEqual(plan.readd, [lost]);
  t.deepEqual(plan.fail, [{ id: gaveUp.generationId, reason: "the queue gave the job up: job stalled more than allowable limit" }]);
});

test("[integration] recovery: the job of an old queued generation that Redis lost is added again, with the same id and data; nothing else is touched", async (t) => {
  const h = await harness(t);
  const lost = newJob();
  const queued = newJob();
  const young = newJob();
  const done = newJob();
  await rows(h.world, [lost, queued], 5);
  await addJob(h.queue, queued);
  await rows(h.world, [young], 0);
  await rows(h.world, [done], 5, "completed");

  const first = await sweep(h.deps, opts);
  t.true(first.ran);
  t.is(first.checked, 2, "only the old queued or running rows are read");
  t.deepEqual(first.readded, [lost.generationId]);
  t.deepEqual(first.failed, []);
  const job = await h.queue.getJob(lost.generationId);
  t.deepEqual(job?.data, lost, "the job is rebuilt from the row");
  t.is(job?.opts.attempts, 3, "with the API's retry policy");
  t.is(await h.queue.getJobState(young.generationId), "unknown", "a row younger than minAgeSeconds is not looked at");
  t.is(await h.queue.getJobState(done.generationId), "unknown", "a completed row is not looked at");
  t.is(await h.queue.getJobState(queued.generationId), "waiting");

  const second = await sweep(h.deps, opts);
  t.deepEqual(second.readded, [], "the job is back: a second sweep adds nothing");
  t.is(await h.queue.count(), 2);
});

test("[integration] recovery: a running generation whose job BullMQ failed as stalled (its workers killed) is failed with the queue's reason", async (t) => {
  const h = await harness(t);
  const job = newJob();
  await rows(h.world, [job], 5, "running");
  await addJob(h.queue, job);
  const connection = { host: h.world.env.REDIS_HOST, port: h.world.env.REDIS_PORT, password: h.world.env.REDIS_PASSWORD };
  // A worker takes the job and dies without a word: its lock expires and nobody renews it.
  const dying = new Worker<JobData>(h.world.env.QUEUE_NAME, () => new Promise(() => undefined), { connection, lockDuration: 300, skipStalledCheck: true });
  await eventually(async () => (await h.queue.getJobState(job.generationId)) === "active", 10_000, "the job active");
  await dying.close(true);
  // Another worker's stall check finds it; with maxStalledCount reached BullMQ fails it, and no worker code runs.
  const checker = new Worker<JobData>(h.world.env.QUEUE_NAME, () => Promise.resolve(), { connection, stalledInterval: 200, maxStalledCount: 0 });
  t.teardown(() => checker.close());
  await eventually(async () => (await h.queue.getJobState(job.generationId)) === "failed", 15_000, "BullMQ to fail the stalled job");
  t.is((await generation(h.world, job.generationId)).status, "running", "the row says running: nothing else would ever change it");

  const r = await sweep(h.deps, opts);
  t.deepEqual(r.failed, [job.generationId]);
  t.deepEqual(r.readded, []);
  const g = await generation(h.world, job.generationId);
  t.is(g.status, "failed");
  t.regex(g.error ?? "", /^the queue gave the job up: .*stalled/);
});

test("[integration] recovery: pages through every old row; one replica sweeps at a time", async (t) => {
  const h = await harness(t);
  const lost = Array.from({ length: 5 }, () => newJob());
  await rows(h.world, lost, 5);
  const holder = await h.world.db.connect();
  t.teardown(() => holder.release());
  await holder.query(`SELECT pg_advisory_lock(${SWEEP_LOCK})`, [h.world.env.QUEUE_NAME]);
  const blocked = await sweep(h.deps, opts);
  t.deepEqual(blocked, { ran: false, checked: 0, readded: [], failed: [] }, "another replica holds the sweep");
  await holder.query(`SELECT pg_advisory_unlock(${SWEEP_LOCK})`, [h.world.env.QUEUE_NAME]);

  const r = await sweep(h.deps, { ...opts, pageSize: 2 });
  t.is(r.checked, 5);
  t.deepEqual([...r.readded].sort(), ids(lost), "three pages of 2, 2 and 1");
  t.deepEqual((await h.queue.getJobs(["waiting"])).map((j) => j.id!).sort(), ids(lost));
});

test("[integration] recovery: startRecovery sweeps on its interval until stopped", async (t) => {
  const h = await harness(t);
  const lost = newJob();
  await rows(h.world, [lost], 5);
  const recovery = startRecovery(h.deps, { ...opts, intervalSeconds: 0.2 });
  await eventually(async () => (await h.queue.getJobState(lost.generationId)) === "waiting", 10_000, "the lost job added again");
  await recovery.stop();
  t.like(recovery.totals, { readded: 1, failed: 0 });
  t.true(recovery.totals.sweeps >= 1);
  const late = newJob();
  await rows(h.world, [late], 5);
  await new Promise((r) => setTimeout(r, 600));
  t.is(await h.queue.getJobState(late.generationId), "unknown", "no sweep after stop()");
});
