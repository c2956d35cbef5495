// Redis and PostgreSQL of the sandbox answer, and BullMQ runs a job through Redis end to end.
import test from "ava";
import { Queue, QueueEvents, Worker } from "bullmq";
import pg from "pg";
import { pgConfig, redisConnection as connection, uniqueName } from "../support/sandbox.ts";

test("[integration] Redis answers PING and evicts nothing (BullMQ needs noeviction)", async (t) => {
  const queue = new Queue(uniqueName(t, "q"), { connection: connection() });
  t.teardown(() => queue.close());
  // BullMQ's default connection is an ioredis client; its interface type exposes only what BullMQ uses.
  const client = (await queue.client) as unknown as { ping(): Promise<string>; config(op: "GET", key: string): Promise<string[]> };
  t.is(await client.ping(), "PONG");
  t.deepEqual(await client.config("GET", "maxmemory-policy"), ["maxmemory-policy", "noeviction"]);
});

test("[integration] PostgreSQL accepts the contract's credentials and stores rows", async (t) => {
  const client = new pg.Client(pgConfig());
  await client.connect();
  t.teardown(() => client.end());
  const table = uniqueName(t, "t").replaceAll("-", "_");
  await client.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, name text NOT NULL)`);
  await client.query(`INSERT INTO ${table} (name) VALUES ($1), ($2)`, ["a", "b"]);
  const { rows } = await client.query<{ name: string }>(`SELECT name FROM ${table} ORDER BY id`);
  t.deepEqual(rows.map((r) => r.name), ["a", "b"]);
  const { rows: [db] } = await client.query<{ current_database: string }>("SELECT current_database()");
  t.is(db?.current_database, "genpool");
});

test("[integration] BullMQ adds a job and a worker processes it", async (t) => {
  const name = uniqueName(t, "q");
  const queue = new Queue(name, { connection: connection() });
  const events = new QueueEvents(name, { connection: connection(), lastEventId: "0-0" });
  const worker = new Worker(name, (job) => Promise.resolve({ doubled: (job.data as { n: number }).n * 2 }), { connection: connection(), concurrency: 1 });
  t.teardown(async () => {
    await worker.close();
    await events.close();
    await queue.close();
  });
  await events.waitUntilReady();
  const job = await queue.add("double", { n: 21 }, { jobId: "generation-1" });
  t.deepEqual(await job.waitUntilFinished(events, 20_000), { doubled: 42 });
  t.is(await queue.getJobState("generation-1"), "completed");
});
