/**
 * The data path of one reliability test, all real except InvokeAI: a private Redis (AOF on; or a
 * primary and a replica behind one endpoint), a private PostgreSQL, a bucket of its own on the
 * sandbox's moto, the API (createApp and its recovery sweep) listening in this process, worker
 * processes from worker/main.ts, and the fake InvokeAI server.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { Queue } from "bullmq";
import { appDeps, AUDIENCE, createApp, ISSUER, MODELS, SECRET, token, uniqueName, type World } from "../../../api/test-support.ts";
import { bullJobQueue, bullQueueInspector } from "../../../api/adapters/queue.ts";
import { RECOVERY_DEFAULTS, startRecovery, type RecoveryOptions, type RecoveryTotals } from "../../../api/recovery.ts";
import { createPool } from "../../../worker/adapters/pg.ts";
import { createQueue, Redis } from "../../../worker/adapters/redis.ts";
import { createS3 } from "../../../worker/adapters/s3.ts";
import { migrate } from "../../../api/db/migrate.ts";
import type { JobData } from "../../../worker/job/schema.ts";
import { eventually, exited, spawnWorker } from "../../../worker/test-support.ts";
import { FakeInvokeAI, type Scenario } from "../../fakes/invokeai/server.ts";
import { freePorts } from "../../../sandbox/ports.ts";
import { PrivatePostgres, PrivateRedis, ReplicatedRedis } from "./services.ts";

/** How the stack is built. */
export interface StackOptions {
  /** Worker processes started at once. @default 2 */
  workers?: number;
  /** Extra environment of every worker (e.g. GENERATION_TIMEOUT_SECONDS). */
  workerEnv?: Record<string, string>;
  /** Attempts per job (JOB_ATTEMPTS). @default 5 */
  attempts?: number;
  /** First backoff of a retried job (JOB_BACKOFF_MS). @default 200 */
  backoffMs?: number;
  /** Initial fake InvokeAI scenario. */
  scenario?: Partial<Scenario>;
  /** Users the stream posts as. @default 4 */
  users?: number;
  /** Run the API as its own process (api/main.ts) instead of createApp in this process. @default false */
  apiProcess?: boolean;
  /** Redis as one server, or a primary and a replica behind one endpoint (`stack.replicated`). @default "single" */
  redis?: "single" | "replicated";
  /** The API's recovery sweep (RECOVERY_*). @default RECOVERY_DEFAULTS */
  recovery?: Pick<RecoveryOptions, "intervalSeconds" | "minAgeSeconds">;
}

/** A worker process of the stack. */
export interface WorkerProcess {
  pod: string;
  child: ReturnType<typeof spawnWorker>;
  exited: Promise<number | string>;
}

/** Everything a fault test drives and inspects. */
export interface Stack {
  world: World;
  /** Base URL of the API. */
  api: string;
  /** Bearer tokens, one per user. */
  tokens: { user: string; token: string }[];
  fake: FakeInvokeAI;
  /** The Redis server (with `redis: "replicated"`, the first primary). */
  redis: PrivateRedis;
  /** The primary, replica and endpoint, with `redis: "replicated"`. */
  replicated: ReplicatedRedis | null;
  /** What the in-process API's recovery sweep has done (zeros with `apiProcess`). */
  recovery: RecoveryTotals;
  postgres: PrivatePostgres;
  /** A BullMQ handle for inspection; waits out Redis outages. */
  queue: Queue<JobData>;
  workers: WorkerProcess[];
  /** Starts one more worker process (POD_NAME = `pod` when given). */
  addWorker(extraEnv?: Record<string, string>, pod?: string): WorkerProcess;
  /** Output of every worker process so far, for failure messages. */
  workerLogs(): string;
  close(): Promise<void>;
}

const SCHEMA = "genpool";

let bundled: Promise<void> | undefined;

/**
 * Worker processes run worker/main.ts bundled once per test process with the flags of
 * `npm run build` (the production artifact), unless GENPOOL_WORKER_ENTRY names a bundle already:
 * a dozen tsx processes transpiling the sources at once starve a 2-core machine for a minute.
 */
