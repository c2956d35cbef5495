/**
 * `npm run bench:api`: uses the sandbox services named by the environment (REDIS_HOST, DB_*, AWS_*)
 * or by GENPOOL_SANDBOX, or starts Redis, PostgreSQL and moto itself and stops them after.
 * POST /api/v1/generations throughput and p99 (autocannon) against raw BullMQ add throughput in
 * the same run, and the worker's overhead per job excluding generation (a backend that returns
 * a ready PNG: what remains is Redis, PostgreSQL and S3). Writes the "API and worker" section
 * of docs/BENCHMARKS.md with --write.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { Queue } from "bullmq";
import { randomUUID } from "node:crypto";
import { drawPng } from "../worker/procedural/draw.ts";
import type { JobData } from "../worker/job/schema.ts";
import { enqueueGeneration, eventually, inProcessWorker } from "../worker/test-support.ts";
import { appDeps, createApp, createWorld, token } from "./test-support.ts";
import { readEnvFile } from "../sandbox/env.ts";
import { down, up } from "../sandbox/sandbox.ts";

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
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const workerJobs = Number(process.env.BENCH_WORKER_JOBS ?? 200);

async function postThroughput(): Promise<{ rps: number; p50: number; p99: number; errors: number; non2xx: number }> {
  const world = await createWorld();
  const deps = appDeps(world);
  deps.config = { ...deps.config, RATE_LIMIT_MAX: 1_000_000 };
  const handle = createApp(deps).callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/generations`;
  const body = JSON.stringify({ prompt: "a lighthouse at dusk", model: "sdxl-base", width: 512, height: 512, steps: 20 });
  const result = await autocannon({ url, method: "POST", connections, duration: seconds, body, headers: { "content-type": "application/json", authorization: `Bearer ${await token("bench-user")}` } });
  server.close();
  await deps.close();
  await world.cleanup();
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}

async function rawAddThroughput(): Promise<number> {
  const world = await createWorld();
  const queue = new Queue<JobData>(world.env.QUEUE_NAME, { connection: { host: world.env.REDIS_HOST, port: world.env.REDIS_PORT, password: world.env.REDIS_PASSWORD } });
  const until = Date.now() + seconds * 1000;
  let added = 0;
  const job = (): JobData => ({ userId: "bench-user", generationId: randomUUID(), imageName: randomUUID(), category: "general", params: { prompt: "a lighthouse at dusk", negativePrompt: "", model: "sdxl-base", width: 512, height: 512, steps: 20, cfgScale: 7.5, scheduler: "euler", seed: 1 } });
  const lane = async (): Promise<void> => {
    while (Date.now() < until) {
      const data = job();
      await queue.add("generate", data, { jobId: data.generationId, attempts: 5, backoff: { type: "exponential", delay: 5000 } });
      added++;
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: connections }, lane));
  const rate = added / ((Date.now() - started) / 1000);
  await queue.close();
  await world.cleanup();
  return rate;
}

async function workerOverhead(): Promise<{ perJobMs: number; p50: number; p99: number }> {
  const world = await createWorld();
  const queue = new Queue<JobData>(world.env.QUEUE_NAME, { connection: { host: world.env.REDIS_HOST, port: world.env.REDIS_PORT, password: world.env.REDIS_PASSWORD } });
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

const stopServices = await services();
const post = await postThroughput();
const raw = await rawAddThroughput();
const worker = await workerOverhead();
const png = drawPng("bench", 1, 512, 512).length;
const section = `## API and worker

Measured by \`npm run bench:api -- --write\` (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version},
local redis-server, PostgreSQL and moto on loopback; ${seconds} s per run, ${connections} concurrent connections/lanes).

| measure | value |
|---|---|
| POST /api/v1/generations (JWT verify, zod, rate limit, row + job in one transaction) | ${post.rps.toFixed(0)} req/s, p50 ${post.p50} ms, p99 ${post.p99} ms (${post.errors} errors, ${post.non2xx} non-2xx) |
| raw BullMQ \`queue.add\` with the same job data and options | ${raw.toFixed(0)} jobs/s |
| API cost relative to a bare add | ${(raw / Math.max(1, post.rps)).toFixed(1)}× fewer per second |
| worker overhead per job, excluding generation (${workerJobs} jobs, ${(png / 1024).toFixed(0)} KiB PNG: row update, S3 PUT with SSE, image upsert + completion, BullMQ bookkeeping) | ${worker.perJobMs.toFixed(1)} ms/job end to end; processing p50 ${worker.p50} ms, p99 ${worker.p99} ms |

Against a 4 s GPU job (the fast end for SDXL 1024²) the worker's own overhead is ${((worker.perJobMs / 4000) * 100).toFixed(2)} % of the job;
one API replica accepts ${post.rps.toFixed(0)} generations per second, ${(post.rps * 4).toFixed(0)} times what one GPU finishes per second at 4 s a job.
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
