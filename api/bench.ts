/**
 * `npm run bench:api`: uses the sandbox services named by the environment (REDIS_HOST, DB_*, AWS_*)
 * or by GENPOOL_SANDBOX, or starts Redis, PostgreSQL and moto itself and stops them after.
 *
 * POST /api/v1/generations throughput and latency against raw BullMQ `Queue.add` throughput, in
 * interleaved rounds so that load from other work on the machine hits both alike:
 * - the API is the real entrypoint (`api/main.ts`, pino at info, request metrics on) in a process of its own, driven
 *   by autocannon from this process over keep-alive connections, after a warm-up;
 * - raw add runs in this process with as many concurrent lanes as autocannon has connections,
 *   one `Queue.add` per call (no addBulk), the same producer connection options, job data
 *   and job options (`jobOptions()`, as the API sends them), after a warm-up.
 * Then the floors, once each with the same autocannon settings: Node's http server and the API's
 * Koa stack answering the same 202 without doing the API's work (api/bench-floor.ts).
 * Then the worker's overhead per job excluding generation (a backend that returns a ready PNG:
 * what remains is Redis, PostgreSQL and S3). Writes the "API and worker" section of
 * docs/BENCHMARKS.md with --write.
 *
 * Last, the recovery sweep (api/recovery.ts) over BENCH_SWEEP_ROWS queued generations.
 *
 * BENCH_SECONDS (10), BENCH_ROUNDS (3), BENCH_CONNECTIONS (16), BENCH_WORKER_JOBS (200), BENCH_SWEEP_ROWS (10000);
 * BENCH_API_PROFILE=<dir> writes a V8 CPU profile of the API process (`node --cpu-prof`) there;
 * BENCH_API_FLAGS adds node flags to the API process (e.g. `--perf-basic-prof` for `perf record -p`).
 */
import { spawn } from "node:child_process";
import { randomInt, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { createQueue } from "../worker/adapters/redis.ts";
import { drawPng } from "../worker/procedural/draw.ts";
import type { JobData } from "../worker/job/schema.ts";
import { enqueueGeneration, eventually, inProcessWorker } from "../worker/test-support.ts";
import { pino } from "pino";
import { bullJobQueue, bullQueueInspector, JOB_NAME, jobOptions, type RetryPolicy } from "./adapters/queue.ts";
import { RECOVERY_DEFAULTS, sweep, type RecoveryDeps } from "./recovery.ts";
import { AUDIENCE, createWorld, ISSUER, MODELS, SECRET, token, type World } from "./test-support.ts";
import { readEnvFile } from "../sandbox/env.ts";
import { down, up } from "../sandbox/sandbox.ts";

const repo = fileURLToPath(new URL("..", import.meta.url));

/** Puts the sandbox services into process.env; returns how to stop what this run started. */
async function services(): Promise<() => Promise<void>> {
  if (process.env.REDIS_HOST) return () => Promise.resolve();
  if (process.env.GENPOOL_SANDBOX) {
    Object.assign(process.env, readEnvFile(join(process.env.GENPOOL_SANDBOX, "env")));
    return () => Promise.resolve();
  }
  const sb = await up({ with: ["redis", "postgres", "moto"], root: join(tmpdir(), "genpool-bench-api") });
  Object.assign(process.env, readEnvFile(sb.envFile));
  return () => down(sb.dir);
}

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const workerJobs = Number(process.env.BENCH_WORKER_JOBS ?? 200);
const sweepRows = Number(process.env.BENCH_SWEEP_ROWS ?? 10_000);
const profileDir = process.env.BENCH_API_PROFILE;
/** Warm-up of each side until this many operations (JIT-compiled code, pools filled) or warmupMaxSeconds. */
const warmupOps = Number(process.env.BENCH_WARMUP_OPS ?? 30_000);
const warmupMaxSeconds = 60;
/** The API's defaults (JOB_ATTEMPTS, JOB_BACKOFF_MS), used by both sides. */
const retry: RetryPolicy = { attempts: 5, backoffMs: 5000 };
const BODY = { prompt: "a lighthouse at dusk", model: "sdxl-base", width: 512, height: 512, steps: 20 };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** utime + stime of a process in ms, and its parent pid, from /proc (Linux); null when it is gone. */
function procCpu(pid: number): { ms: number; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ms: ((Number(f[11]) + Number(f[12])) * 1000) / 100, ppid: Number(f[1]) };
  } catch {
    return null;
  }
}