function bundleWorker(): Promise<void> {
  if (process.env.GENPOOL_WORKER_ENTRY) return Promise.resolve();
  bundled ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "genpool-rel-worker-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, "main.mjs");
    await build({
      entryPoints: ["worker/main.ts"], bundle: true, platform: "node", format: "esm", target: "node20", outfile, logLevel: "warning", external: ["pg-native"],
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    });
    process.env.GENPOOL_WORKER_ENTRY = outfile;
  })();
  return bundled;
}

/** One Redis server, or a primary and its replica behind an endpoint; `port` is where clients connect. */
async function startRedis(mode: "single" | "replicated"): Promise<{ redis: PrivateRedis; replicated: ReplicatedRedis | null; port: number }> {
  if (mode === "single") {
    const redis = await PrivateRedis.start();
    return { redis, replicated: null, port: redis.port };
  }
  const replicated = await ReplicatedRedis.start();
  return { redis: replicated.primary, replicated, port: replicated.port };
}

/** Builds the stack; register `close` in t.teardown. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  await bundleWorker();
  const [{ redis, replicated, port: redisPort }, postgres] = await Promise.all([startRedis(opts.redis ?? "single"), PrivatePostgres.start()]);
  const endpoint = process.env.AWS_ENDPOINT_URL;
  if (!endpoint) throw new Error("AWS_ENDPOINT_URL is not set: run through `npm test` or with a sandbox's env file loaded (S3 is the sandbox's moto)");
  const env = {
    AWS_ENDPOINT_URL: endpoint, AWS_REGION: process.env.AWS_REGION ?? "us-east-1", DB_SSL: false, REDIS_TLS: false, QUEUE_PREFIX: "bull",
    DB_HOST: "127.0.0.1", DB_PORT: postgres.port, DB_NAME: postgres.database, DB_USER: postgres.user, DB_PASSWORD: postgres.password, DB_POOL_MAX: 10,
    REDIS_HOST: "127.0.0.1", REDIS_PORT: redisPort, REDIS_PASSWORD: undefined,
    QUEUE_NAME: uniqueName("rel"), S3_BUCKET: uniqueName("rel"),
  };
  const admin = createPool(env);
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  await admin.end();
  const db = createPool(env, SCHEMA);
  await migrate(db);
  const s3 = createS3(env);
  await s3.send(new CreateBucketCommand({ Bucket: env.S3_BUCKET }));
  const inspect = new Redis({ host: env.REDIS_HOST, port: env.REDIS_PORT, maxRetriesPerRequest: null });
  inspect.on("error", () => undefined);
  const world: World = { env, schema: SCHEMA, db, s3, redis: inspect, cleanup: () => Promise.resolve() };

  const fake = await new FakeInvokeAI().start();
  Object.assign(fake.scenario, { runningPolls: 3, ...opts.scenario });

  const retry = { attempts: opts.attempts ?? 5, backoffMs: opts.backoffMs ?? 200 };
  const recovery = { ...RECOVERY_DEFAULTS, ...opts.recovery };
  const { api, stop: stopApi, totals } = opts.apiProcess ? await apiProcess(world, retry, recovery) : await inProcessApi(world, retry, recovery);

  const users = Array.from({ length: opts.users ?? 4 }, (_, i) => `rel-user-${i}`);
  const tokens = await Promise.all(users.map(async (user) => ({ user, token: await token(user, { expiresIn: "2h" }) })));
  const queue = new Queue<JobData>(env.QUEUE_NAME, { connection: { host: env.REDIS_HOST, port: env.REDIS_PORT, maxRetriesPerRequest: null } });
  queue.on("error", () => undefined);

  const workers: WorkerProcess[] = [];
  const addWorker = (extraEnv: Record<string, string> = {}, pod = `rel-worker-${workers.length}`): WorkerProcess => {
    const child = spawnWorker(world, {
      BACKEND: "invokeai", INVOKEAI_URL: fake.url, POD_NAME: pod, DB_POOL_MAX: "4",
      ...opts.workerEnv, ...extraEnv,
    });
    const w = { pod, child, exited: exited(child) };
    workers.push(w);
    return w;
  };
  for (let i = 0; i < (opts.workers ?? 2); i++) addWorker();

  return {
    world, api, tokens, fake, redis, replicated, recovery: totals, postgres, queue, workers, addWorker,
    workerLogs: () => workers.map((w) => `--- ${w.pod}\n${w.child.output().split("\n").slice(-40).join("\n")}`).join("\n"),
    close: async () => {
      for (const w of workers) w.child.kill("SIGKILL");
      await Promise.all(workers.map((w) => w.exited));
      await Promise.allSettled([stopApi(), queue.close(), fake.stop()]);
      inspect.disconnect();
      await db.end();
      s3.destroy();
      await Promise.allSettled([replicated ? replicated.destroy() : redis.destroy(), postgres.destroy()]);
    },
  };
}

type Retry = { attempts: number; backoffMs: number };
type RunningApi = { api: string; stop: () => Promise<void>; totals: RecoveryTotals };

/** createApp and the recovery sweep on the world, listening on a free port of this process. */
async function inProcessApi(world: World, retry: Retry, recovery: RecoveryOptions): Promise<RunningApi> {
  const producer = createQueue(world.env);
  const deps = appDeps(world, { queue: bullJobQueue(producer, retry) });
  deps.config = { ...deps.config, RATE_LIMIT_MAX: 1_000_000 };
  const sweeper = startRecovery({ db: world.db, queueName: world.env.QUEUE_NAME, queue: deps.queue, inspector: bullQueueInspector(producer), log: deps.log }, recovery);
  const handle = createApp(deps).callback();
  const server: Server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    api: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    totals: sweeper.totals,
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await sweeper.stop();
      await Promise.allSettled([producer.close(), deps.close()]);
    },
  };
}

