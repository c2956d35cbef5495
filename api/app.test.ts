import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import test from "ava";
import { Queue } from "bullmq";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Redis } from "ioredis";
import { producerOptions } from "../worker/adapters/redis.ts";
import { jobDataSchema, type JobData } from "../worker/job/schema.ts";
import { imageKey } from "../worker/job/keys.ts";
import { GenerationStore } from "../worker/store.ts";
import { bullJobQueue } from "./adapters/queue.ts";
import { appDeps, closeQueue, createApp, createWorld, token, type World } from "./test-support.ts";
import type { AppDeps } from "./app.ts";
import { ApiMetrics, serveMetrics } from "./metrics.ts";

interface Harness {
  world: World;
  url: string;
  deps: AppDeps;
  queue: Queue;
}

async function listen(deps: AppDeps): Promise<{ url: string; server: Server }> {
  const handle = createApp(deps).callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function harness(t: { teardown: (fn: () => Promise<void> | void) => void }, overrides: Partial<AppDeps> = {}): Promise<Harness> {
  const world = await createWorld();
  const deps = appDeps(world, overrides);
  const { url, server } = await listen(deps);
  const queue = new Queue(world.env.QUEUE_NAME, { connection: { host: world.env.REDIS_HOST, port: world.env.REDIS_PORT, showFriendlyErrorStack: true } });
  t.teardown(async () => {
    server.close();
    await closeQueue(queue);
    await deps.close();
    await world.cleanup();
  });
  return { world, url, deps, queue };
}

const VALID = { prompt: "a lighthouse at dusk", model: "sdxl-base", width: 512, height: 512, steps: 20, cfgScale: 7, seed: 42, scheduler: "euler", category: "art" };

async function post(h: Pick<Harness, "url">, body: unknown, opts: { auth?: string | null; headers?: Record<string, string>; raw?: string } = {}): Promise<Response> {
  const auth = opts.auth === undefined ? `Bearer ${await token("alice")}` : opts.auth;
  return fetch(`${h.url}/api/v1/generations`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(auth ? { authorization: auth } : {}), ...opts.headers },
    body: opts.raw ?? JSON.stringify(body),
  });
}

async function as(h: Harness, user: string, path: string, method = "GET"): Promise<Response> {
  return fetch(`${h.url}${path}`, { method, headers: { authorization: `Bearer ${await token(user)}` } });
}

async function rowCount(h: Pick<Harness, "world">): Promise<number> {
  const res = await h.world.db.query<{ n: string }>("SELECT count(*) AS n FROM generations");
  return Number(res.rows[0]?.n);
}