/** Pids of Redis and PostgreSQL from the sandbox state folder, when there is one. */
function servicePids(): { redis: number; postgres: number } | null {
  const dir = process.env.GENPOOL_SANDBOX;
  if (!dir || !existsSync(join(dir, "pids.json")) || !existsSync("/proc/self/stat")) return null;
  const pids = JSON.parse(readFileSync(join(dir, "pids.json"), "utf8")) as { name: string; pid: number }[];
  const redis = pids.find((p) => p.name === "redis")?.pid;
  const postgres = pids.find((p) => p.name === "postgres")?.pid;
  return redis === undefined || postgres === undefined ? null : { redis, postgres };
}

/** CPU ms used so far by Redis and by PostgreSQL (postmaster and its backends). */
function serviceCpu(): { redis: number; postgres: number } | null {
  const pids = servicePids();
  if (!pids) return null;
  const backends = readdirSync("/proc").filter((e) => /^\d+$/.test(e)).map((e) => procCpu(Number(e))).filter((p) => p?.ppid === pids.postgres);
  const postgres = (procCpu(pids.postgres)?.ms ?? 0) + backends.reduce((sum, p) => sum + (p?.ms ?? 0), 0);
  return { redis: procCpu(pids.redis)?.ms ?? 0, postgres };
}

/** CPU µs per operation of each process over a run of `ops` operations. */
interface CpuShare {
  client: number;
  redis: number | null;
  postgres: number | null;
}

async function measureCpu<T>(ops: (r: T) => number, clientMs: () => number, run: () => Promise<T>): Promise<T & { cpu: CpuShare }> {
  const svc0 = serviceCpu();
  const c0 = clientMs();
  const r = await run();
  const c1 = clientMs();
  const svc1 = serviceCpu();
  const n = Math.max(1, ops(r));
  const per = (a: number, b: number): number => ((b - a) * 1000) / n;
  return { ...r, cpu: { client: per(c0, c1), redis: svc0 && svc1 ? per(svc0.redis, svc1.redis) : null, postgres: svc0 && svc1 ? per(svc0.postgres, svc1.postgres) : null } };
}

interface ApiProcess {
  url: string;
  /** CPU ms the API process has used so far. */
  cpuMs: () => number;
  stop: () => Promise<void>;
}

/**
 * Starts `entry` (TypeScript, through tsx) on a free port given as PORT; resolves once an answer
 * to GET `probe.path` passes `probe.ok`, within 60 s.
 */
async function startServer(name: string, run: { entry: string; env: NodeJS.ProcessEnv; flags: string[] }, probe: { path: string; ok: (res: Response) => boolean }): Promise<ApiProcess> {
  const { entry, env, flags } = run;
  const port = await freePort();
  const child = spawn(process.execPath, [...flags, "--import", "tsx", entry], { cwd: repo, env: { ...env, PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`${name} did not become ready within 60 s: ${stderr}`);
    const ok = await fetch(`${base}${probe.path}`).then(probe.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  process.stderr.write(`${name}: pid ${child.pid ?? "?"} on ${base}\n`);
  return {
    url: `${base}/api/v1/generations`,
    cpuMs: () => procCpu(child.pid ?? -1)?.ms ?? 0,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Starts `api/main.ts` on the world's schema, queue and bucket, metrics on as the chart runs it; resolves once it is ready. */
async function startApi(world: World): Promise<ApiProcess> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...Object.fromEntries(Object.entries(world.env).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])),
    DB_SCHEMA: world.schema,
    DB_POOL_MAX: "10",
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JWT_HS256_SECRET: SECRET,
    ALLOWED_MODELS: MODELS.join(","),
    RATE_LIMIT_MAX: "1000000",
    JOB_ATTEMPTS: String(retry.attempts),
    JOB_BACKOFF_MS: String(retry.backoffMs),
    METRICS_PORT: String(await freePort()),
  };
  const flags = [...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : []), ...(process.env.BENCH_API_FLAGS ?? "").split(" ").filter(Boolean)];
  return startServer("the API", { entry: "api/main.ts", env, flags }, { path: "/api/v1/health", ok: (res) => res.ok });
}

