/**
 * The data path of one reliability test, all real except InvokeAI: a private Redis (AOF on), a
 * private PostgreSQL, a bucket of its own on the sandbox's moto, the API (createApp) listening
 * in this process, worker processes from worker/main.ts, and the fake InvokeAI server.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { Queue } from "bullmq";
import { appDeps, createApp, serviceEnv, token, uniqueName, type World } from "../../../api/test-support.ts";
import { bullJobQueue } from "../../../api/adapters/queue.ts";
import { createPool } from "../../../worker/adapters/pg.ts";
import { createQueue, Redis } from "../../../worker/adapters/redis.ts";
import { createS3 } from "../../../worker/adapters/s3.ts";
import { migrate } from "../../../api/db/migrate.ts";
import type { JobData } from "../../../worker/job/schema.ts";
import { exited, spawnWorker } from "../../../worker/test-support.ts";
import { FakeInvokeAI, type Scenario } from "../../fakes/invokeai/server.ts";
import { PrivatePostgres, PrivateRedis } from "./services.ts";

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
  redis: PrivateRedis;
  postgres: PrivatePostgres;
  /** A BullMQ handle for inspection; waits out Redis outages. */
  queue: Queue<JobData>;
  workers: WorkerProcess[];
  /** Starts one more worker process. */
  addWorker(extraEnv?: Record<string, string>): WorkerProcess;
  /** Output of every worker process so far, for failure messages. */
  workerLogs(): string;
  close(): Promise<void>;
}

const SCHEMA = "genpool";

/** Builds the stack; register `close` in t.teardown. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const [redis, postgres] = await Promise.all([PrivateRedis.start(), PrivatePostgres.start()]);
  const shared = serviceEnv(); // moto and AWS settings of the sandbox
  const env = {
    ...shared,
    DB_HOST: "127.0.0.1", DB_PORT: postgres.port, DB_NAME: postgres.database, DB_USER: postgres.user, DB_PASSWORD: postgres.password, DB_POOL_MAX: 10,
    REDIS_HOST: "127.0.0.1", REDIS_PORT: redis.port, REDIS_PASSWORD: undefined,
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

  const producer = createQueue(env);
  const deps = appDeps(world, { queue: bullJobQueue(producer, { attempts: opts.attempts ?? 5, backoffMs: opts.backoffMs ?? 200 }) });
  deps.config = { ...deps.config, RATE_LIMIT_MAX: 1_000_000 };
  const handle = createApp(deps).callback();
  const server: Server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const users = Array.from({ length: opts.users ?? 4 }, (_, i) => `rel-user-${i}`);
  const tokens = await Promise.all(users.map(async (user) => ({ user, token: await token(user, { expiresIn: "2h" }) })));
  const queue = new Queue<JobData>(env.QUEUE_NAME, { connection: { host: env.REDIS_HOST, port: env.REDIS_PORT, maxRetriesPerRequest: null } });
  queue.on("error", () => undefined);

  const workers: WorkerProcess[] = [];
  const addWorker = (extraEnv: Record<string, string> = {}): WorkerProcess => {
    const pod = `rel-worker-${workers.length}`;
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
    world, api, tokens, fake, redis, postgres, queue, workers, addWorker,
    workerLogs: () => workers.map((w) => `--- ${w.pod}\n${w.child.output().split("\n").slice(-40).join("\n")}`).join("\n"),
    close: async () => {
      for (const w of workers) w.child.kill("SIGKILL");
      await Promise.all(workers.map((w) => w.exited));
      server.closeAllConnections();
      server.close();
      await Promise.allSettled([queue.close(), producer.close(), deps.close(), fake.stop()]);
      inspect.disconnect();
      await db.end();
      s3.destroy();
      await Promise.allSettled([redis.destroy(), postgres.destroy()]);
    },
  };
}
