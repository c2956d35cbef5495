import { randomUUID } from "node:crypto";
import test from "ava";
import { createPool, type Pool } from "../../worker/adapters/pg.ts";
import { pipelined } from "../adapters/pg.ts";
import { createWorld, type World } from "../test-support.ts";
import { insertAndEnqueue, type NewGeneration } from "./generations.ts";

const row = (over: Partial<NewGeneration> = {}): NewGeneration => ({
  id: randomUUID(),
  userId: "alice",
  category: "general",
  imageName: randomUUID(),
  params: { prompt: "a lighthouse", negativePrompt: "", model: "sdxl-base", width: 512, height: 512, steps: 20, cfgScale: 7.5, scheduler: "euler", seed: 1 },
  idempotencyKey: null,
  requestHash: null,
  queue: "gpu-generation",
  ...over,
});

async function ids(world: World): Promise<string[]> {
  const res = await world.db.query<{ id: string }>("SELECT id FROM generations ORDER BY created_at, id");
  return res.rows.map((r) => r.id);
}

// The API's pool pipelines (BEGIN and INSERT in one round trip); the plain pool is the other path.
const pools: { mode: string; make: (world: World) => Pool }[] = [
  { mode: "pipelined", make: (world) => pipelined(createPool(world.env, world.schema)) },
  { mode: "plain", make: (world) => createPool(world.env, world.schema) },
];

for (const { mode, make } of pools) {
  test(`[integration] insertAndEnqueue (${mode}): commits after the enqueue, rolls back when it fails, skips duplicate keys in the table and in the batch`, async (t) => {
    const world = await createWorld();
    const db = make(world);
    t.teardown(async () => {
      await db.end();
      await world.cleanup();
    });
    const client = await db.connect();
    t.is(client.pipeline, mode === "pipelined");
    client.release();

    const first = row();
    let visibleDuringEnqueue: string[] = ["not called"];
    const one = await insertAndEnqueue(db, [first], async () => void (visibleDuringEnqueue = await ids(world)));
    t.deepEqual([...one], [first.id]);
    t.deepEqual(visibleDuringEnqueue, [], "the row is not committed before the enqueue resolved");
    t.deepEqual(await ids(world), [first.id]);
    t.is((await world.db.query<{ queue: string }>("SELECT queue FROM generations WHERE id = $1", [first.id])).rows[0]?.queue, "gpu-generation", "the row names its queue");

    await t.throwsAsync(insertAndEnqueue(db, [row(), row()], () => Promise.reject(new Error("redis down"))), { message: "redis down" });
    t.deepEqual(await ids(world), [first.id], "no row of the batch outlives a failed enqueue");

    const keyed = row({ idempotencyKey: "k-1", requestHash: "h" });
    t.deepEqual([...(await insertAndEnqueue(db, [keyed], () => Promise.resolve()))], [keyed.id]);
    let enqueued: NewGeneration[] | undefined;
    t.is((await insertAndEnqueue(db, [row({ idempotencyKey: "k-1", requestHash: "h" })], (rows) => {
      enqueued = rows;
      return Promise.resolve();
    })).size, 0);
    t.is(enqueued, undefined, "a duplicate key enqueues nothing");
    t.deepEqual((await ids(world)).sort(), [first.id, keyed.id].sort());

    // A batch: a key taken before, a key used twice in the batch (the first wins), fresh rows.
    const batch = [row(), row({ idempotencyKey: "k-1" }), row({ idempotencyKey: "k-2" }), row({ idempotencyKey: "k-2" }), row({ userId: "bob", idempotencyKey: "k-2" })];
    let batchEnqueued: string[] = [];
    const inserted = await insertAndEnqueue(db, batch, (rows) => {
      batchEnqueued = rows.map((r) => r.id);
      return Promise.resolve();
    });
    const expected = [batch[0]!.id, batch[2]!.id, batch[4]!.id];
    t.deepEqual([...inserted].sort(), [...expected].sort());
    t.deepEqual(batchEnqueued, expected, "exactly the inserted rows are enqueued, in request order");
    const stored = await world.db.query<{ id: string; params: unknown; status: string }>("SELECT id, params, status FROM generations WHERE id = $1", [batch[4]!.id]);
    t.like(stored.rows[0], { status: "queued", params: batch[4]!.params });

    // The connection is usable after each outcome: a plain query on every pooled client.
    const counts = await Promise.all(Array.from({ length: 3 }, () => db.query<{ n: string }>("SELECT count(*) AS n FROM generations")));
    t.deepEqual(counts.map((c) => Number(c.rows[0]?.n)), [5, 5, 5]);
  });
}