/** Starts a floor server (api/bench-floor.ts); resolves once it answers. */
function startFloor(floor: "http" | "koa"): Promise<ApiProcess> {
  // Any answer means it listens (GET on the POST route: 405 from Koa, 202 from the http floor).
  return startServer(`the ${floor} floor`, { entry: "api/bench-floor.ts", env: { ...process.env, FLOOR: floor }, flags: [] }, { path: "/api/v1/generations", ok: () => true });
}

interface PostRun {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

async function postRun(url: string, jwt: string, duration: number): Promise<PostRun> {
  const result = await autocannon({
    url,
    method: "POST",
    connections,
    duration,
    body: JSON.stringify(BODY),
    headers: { "content-type": "application/json", authorization: `Bearer ${jwt}` },
  });
  return { requests: result.requests.total, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

/** The job the API builds from BODY (defaults applied, seed drawn). */
function jobFor(userId: string): JobData {
  return {
    userId,
    generationId: randomUUID(),
    imageName: randomUUID(),
    category: "general",
    params: { prompt: BODY.prompt, negativePrompt: "", model: BODY.model, width: BODY.width, height: BODY.height, steps: BODY.steps, cfgScale: 7.5, scheduler: "euler", seed: randomInt(0, 4294967295) },
  };
}

/** Raw adds per second: `connections` lanes, one `Queue.add` per call, for `duration` seconds. */
async function rawAddRun(queue: ReturnType<typeof createQueue>, duration: number): Promise<{ added: number; rate: number }> {
  const until = Date.now() + duration * 1000;
  let added = 0;
  const lane = async (): Promise<void> => {
    while (Date.now() < until) {
      const data = jobFor("bench-user");
      await queue.add(JOB_NAME, data, jobOptions(data, retry));
      added++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, lane));
  return { added, rate: added / ((Date.now() - started) / 1000) };
}

/** Runs `run` in 5 s slices until warmupOps operations or warmupMaxSeconds. */
async function warmUp(run: (seconds: number) => Promise<number>): Promise<void> {
  const until = Date.now() + warmupMaxSeconds * 1000;
  let ops = 0;
  while (ops < warmupOps && Date.now() < until) ops += await run(5);
}

interface Round extends PostRun {
  raw: number;
  postCpu: CpuShare;
  rawCpu: CpuShare;
}

async function throughput(): Promise<Round[]> {
  const apiWorld = await createWorld();
  const rawWorld = await createWorld();
  const api = await startApi(apiWorld);
  const queue = createQueue(rawWorld.env);
  const jwt = await token("bench-user");
  try {
    await warmUp((d) => postRun(api.url, jwt, d).then((r) => r.requests));
    await warmUp((d) => rawAddRun(queue, d).then((r) => r.added));
    const out: Round[] = [];
    for (let i = 0; i < rounds; i++) {
      const post = await measureCpu((r) => r.requests, api.cpuMs, () => postRun(api.url, jwt, seconds));
      const raw = await measureCpu((r) => r.added, () => process.cpuUsage().user / 1000 + process.cpuUsage().system / 1000, () => rawAddRun(queue, seconds));
      out.push({ ...post, raw: raw.rate, postCpu: post.cpu, rawCpu: raw.cpu });
      process.stderr.write(`round ${i + 1}: POST ${post.rps.toFixed(0)} req/s (p99 ${post.p99} ms, API ${post.cpu.client.toFixed(0)} µs CPU/request), raw add ${raw.rate.toFixed(0)} jobs/s (${raw.cpu.client.toFixed(0)} µs CPU/add)\n`);
    }
    return out;
  } finally {
    await api.stop();
    await queue.close();
    await apiWorld.cleanup();
    await rawWorld.cleanup();
  }
}

interface Floor {
  name: string;
  rps: number;
  p99: number;
  /** CPU µs per request of the server process. */
  cpu: number;
}

/** Each floor once, with the same autocannon settings as POST, after a 5 s warm-up. */
async function floors(jwt: string): Promise<Floor[]> {
  const out: Floor[] = [];
  for (const [floor, name] of [["http", "Node's http server alone"], ["koa", "the API's Koa stack alone (errorMiddleware, body parser, router)"]] as const) {
    const server = await startFloor(floor);
    try {
      await postRun(server.url, jwt, 5);
      const r = await measureCpu((x) => x.requests, server.cpuMs, () => postRun(server.url, jwt, seconds));
      out.push({ name, rps: r.rps, p99: r.p99, cpu: r.cpu.client });
      process.stderr.write(`floor ${floor}: ${r.rps.toFixed(0)} req/s, ${r.cpu.client.toFixed(0)} µs CPU/request\n`);
    } finally {
      await server.stop();
    }
  }
  return out;
}

interface SweepCost {
  checked: number;
  readded: number;
  wallMs: number;
  /** CPU ms of the sweeping process, Redis and PostgreSQL (null without the sandbox's pids). */
  cpu: { sweeper: number; redis: number | null; postgres: number | null };
}

/** One recovery sweep, timed, with the CPU each process spent on it. */
async function timedSweep(deps: RecoveryDeps): Promise<SweepCost> {
  const svc0 = serviceCpu();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await sweep(deps, { ...RECOVERY_DEFAULTS, minAgeSeconds: 60 });
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const svc1 = serviceCpu();
  return {
    checked: r.checked,
    readded: r.readded.length,
    wallMs,
    cpu: { sweeper: (c.user + c.system) / 1000, redis: svc0 && svc1 ? svc1.redis - svc0.redis : null, postgres: svc0 && svc1 ? svc1.postgres - svc0.postgres : null },
  };
}

/**
 * The recovery sweep over `sweepRows` queued generations last updated 5 minutes ago: first with
 * every job missing (what a Redis that lost everything costs: all added again), then with every
 * job present (a backlog waiting for GPUs, swept every RECOVERY_INTERVAL_SECONDS).
 */
async function sweepCosts(): Promise<{ missing: SweepCost; present: SweepCost }> {
  const world = await createWorld();
  const queue = createQueue(world.env);
  const deps: RecoveryDeps = { db: world.db, queueName: world.env.QUEUE_NAME, queue: bullJobQueue(queue, retry), inspector: bullQueueInspector(queue), log: pino({ level: "silent" }) };
  try {
    await world.db.query(
      `INSERT INTO generations (id, user_id, status, category, image_name, params, queue, created_at, updated_at)
       SELECT gen_random_uuid(), 'bench-user', 'queued', 'general', gen_random_uuid()::text, $1::jsonb, $2, now() - interval '5 minutes', now() - interval '5 minutes'
         FROM generate_series(1, $3)`,
      [JSON.stringify(jobFor("bench-user").params), world.env.QUEUE_NAME, sweepRows],
    );
    const missing = await timedSweep(deps);
    const present = await timedSweep(deps);
    return { missing, present };
  } finally {
    await queue.close();
    await world.cleanup();
  }
}

async function workerOverhead(): Promise<{ perJobMs: number; p50: number; p99: number }> {
  const world = await createWorld();
  const queue = createQueue(world.env);
  const png = drawPng("bench", 1, 512, 512);
  const ready = { ready: () => Promise.resolve(), generate: () => Promise.resolve({ png, cleanup: () => Promise.resolve() }) };
  const ids: string[] = [];
  for (let i = 0; i < workerJobs; i++) ids.push((await enqueueGeneration(world, queue, { width: 512, height: 512 })).generationId);
  const started = Date.now();
  const worker = await inProcessWorker(world, ready, "bench-pod");
  await eventually(async () => (await queue.getCompletedCount()) === workerJobs, 600_000, "all jobs");
  const total = Date.now() - started;
  const durations = (await Promise.all(ids.map((id) => queue.getJob(id)))).map((j) => (j!.finishedOn ?? 0) - (j!.processedOn ?? 0)).sort((a, b) => a - b);
  await worker.close();
  await queue.close();
  await world.cleanup();
  const pick = (q: number): number => durations[Math.min(durations.length - 1, Math.floor(q * durations.length))]!;
  return { perJobMs: total / workerJobs, p50: pick(0.5), p99: pick(0.99) };
}

const range = (values: number[], digits = 0): string => {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo.toFixed(digits) === hi.toFixed(digits) ? lo.toFixed(digits) : `${lo.toFixed(digits)}–${hi.toFixed(digits)}`;
};
const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const stopServices = await services();
const loadBefore = loadavg();
const measured = await throughput();
const floorRuns = await floors(await token("bench-user"));
const loadAfter = loadavg();
const worker = await workerOverhead();
const sweeps = await sweepCosts();
const png = drawPng("bench", 1, 512, 512).length;
const ratios = measured.map((r) => (100 * r.rps) / r.raw);
const rps = measured.map((r) => r.rps);
const us = (v: number | null): string => (v === null ? "?" : v.toFixed(0));
const cpu = (c: CpuShare, pg: boolean): string => [us(c.client), us(c.redis), ...(pg ? [us(c.postgres)] : [])].join(" / ");
const redisCosts = measured.filter((r) => r.postCpu.redis !== null && r.rawCpu.redis !== null);
const redisBound = redisCosts.length === 0 ? null : (100 * median(redisCosts.map((r) => r.rawCpu.redis!))) / median(redisCosts.map((r) => r.postCpu.redis!));
const ms = (v: number | null): string => (v === null ? "?" : v.toFixed(0));
const sweepLine = (s: SweepCost): string => `${s.wallMs.toFixed(0)} ms; CPU ms: sweeper ${ms(s.cpu.sweeper)}, Redis ${ms(s.cpu.redis)}, PostgreSQL ${ms(s.cpu.postgres)}`;
const load = (l: number[]): string => l.map((x) => x.toFixed(1)).join(", ");
const section = `## API and worker

Measured by \`npm run bench:api -- --write\` (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version},
local redis-server, PostgreSQL and moto on loopback). ${rounds} interleaved rounds of ${seconds} s each (after a warm-up of each side: ${warmupOps} operations or ${warmupMaxSeconds} s):
POST through autocannon with ${connections} keep-alive connections against \`api/main.ts\` in its own process (pino at info),
then raw BullMQ \`Queue.add\` from the benchmark process with ${connections} concurrent lanes, one add per call, the same job data,
job options (\`jobOptions()\`) and producer connection options. Load average ${load(loadBefore)} before, ${load(loadAfter)} after (other work shares the machine).

| round | POST req/s | p50 | p99 | errors / non-2xx | CPU µs per POST: API / Redis / PostgreSQL | raw \`Queue.add\` jobs/s | CPU µs per add: client / Redis | POST / raw add |
|---|---|---|---|---|---|---|---|---|
${measured.map((r, i) => `| ${i + 1} | ${r.rps.toFixed(0)} | ${r.p50} ms | ${r.p99} ms | ${r.errors} / ${r.non2xx} | ${cpu(r.postCpu, true)} | ${r.raw.toFixed(0)} | ${cpu(r.rawCpu, false)} | ${ratios[i]!.toFixed(0)} % |`).join("\n")}

CPU per operation is the processes' user + system time (\`/proc/<pid>/stat\`) over a run divided by the requests or adds
it completed (PostgreSQL: the postmaster and its backends); it depends less than throughput on what else runs on the machine
(a process preempted often still pays for cold caches). Analysis: "API: where a POST's time goes" below.

POST /api/v1/generations (JWT verify, zod; rate limit, rows and jobs written in groups: one transaction and one addBulk per group): ${range(rps)} req/s, p99 ${range(measured.map((r) => r.p99))} ms;
raw add ${range(measured.map((r) => r.raw))} jobs/s; POST throughput is ${range(ratios)} % of raw add (median ${median(ratios).toFixed(0)} %).

The floors: servers that answer the same POST with the API's 202 and do none of its work (\`api/bench-floor.ts\`),
measured once each after the rounds with the same autocannon settings (${seconds} s, after 5 s of warm-up):

| server | req/s | p99 | CPU µs per request (server) | ÷ raw add (median of the rounds) |
|---|---|---|---|---|
${floorRuns.map((f) => `| ${f.name} | ${f.rps.toFixed(0)} | ${f.p99} ms | ${f.cpu.toFixed(0)} | ${((100 * f.rps) / median(measured.map((r) => r.raw))).toFixed(0)} % |`).join("\n")}
| the API (above, median) | ${median(rps).toFixed(0)} | ${median(measured.map((r) => r.p99))} ms | ${median(measured.map((r) => r.postCpu.client)).toFixed(0)} | ${median(ratios).toFixed(0)} % |
${redisBound === null ? "" : `
Redis is the part that does not scale out (one thread; the API is stateless and scales by replicas): a POST costs it
${range(measured.map((r) => r.postCpu.redis ?? 0))} µs against ${range(measured.map((r) => r.rawCpu.redis ?? 0))} µs for a raw add, so with enough API replicas to keep Redis busy, POSTs
would reach about ${redisBound.toFixed(0)} % of raw add throughput (ratio of the medians; derived from CPU, not measured: ${cpus().length} cores cannot hold those replicas).
`}
| measure | value |
|---|---|
| worker overhead per job, excluding generation (${workerJobs} jobs, ${(png / 1024).toFixed(0)} KiB PNG: row update, S3 PUT with SSE, image upsert + completion, BullMQ bookkeeping) | ${worker.perJobMs.toFixed(1)} ms/job end to end; processing p50 ${worker.p50} ms, p99 ${worker.p99} ms |
| recovery sweep over ${sweeps.present.checked} queued generations, every job present (a backlog waiting for GPUs; one sweep per RECOVERY_INTERVAL_SECONDS) | ${sweepLine(sweeps.present)} |
| the same with every job missing (Redis lost them all: ${sweeps.missing.readded} added again) | ${sweepLine(sweeps.missing)} |

Against a 4 s GPU job (the fast end for SDXL 1024²) the worker's own overhead is ${((worker.perJobMs / 4000) * 100).toFixed(2)} % of the job;
one API replica accepts ${median(rps).toFixed(0)} generations per second (median of the rounds), ${(median(rps) * 4).toFixed(0)} times what one GPU finishes per second at 4 s a job.
`;
process.stdout.write(`${section}\n`);
if (process.argv.includes("--write")) {
  const path = new URL("../docs/BENCHMARKS.md", import.meta.url);
  let doc = "# Benchmarks\n";
  try {
    doc = readFileSync(path, "utf8");
  } catch {
    // first section: start the file
  }
  const start = doc.indexOf("## API and worker");
  if (start === -1) doc = `${doc.trimEnd()}\n\n${section}`;
  else {
    const next = doc.indexOf("\n## ", start + 3);
    doc = `${doc.slice(0, start)}${section}${next === -1 ? "" : doc.slice(next)}`;
  }
  writeFileSync(path, doc);
}
await stopServices();
process.exit(0);