/** api/main.ts as a child process on the world; resolves once /api/v1/health answers 200. */
async function apiProcess(world: World, retry: Retry, recovery: RecoveryOptions): Promise<RunningApi> {
  const [port] = await freePorts(1);
  const e = world.env;
  const child = spawn(process.execPath, ["--import", "tsx", "api/main.ts"], {
    env: {
      PATH: process.env.PATH ?? "", AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? "test", AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? "test",
      AWS_REGION: e.AWS_REGION, AWS_ENDPOINT_URL: e.AWS_ENDPOINT_URL ?? "", S3_BUCKET: e.S3_BUCKET,
      DB_HOST: e.DB_HOST, DB_PORT: String(e.DB_PORT), DB_NAME: e.DB_NAME, DB_USER: e.DB_USER, DB_PASSWORD: e.DB_PASSWORD, DB_SCHEMA: world.schema, DB_POOL_MAX: "10",
      REDIS_HOST: e.REDIS_HOST, REDIS_PORT: String(e.REDIS_PORT), QUEUE_NAME: e.QUEUE_NAME,
      PORT: String(port), JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_HS256_SECRET: SECRET, ALLOWED_MODELS: MODELS.join(","),
      RATE_LIMIT_MAX: "1000000", JOB_ATTEMPTS: String(retry.attempts), JOB_BACKOFF_MS: String(retry.backoffMs),
      RECOVERY_INTERVAL_SECONDS: String(recovery.intervalSeconds), RECOVERY_MIN_AGE_SECONDS: String(recovery.minAgeSeconds),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
  const done = exited(child);
  const api = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}: ${stderr}`);
    return fetch(`${api}/api/v1/health`).then((r) => r.ok, () => false);
  }, 60_000, "the API process to be ready");
  return {
    api,
    totals: { sweeps: 0, readded: 0, failed: 0 },
    stop: async () => {
      child.kill("SIGTERM");
      await done;
    },
  };
}