async function jobCount(h: Harness): Promise<number> {
  const counts = await h.queue.getJobCounts("waiting", "active", "delayed", "completed", "failed", "prioritized");
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

const badInput: { title: string; body?: unknown; raw?: string; status: number; field?: string; mentions?: string[] }[] = [
  { title: "missing prompt", body: { ...VALID, prompt: undefined }, status: 400, field: "prompt" },
  { title: "empty prompt", body: { ...VALID, prompt: "   " }, status: 400, field: "prompt" },
  { title: "steps 10000", body: { ...VALID, steps: 10000 }, status: 400, field: "steps", mentions: ["10000", "1 to 150"] },
  { title: "width 1001 (not a multiple of 8)", body: { ...VALID, width: 1001 }, status: 400, field: "width", mentions: ["1001", "multiple of 8"] },
  { title: "height above the maximum", body: { ...VALID, height: 4096 }, status: 400, field: "height", mentions: ["4096", "2048"] },
  { title: "unknown model", body: { ...VALID, model: "stolen-model" }, status: 400, field: "model", mentions: ["stolen-model", "sdxl-base"] },
  { title: "bad scheduler", body: { ...VALID, scheduler: "fastest" }, status: 400, field: "scheduler", mentions: ["fastest"] },
  { title: "cfgScale below 1", body: { ...VALID, cfgScale: 0.5 }, status: 400, field: "cfgScale", mentions: ["0.5"] },
  { title: "seed out of range", body: { ...VALID, seed: -1 }, status: 400, field: "seed" },
  { title: "category with a slash", body: { ...VALID, category: "../etc" }, status: 400, field: "category" },
  { title: "unknown field", body: { ...VALID, userId: "mallory" }, status: 400, field: "userId" },
  { title: "body not an object", body: [1, 2], status: 400, field: "" },
  { title: "malformed JSON", raw: '{"prompt": "x",', status: 400 },
  { title: "oversized body", body: { ...VALID, prompt: "x".repeat(20_000) }, status: 413 },
];

for (const row of badInput) {
  test(`[integration] POST rejects ${row.title} with ${row.status}, no row, no job`, async (t) => {
    const h = await harness(t);
    const res = await post(h, row.body, row.raw === undefined ? {} : { raw: row.raw });
    t.is(res.status, row.status);
    const body = (await res.json()) as { error: string; message: string; details?: { field: string; message: string }[] };
    t.is(typeof body.message, "string");
    t.false(JSON.stringify(body).includes("    at "), "no stack trace");
    if (row.field !== undefined) {
      const detail = body.details?.find((d) => d.field === row.field);
      t.truthy(detail, `details name the field ${row.field}: ${JSON.stringify(body)}`);
      for (const m of row.mentions ?? []) t.true(detail!.message.includes(m), `"${detail!.message}" mentions ${m}`);
    }
    t.is(await rowCount(h), 0);
    t.is(await jobCount(h), 0);
  });
}

test("[integration] POST with a non-JSON content type is 415", async (t) => {
  const h = await harness(t);
  const res = await post(h, undefined, { raw: "prompt=x", headers: { "content-type": "application/x-www-form-urlencoded" } });
  t.is(res.status, 415);
  t.is(await rowCount(h), 0);
});

const badTokens: { title: string; auth: () => Promise<string | null>; mentions: string }[] = [
  { title: "no token", auth: () => Promise.resolve(null), mentions: "Bearer" },
  { title: "an expired token", auth: async () => `Bearer ${await token("alice", { expiresIn: Math.floor(Date.now() / 1000) - 60 })}`, mentions: "expired" },
  { title: "a token for another audience", auth: async () => `Bearer ${await token("alice", { audience: "other-api" })}`, mentions: "aud" },
  { title: "a token from another issuer", auth: async () => `Bearer ${await token("alice", { issuer: "https://evil.test/" })}`, mentions: "iss" },
  { title: "a token signed with another secret", auth: async () => `Bearer ${await token("alice", { secret: "another-secret-that-is-32-bytes-long!!" })}`, mentions: "signature" },
  {
    title: "an alg:none token",
    auth: () => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const now = Math.floor(Date.now() / 1000);
      return Promise.resolve(`Bearer ${enc({ alg: "none", typ: "JWT" })}.${enc({ sub: "alice", iss: "https://auth.genpool.test/", aud: "genpool-api", iat: now, exp: now + 600 })}.`);
    },
    mentions: "Bearer token",
  },
  { title: "a token whose subject is not a safe user id", auth: async () => `Bearer ${await token("../../admin")}`, mentions: "subject" },
];

for (const row of badTokens) {
  test(`[integration] POST with ${row.title} is 401, no row, no job`, async (t) => {
    const h = await harness(t);
    const res = await post(h, VALID, { auth: await row.auth() });
    t.is(res.status, 401);
    t.regex(res.headers.get("www-authenticate") ?? "", /^Bearer/);
    const body = (await res.json()) as { message: string };
    t.true(body.message.includes(row.mentions), body.message);
    t.is(await rowCount(h), 0);
    t.is(await jobCount(h), 0);
  });
}

