/**
 * Shared wiring of the security tests: the real API app on an isolated World (own schema, queue and
 * bucket on the sandbox's PostgreSQL, Redis and moto), listening on a free loopback port, and a
 * completed generation seeded the way the worker stores one.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Queue } from "bullmq";
import { appDeps, closeQueue, createApp, createWorld, token, type World } from "../../api/test-support.ts";
import type { AppDeps } from "../../api/app.ts";
import type { AppSettings } from "../../api/deps.ts";
import { imageKey } from "../../worker/job/keys.ts";
import { jobDataSchema, type JobData } from "../../worker/job/schema.ts";
import { GenerationStore } from "../../worker/store.ts";

/** A running API on its own World. */
export interface Api {
  world: World;
  deps: AppDeps;
  url: string;
  queue: Queue;
}

/** A valid generation request body. */
export const VALID_REQUEST = { prompt: "a lighthouse at dusk", model: "sdxl-base", width: 512, height: 512, steps: 20, cfgScale: 7, seed: 42, scheduler: "euler", category: "art" };

/** Starts the API (createApp on real dependencies, `settings` over the test defaults) on 127.0.0.1:<free port>; stopped in t.teardown. */
export async function startApi(
  t: { teardown: (fn: () => Promise<void> | void) => void },
  overrides: Partial<AppDeps> = {},
  settings: Partial<AppSettings> = {},
): Promise<Api> {
  const world = await createWorld();
  const base = appDeps(world, overrides);
  const deps = { ...base, config: { ...base.config, ...settings } };
  const handle = createApp(deps).callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const queue = new Queue(world.env.QUEUE_NAME, { connection: { host: world.env.REDIS_HOST, port: world.env.REDIS_PORT } });
  t.teardown(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await closeQueue(queue);
    await deps.close();
    await world.cleanup();
  });
  return { world, deps, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queue };
}

/** Queues a generation for `user` through the API (HS256 test token unless `authorization` is given) and completes it as the worker does (object in S3, image row). */
export async function seedCompleted(
  api: Api,
  user: string,
  body: Record<string, unknown> = VALID_REQUEST,
  authorization?: string,
): Promise<JobData & { s3Key: string }> {
  const res = await fetch(`${api.url}/api/v1/generations`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: authorization ?? `Bearer ${await token(user)}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`seeding a generation for ${user}: POST answered ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const job = jobDataSchema.parse((await api.queue.getJob(id))?.data);
  const s3Key = imageKey(job.userId, job.category, job.imageName);
  await api.world.s3.send(new PutObjectCommand({ Bucket: api.world.env.S3_BUCKET, Key: s3Key, Body: Buffer.from(`png bytes of ${job.imageName}`), ContentType: "image/png" }));
  const store = new GenerationStore(api.world.db);
  await store.begin(id);
  await store.complete(job, { s3Key, contentType: "image/png", sizeBytes: 9, width: 512, height: 512 });
  return { ...job, s3Key };
}
