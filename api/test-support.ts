/**
 * Test wiring for api/ and worker/ tests: real Redis, PostgreSQL and S3 (moto) from the
 * environment that `npm test` exports, isolated per test (own DB schema, queue, bucket).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { SignJWT } from "jose";
import { pino } from "pino";
import { createPool, type Pool } from "../worker/adapters/pg.ts";
import { createProducerRedis, createQueue, Redis } from "../worker/adapters/redis.ts";
import { createS3, type S3Client } from "../worker/adapters/s3.ts";
import type { DbConfig, RedisConfig, S3Config } from "../worker/config/env.ts";
import { bullJobQueue } from "./adapters/queue.ts";
import { s3Storage } from "./adapters/s3.ts";
import { createApp, type AppDeps } from "./app.ts";
import { createVerifier } from "./auth.ts";
import { migrate } from "./db/migrate.ts";

const need = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the integration tests through \`npm test\` (test/run.ts starts the services)`);
  return v;
};

/** Connection settings from the environment. */
export function serviceEnv(): DbConfig & S3Config & Omit<RedisConfig, "QUEUE_NAME"> {
  return {
    DB_HOST: need("DB_HOST"),
    DB_PORT: Number(need("DB_PORT")),
    DB_NAME: need("DB_NAME"),
    DB_USER: need("DB_USER"),
    DB_PASSWORD: process.env.DB_PASSWORD ?? "",
    DB_SSL: false,
    DB_POOL_MAX: 5,
    REDIS_HOST: need("REDIS_HOST"),
    REDIS_PORT: Number(need("REDIS_PORT")),
    REDIS_PASSWORD: process.env.REDIS_PASSWORD,
    REDIS_TLS: false,
    QUEUE_PREFIX: "bull",
    S3_BUCKET: "unused",
    AWS_REGION: process.env.AWS_REGION ?? "us-east-1",
    AWS_ENDPOINT_URL: need("AWS_ENDPOINT_URL"),
  };
}

/** A unique lowercase name for queues, schemas and buckets. */
export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(5).toString("hex")}`;

/** An isolated world: a migrated schema, a bucket and a queue name of its own. */
export interface World {
  env: ReturnType<typeof serviceEnv> & { QUEUE_NAME: string; S3_BUCKET: string };
  schema: string;
  db: Pool;
  s3: S3Client;
  redis: Redis;
  cleanup: () => Promise<void>;
}

/** Creates a World; call cleanup() in t.teardown. */
export async function createWorld(): Promise<World> {
  const base = serviceEnv();
  const schema = uniqueName("t").replace("-", "_");
  const admin = createPool(base);
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const env = { ...base, QUEUE_NAME: uniqueName("q"), S3_BUCKET: uniqueName("b") };
  const db = createPool(env, schema);
  await migrate(db);
  const s3 = createS3(env);
  await s3.send(new CreateBucketCommand({ Bucket: env.S3_BUCKET }));
  // Friendly stacks: a rejected command names the line that sent it, not only ioredis' internals.
  const redis = new Redis({ host: env.REDIS_HOST, port: env.REDIS_PORT, password: env.REDIS_PASSWORD, maxRetriesPerRequest: 3, showFriendlyErrorStack: true });
  return {
    env,
    schema,
    db,
    s3,
    redis,
    cleanup: async () => {
      const keys = await redis.keys(`bull:${env.QUEUE_NAME}:*`);
      for (let i = 0; i < keys.length; i += 1000) await redis.unlink(...keys.slice(i, i + 1000));
      await closeRedis(redis);
      await db.end();
      const drop = createPool(base);
      await drop.query(`DROP SCHEMA ${schema} CASCADE`);
      await drop.end();
      s3.destroy();
    },
  };
}

export const ISSUER = "https://auth.genpool.test/";
export const AUDIENCE = "genpool-api";
export const SECRET = "test-secret-that-is-at-least-32-bytes-long!";
export const MODELS: [string, ...string[]] = ["sdxl-base", "sd15"];

/** An HS256 token for `sub`, with overridable claims. */
export async function token(sub: string, opts: { audience?: string; issuer?: string; expiresIn?: string | number; secret?: string } = {}): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(sub)
    .setIssuer(opts.issuer ?? ISSUER)
    .setAudience(opts.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? "10m")
    .sign(new TextEncoder().encode(opts.secret ?? SECRET));
}

/**
 * Closes a test's Redis client without dropping a command: QUIT once it is connected (Redis
 * answers every command sent before it), otherwise a disconnect. A disconnect with commands in
 * flight rejects them ("Connection is closed"), and a command nobody awaits any more becomes an
 * unhandled rejection behind the test.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === "ready") await redis.quit().catch(() => undefined);
  else redis.disconnect();
}

/**
 * Closes a test's BullMQ queue once its connection is ready. A queue closed while still
 * connecting disconnects with BullMQ's own `INFO` in flight, and that rejection reaches no handler
 * (seen as "Connection is closed" unhandled rejections after the test, on a fresh Redis).
 */
export async function closeQueue(queue: { waitUntilReady(): Promise<unknown>; close(): Promise<void> }): Promise<void> {
  await queue.waitUntilReady().catch(() => undefined);
  await queue.close();
}

/**
 * App dependencies on a World, with real Redis, queue, S3 and PostgreSQL. A Redis client or queue
 * given in `overrides` replaces the real one, which is then not created at all.
 */
export function appDeps(world: World, overrides: Partial<AppDeps> = {}): AppDeps & { close: () => Promise<void> } {
  const redis = overrides.redis === undefined ? createProducerRedis(world.env) : undefined;
  // The production client, with friendly stacks (see createWorld); ioredis reads the option per command.
  if (redis !== undefined) redis.options.showFriendlyErrorStack = true;
  const queue = overrides.queue === undefined ? createQueue(world.env) : undefined;
  return {
    config: { ALLOWED_MODELS: MODELS, QUEUE_NAME: world.env.QUEUE_NAME, RATE_LIMIT_MAX: 100, RATE_LIMIT_WINDOW_SECONDS: 60, BODY_LIMIT_BYTES: 16_384, PRESIGN_SECONDS: 3600 },
    db: world.db,
    redis: overrides.redis ?? redis!,
    queue: overrides.queue ?? bullJobQueue(queue!, { attempts: 3, backoffMs: 100 }),
    storage: s3Storage(world.s3, world.env.S3_BUCKET),
    verifyToken: createVerifier({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_HS256_SECRET: SECRET }),
    log: pino({ level: "silent" }),
    now: Date.now,
    ...overrides,
    close: async () => {
      if (queue !== undefined) await closeQueue(queue);
      if (redis !== undefined) await closeRedis(redis);
    },
  };
}

export { createApp, randomUUID };