test("[integration] POST queues a generation: 202, a queued row and one job whose id is the generation id", async (t) => {
  const h = await harness(t);
  const res = await post(h, { prompt: "a red fox", model: "sd15" });
  t.is(res.status, 202);
  const body = (await res.json()) as { id: string; status: string; statusUrl: string };
  t.is(body.status, "queued");
  t.is(body.statusUrl, `/api/v1/generations/${body.id}`);
  t.is(res.headers.get("location"), body.statusUrl);
  const job = await h.queue.getJob(body.id);
  t.truthy(job);
  const data = jobDataSchema.parse(job!.data);
  t.is(data.userId, "alice");
  t.is(data.generationId, body.id);
  t.is(data.params.width, 1024, "defaults are applied");
  t.true(Number.isInteger(data.params.seed), "a seed is fixed at enqueue");
  t.is(job!.opts.attempts, 3);
  const status = await as(h, "alice", body.statusUrl);
  t.is(status.status, 200);
  const view = (await status.json()) as { status: string; progress: number; imageName: null };
  t.like(view, { status: "queued", progress: 0, imageName: null });
});

test("[integration] Idempotency-Key: a retried request returns the same generation and enqueues once", async (t) => {
  const h = await harness(t);
  const headers = { "idempotency-key": "req-123" };
  const first = (await (await post(h, VALID, { headers })).json()) as { id: string };
  const again = await post(h, VALID, { headers });
  t.is(again.status, 202);
  t.is(((await again.json()) as { id: string }).id, first.id);
  t.is(await rowCount(h), 1);
  t.is(await jobCount(h), 1);
  const conflict = await post(h, { ...VALID, prompt: "something else" }, { headers });
  t.is(conflict.status, 409);
  const otherUser = await post(h, VALID, { headers, auth: `Bearer ${await token("bob")}` });
  t.not(((await otherUser.json()) as { id: string }).id, first.id, "keys are per user");
});

