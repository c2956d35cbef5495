import { randomUUID } from "node:crypto";
import test from "ava";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Queue, Worker } from "bullmq";
import { createWorld } from "../../api/test-support.ts";
import { imageKey } from "../../worker/job/keys.ts";
import { eventually } from "../../worker/test-support.ts";
import { audit, readable } from "./support/audit.ts";

// The auditor must catch what it is there to catch: each row below is one way to lose or
// duplicate a generation, seeded by hand into real PostgreSQL, S3 and BullMQ.
test("[integration] the exactly-once auditor names every lost and duplicated generation", async (t) => {
  const world = await createWorld();
  const connection = { host: world.env.REDIS_HOST, port: world.env.REDIS_PORT, password: world.env.REDIS_PASSWORD };
  const queue = new Queue(world.env.QUEUE_NAME, { connection });
  const worker = new Worker(world.env.QUEUE_NAME, () => Promise.resolve("done"), { connection });
  t.teardown(async () => {
    await worker.close();
    await queue.close();
    await world.cleanup();
  });
  const user = "auditee";
  const put = (key: string, bytes: number) => world.s3.send(new PutObjectCommand({ Bucket: world.env.S3_BUCKET, Key: key, Body: Buffer.alloc(bytes, 1) }));
  const seed = async (status: string, opts: { error?: string | null; image?: number; object?: number; job?: boolean } = {}) => {
    const id = randomUUID();
    const name = randomUUID();
    await world.db.query("INSERT INTO generations (id, user_id, status, category, image_name, params, error) VALUES ($1, $2, $3, 'art', $4, '{}', $5)", [id, user, status, name, opts.error ?? null]);
    const key = imageKey(user, "art", name);
    if (opts.image) {
      await world.db.query("INSERT INTO images (name, user_id, generation_id, s3_key, category, content_type, size_bytes, width, height, parameters) VALUES ($1, $2, $3, $4, 'art', 'image/png', $5, 8, 8, '{}')", [name, user, id, key, opts.image]);
    }
    if (opts.object) await put(key, opts.object);
    if (opts.job !== false) await queue.add("generate", {}, { jobId: id });
    return id;
  };
  const good = await seed("completed", { image: 10, object: 10 });
  const failedWell = await seed("failed", { error: "failed after 5 attempt(s): InvokeAI unavailable" });
  const noObject = await seed("completed", { image: 10 });
  const wrongSize = await seed("completed", { image: 10, object: 7 });
  const noReason = await seed("failed", { error: "" });
  const stuck = await seed("running");
  const failedWithImage = await seed("failed", { error: "InvokeAI failed: ValueError: bad", image: 10 });
  const noJob = await seed("completed", { image: 10, object: 10, job: false });
  const neverWritten = randomUUID();
  await put(imageKey(user, "art", "stray"), 5);
  await eventually(async () => (await queue.getJobCounts("wait", "active")).wait === 0 && (await queue.getJobCounts("active")).active === 0, 20_000, "jobs processed");

  const at = Date.now();
  const ids = [good, failedWell, noObject, wrongSize, noReason, stuck, failedWithImage, noJob, neverWritten];
  const stores = { db: world.db, s3: world.s3, bucket: world.env.S3_BUCKET, queue };
  const a = await audit(stores, ids.map((id) => ({ id, user, at })));
  t.is(a.accepted, 9);
  t.is(a.completed, 1);
  t.deepEqual(a.failed.map((f) => f.id).sort(), [failedWell, failedWithImage].sort());
  t.deepEqual(a.lost.map((f) => f.id).sort(), [noObject, wrongSize, noReason, stuck, noJob, neverWritten].sort());
  t.regex(a.lost.find((f) => f.id === noJob)!.why, /BullMQ job is missing/);
  t.regex(a.lost.find((f) => f.id === noObject)!.why, /no object at/);
  t.regex(a.lost.find((f) => f.id === wrongSize)!.why, /7 bytes, the row says 10/);
  t.regex(a.lost.find((f) => f.id === neverWritten)!.why, /no generation row/);
  t.deepEqual(a.duplicated.map((f) => f.id).sort(), [failedWithImage, imageKey(user, "art", "stray")].sort());
  t.regex(a.duplicated.find((f) => f.id === failedWithImage)!.why, /for a generation that is failed/);

  // A job a failover lost, finished by the worker that held it: completed, with no job to mark.
  const afterFailover = await audit({ ...stores, lostByRedis: new Set([noJob, stuck]) }, ids.map((id) => ({ id, user, at })));
  t.is(afterFailover.completed, 2, "a completed generation whose job Redis lost counts as completed");
  t.true(afterFailover.lost.some((f) => f.id === stuck), "a lost job still has to end: running is still lost");
});

test("readable reasons: sentences pass, empty strings, stacks and object dumps do not", (t) => {
  t.true(readable("failed after 3 attempt(s): InvokeAI unavailable: connection refused"));
  t.false(readable(null));
  t.false(readable(""));
  t.false(readable("[object Object]"));
  t.false(readable("Error: boom\n    at run (worker/process/processor.ts:10:5)"));
});
