import test, { type ExecutionContext } from "ava";
import { Queue, Worker, type Job } from "bullmq";
import { connectRedis } from "../../operator/queue/connection.ts";
import { delayedMaxScore, readQueueDemand } from "../../operator/queue/demand.ts";
import { RedisServer } from "./support/redis-server.ts";
import { BusyRegistry } from "../../worker/adapters/busy.ts";

let server: RedisServer;
test.before(async () => {
  server = await RedisServer.start();
});
test.after.always(async () => {
  await server.stop();
});

const connection = () => ({ host: server.host, port: server.port });
const clock = { now: () => Date.now() };
let counter = 0;
const queueName = () => `demand-${process.pid}-${++counter}`;

test("delayed score bound matches BullMQ's encoding (timestamp * 0x1000 + sequence)", (t) => {
  // A job due at ms 1000 with sequence 4095 is the last one due by 1000; sequence 0 of 1001 is not.
  t.is(delayedMaxScore(1000), 1000 * 0x1000 + 4095);
  t.true(1001 * 0x1000 > delayedMaxScore(1000));
});

test("[integration] counts waiting, prioritized and delayed jobs within the lead time", async (t) => {
  const name = queueName();
  const queue = new Queue(name, { connection: connection() });
  const redis = connectRedis(connection());
  t.teardown(async () => { await queue.close(); redis.disconnect(); });

  await queue.addBulk(Array.from({ length: 7 }, (_, i) => ({ name: "gen", data: { i } })));
  await queue.add("gen", {}, { priority: 3 });
  await queue.add("gen", {}, { priority: 1 });
  await queue.add("gen", {}, { delay: 5_000 }); // due within the 30 s lead
  await queue.add("gen", {}, { delay: 600_000 }); // not due soon

  const demand = await readQueueDemand(redis, { queue: name, prefix: "bull", delayedLeadSeconds: 30 }, clock);
  t.like(demand, { waiting: 7, prioritized: 2, active: 0, delayedSoon: 1, delayedTotal: 2, paused: false });
  t.deepEqual(demand.activeJobs, []);
});

test("[integration] a paused queue reports paused and keeps its waiting count", async (t) => {
  const name = queueName();
  const queue = new Queue(name, { connection: connection() });
  const redis = connectRedis(connection());
  t.teardown(async () => { await queue.close(); redis.disconnect(); });
  await queue.addBulk(Array.from({ length: 4 }, () => ({ name: "gen", data: {} })));
  await queue.pause();
  const demand = await readQueueDemand(redis, { queue: name, prefix: "bull", delayedLeadSeconds: 0 }, clock);
  t.like(demand, { waiting: 4, paused: true });
});

test("[integration] reports the age of the oldest waiting job from its timestamp", async (t) => {
  const name = queueName();
  const queue = new Queue(name, { connection: connection() });
  const redis = connectRedis(connection());
  t.teardown(async () => { await queue.close(); redis.disconnect(); });
  await queue.add("gen", {}, { timestamp: Date.now() - 42_000 });
  await queue.add("gen", {});
  const demand = await readQueueDemand(redis, { queue: name, prefix: "bull", delayedLeadSeconds: 0 }, clock);
  t.true(demand.oldestWaitingSeconds >= 42 && demand.oldestWaitingSeconds < 50, `${demand.oldestWaitingSeconds}`);
  const empty = await readQueueDemand(redis, { queue: queueName(), prefix: "bull", delayedLeadSeconds: 0 }, clock);
  t.is(empty.oldestWaitingSeconds, 0);
});

/** A queue with one job held active by a BullMQ Worker (named `workerName` if given) until teardown. */
async function holdOneJob(t: ExecutionContext, name: string, workerName?: string): Promise<{ job: Job; queue: Queue }> {
  const queue = new Queue(name, { connection: connection() });
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let started!: (job: Job) => void;
  const active = new Promise<Job>((resolve) => (started = resolve));
  const worker = new Worker(name, async (job) => { started(job); await held; }, {
    connection: connection(), concurrency: 1, ...(workerName === undefined ? {} : { name: workerName }),
  });
  t.teardown(async () => { release(); await worker.close(); await queue.close(); });
  await queue.add("gen", {});
  return { job: await active, queue };
}

test("[integration] names the worker holding each active job", async (t) => {
  const name = queueName();
  const redis = connectRedis(connection());
  t.teardown(() => redis.disconnect());
  const { job, queue } = await holdOneJob(t, name, "pool-a-7d9f-abcde");
  await queue.add("gen", {});
  const demand = await readQueueDemand(redis, { queue: name, prefix: "bull", delayedLeadSeconds: 0 }, clock);
  t.like(demand, { active: 1, waiting: 1 });
  t.deepEqual(demand.activeJobs, [{ jobId: job.id!, worker: "pool-a-7d9f-abcde" }]);
});

test("[integration] throws when Redis cannot be reached", async (t) => {
  const down = await RedisServer.start();
  const redis = connectRedis({ host: down.host, port: down.port });
  t.teardown(() => redis.disconnect());
  await readQueueDemand(redis, { queue: "x", prefix: "bull", delayedLeadSeconds: 0 }, clock);
  await down.stop();
  await t.throwsAsync(readQueueDemand(redis, { queue: "x", prefix: "bull", delayedLeadSeconds: 0 }, clock));
});

test("[integration] the worker registration hash names the pod when the BullMQ Worker has no name", async (t) => {
  const name = queueName();
  const redis = connectRedis(connection());
  t.teardown(() => redis.disconnect());
  const { job } = await holdOneJob(t, name);
  // Registered the way the Genpool worker does it, plus a stale entry of a job no longer active.
  await new BusyRegistry(redis, { queueName: name, prefix: "bull" }, "gpu-worker-abc").mark(job.id!);
  await new BusyRegistry(redis, { queueName: name, prefix: "bull" }, "gpu-worker-old").mark("no-longer-active");
  const demand = await readQueueDemand(redis, { queue: name, prefix: "bull", delayedLeadSeconds: 0 }, clock);
  t.deepEqual(demand.activeJobs, [{ jobId: job.id!, worker: "gpu-worker-abc" }]);
});