test("[integration] the per-user rate limit answers 429 with Retry-After", async (t) => {
  const world = await createWorld();
  const deps = appDeps(world);
  deps.config = { ...deps.config, RATE_LIMIT_MAX: 2, RATE_LIMIT_WINDOW_SECONDS: 60 };
  const { url, server } = await listen(deps);
  t.teardown(async () => {
    server.close();
    await deps.close();
    await world.cleanup();
  });
  const h = { world, url };
  t.is((await post(h, VALID)).status, 202);
  t.is((await post(h, VALID)).status, 202);
  const limited = await post(h, VALID);
  t.is(limited.status, 429);
  const retryAfter = Number(limited.headers.get("retry-after"));
  t.true(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
  t.is(await rowCount(h), 2);
  t.is((await post(h, VALID, { auth: `Bearer ${await token("bob")}` })).status, 202, "other users are not limited");
});

const deadRedis = { REDIS_HOST: "127.0.0.1", REDIS_PORT: 1 };

/**
 * A producer queue on a port where nothing listens, over a connection the test owns. The client
 * makes one connection attempt and then gives up (no reconnects, no offline queue), so every
 * command fails at once and nothing is left pending when the test ends; BullMQ does not close a
 * connection it was given, and closing its own while a reconnect loop holds commands rejects
 * them behind the test ("Connection is closed", counted by ava as unhandled rejections).
 */
function deadQueueOf(world: World): { queue: Queue<JobData>; close: () => Promise<void> } {
  const client = new Redis({ ...producerOptions({ ...world.env, ...deadRedis }), enableOfflineQueue: false, retryStrategy: () => null, maxRetriesPerRequest: null, showFriendlyErrorStack: true });
  client.on("error", () => undefined);
  const queue = new Queue<JobData>(world.env.QUEUE_NAME, { connection: client });
  queue.on("error", () => undefined);
  return {
    queue,
    close: async () => {
      await queue.close().catch(() => undefined);
      client.disconnect();
    },
  };
}

test("[integration] queue unreachable while rate limiting works: POST is 503 and the row is rolled back", async (t) => {
  const world = await createWorld();
  const deadQueue = deadQueueOf(world);
  const deps = appDeps(world, { queue: bullJobQueue(deadQueue.queue, { attempts: 1, backoffMs: 0 }) });
  const { url, server } = await listen(deps);
  t.teardown(async () => {
    server.close();
    await deadQueue.close();
    await deps.close();
    await world.cleanup();
  });
  const res = await post({ url }, VALID);
  t.is(res.status, 503);
  t.like(await res.json(), { error: "unavailable" });
  t.is(await rowCount({ world }), 0);
});

test("[integration] Redis down: POST is 503, no row; readiness is 503; liveness stays 200", async (t) => {
  const world = await createWorld();
  const deadQueue = deadQueueOf(world);
  // Like the dead queue's connection: one attempt, no offline queue, so nothing is pending at disconnect.
  const deadClient = new Redis({ ...producerOptions({ ...world.env, ...deadRedis }), enableOfflineQueue: false, retryStrategy: () => null, showFriendlyErrorStack: true });
  deadClient.on("error", () => undefined);
  const deps = appDeps(world, { queue: bullJobQueue(deadQueue.queue, { attempts: 1, backoffMs: 0 }), redis: deadClient });
  const { url, server } = await listen(deps);
  t.teardown(async () => {
    server.close();
    deadClient.disconnect();
    await deadQueue.close();
    await deps.close();
    await world.cleanup();
  });
  const res = await post({ url }, VALID);
  t.is(res.status, 503);
  t.is(await rowCount({ world }), 0);
  const ready = await fetch(`${url}/api/v1/health`);
  t.is(ready.status, 503);
  t.like(await ready.json(), { checks: { redis: "unavailable", postgres: "ok" } });
  t.is((await fetch(`${url}/health`)).status, 200);
});

test("[integration] readiness is 200 when Redis and PostgreSQL answer", async (t) => {
  const h = await harness(t);
  const res = await fetch(`${h.url}/api/v1/health`);
  t.is(res.status, 200);
  t.like(await res.json(), { status: "ok", checks: { redis: "ok", postgres: "ok" } });
});

/** Completes a generation the way the worker does: object in S3, image row, generation completed. */
async function complete(h: Harness, generationId: string): Promise<JobData> {
  const job = jobDataSchema.parse((await h.queue.getJob(generationId))!.data);
  const key = imageKey(job.userId, job.category, job.imageName);
  await h.world.s3.send(new PutObjectCommand({ Bucket: h.world.env.S3_BUCKET, Key: key, Body: Buffer.from("png bytes"), ContentType: "image/png" }));
  await new GenerationStore(h.world.db).begin(generationId);
  await new GenerationStore(h.world.db).complete(job, { s3Key: key, contentType: "image/png", sizeBytes: 9, width: 512, height: 512 });
  return job;
}

test("[integration] another user gets 404 for someone's generation, image URL and delete; the owner gets them", async (t) => {
  const h = await harness(t);
  const { id } = (await (await post(h, VALID)).json()) as { id: string };
  const job = await complete(h, id);
  const name = job.imageName;
  for (const [path, method] of [[`/api/v1/generations/${id}`, "GET"], [`/api/v1/images/${name}/url`, "GET"], [`/api/v1/images/${name}`, "DELETE"]] as const) {
    const res = await as(h, "bob", path, method);
    t.is(res.status, 404, `${method} ${path}`);
    t.like(await res.json(), { error: "not_found" });
  }
  const bobList = (await (await as(h, "bob", "/api/v1/images")).json()) as { images: unknown[] };
  t.deepEqual(bobList.images, []);

  const gen = (await (await as(h, "alice", `/api/v1/generations/${id}`)).json()) as { status: string; imageName: string };
  t.like(gen, { status: "completed", imageName: name });
  const url = (await (await as(h, "alice", `/api/v1/images/${name}/url`)).json()) as { url: string; expiresAt: string };
  const expiresIn = Date.parse(url.expiresAt) - Date.now();
  t.true(expiresIn > 3500_000 && expiresIn <= 3600_000);
  t.true(new URL(url.url).searchParams.get("X-Amz-Expires") === "3600");
  t.is(await (await fetch(url.url)).text(), "png bytes");

  t.is((await as(h, "alice", `/api/v1/images/${name}`, "DELETE")).status, 204);
  t.is((await fetch(url.url)).status, 404, "object is gone");
  t.is((await as(h, "alice", `/api/v1/images/${name}/url`)).status, 404, "row is gone");
});

test("[integration] GET /api/v1/images pages with a cursor, newest first", async (t) => {
  const h = await harness(t);
  const names: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { id } = (await (await post(h, { ...VALID, seed: i })).json()) as { id: string };
    names.push((await complete(h, id)).imageName);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const q: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
    const page = (await (await as(h, "alice", `/api/v1/images${q}`)).json()) as { images: { name: string }[]; nextCursor: string | null };
    seen.push(...page.images.map((i) => i.name));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  t.is(pages, 3);
  t.deepEqual(seen, [...names].reverse());
  const bad = await as(h, "alice", "/api/v1/images?cursor=nonsense");
  t.is(bad.status, 400);
  t.like(await bad.json(), { details: [{ field: "cursor" }] });
  t.is((await as(h, "alice", "/api/v1/images?limit=1000")).status, 400);
});

test("[integration] openapi.json describes every route and the request schema", async (t) => {
  const h = await harness(t);
  const doc = (await (await fetch(`${h.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, unknown>; components: { schemas: { GenerationRequest: { properties: Record<string, { enum?: string[] }> } } } };
  for (const p of ["/health", "/api/v1/health", "/api/v1/generations", "/api/v1/generations/{id}", "/api/v1/images", "/api/v1/images/{name}/url", "/api/v1/images/{name}"]) {
    t.truthy(doc.paths[p], p);
  }
  t.deepEqual(doc.components.schemas.GenerationRequest.properties.model?.enum, ["sdxl-base", "sd15"]);
  t.is((await fetch(`${h.url}/api/v1/nothing`)).status, 404);
});

test("[integration] metrics: requests are counted by route pattern and final status, timed, and served on their own port with the sweep's repairs", async (t) => {
  const metrics = new ApiMetrics();
  const h = await harness(t, { metrics });
  const server = await serveMetrics(0, metrics);
  t.teardown(() => server.close());
  t.is((await post(h, VALID)).status, 202);
  t.is((await post(h, { ...VALID, steps: 10_000 })).status, 400);
  const auth = { authorization: `Bearer ${await token("alice")}` };
  t.is((await fetch(`${h.url}/api/v1/generations/00000000-0000-4000-8000-000000000000`, { headers: auth })).status, 404);
  t.is((await fetch(`${h.url}/no/such/path`)).status, 404);
  metrics.sweep({ ran: true, checked: 3, readded: ["a", "b"], failed: ["c"] });
  metrics.sweep({ ran: false, checked: 0, readded: [], failed: [] });

  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
  t.is(res.status, 200);
  const text = await res.text();
  for (const line of [
    'genpool_api_requests_total{method="POST",route="/api/v1/generations",status="202"} 1',
    'genpool_api_requests_total{method="POST",route="/api/v1/generations",status="400"} 1',
    'genpool_api_requests_total{method="GET",route="/api/v1/generations/:id",status="404"} 1',
    'genpool_api_requests_total{method="GET",route="unmatched",status="404"} 1',
    'genpool_api_request_duration_seconds_count{method="POST",route="/api/v1/generations"} 2',
    'genpool_api_recovered_generations_total{action="readded"} 2',
    'genpool_api_recovered_generations_total{action="failed"} 1',
    "genpool_api_recovery_sweeps_total 1",
  ]) t.true(text.includes(line), `${line}\nin:\n${text.split("\n").filter((l) => l.startsWith("genpool_api_r")).join("\n")}`);
  t.is((await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/other`)).status, 404);
});
