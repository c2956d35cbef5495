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
  test(`[integration] insertAndEnqueue (${mode}): commits after the enqueue, rolls back when it fails, skips a duplicate key`, async (t) => {
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
    t.true(await insertAndEnqueue(db, first, async () => void (visibleDuringEnqueue = await ids(world))));
    t.deepEqual(visibleDuringEnqueue, [], "the row is not committed before the enqueue resolved");
    t.deepEqual(await ids(world), [first.id]);

    await t.throwsAsync(insertAndEnqueue(db, row(), () => Promise.reject(new Error("redis down"))), { message: "redis down" });
    t.deepEqual(await ids(world), [first.id], "no row outlives a failed enqueue");

    const keyed = row({ idempotencyKey: "k-1", requestHash: "h" });
    t.true(await insertAndEnqueue(db, keyed, () => Promise.resolve()));
    let enqueued = false;
    t.false(await insertAndEnqueue(db, row({ idempotencyKey: "k-1", requestHash: "h" }), () => {
      enqueued = true;
      return Promise.resolve();
    }));
    t.false(enqueued, "a duplicate key enqueues nothing");
    t.deepEqual((await ids(world)).sort(), [first.id, keyed.id].sort());

    // The connection is usable after each outcome: a plain query on every pooled client.
    const counts = await Promise.all(Array.from({ length: 3 }, () => db.query<{ n: string }>("SELECT count(*) AS n FROM generations")));
    t.deepEqual(counts.map((c) => Number(c.rows[0]?.n)), [2, 2, 2]);
  });
}
