/**
 * The sustained load run: authenticated POST /api/v1/generations at a fixed rate (autocannon)
 * against the API process, worker processes draining the queue through the fake InvokeAI, then
 * the exactly-once audit. Correctness is asserted by load.test.ts; speed is only reported.
 *
 *   npm run load -- --seconds 300 [--rate 8] [--workers 3] [--connections 8] [--write]
 *
 * Needs S3 (moto): with GENPOOL_SANDBOX or AWS_ENDPOINT_URL set it uses that sandbox, otherwise
 * it starts moto itself. Redis (AOF on) and PostgreSQL are always private to the run. --write puts
 * the "Load" section into docs/RELIABILITY.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { readEnvFile } from "../../sandbox/env.ts";
import { down, up } from "../../sandbox/sandbox.ts";
import { audit, percentile, settle, type Audit } from "./support/audit.ts";
import { startStack } from "./support/stack.ts";
import { generationBody, type Accepted } from "./support/stream.ts";
import { eventually } from "../../worker/test-support.ts";

/** What to run. */
export interface LoadOptions {
  seconds: number;
  /** POSTs per second over all connections. */
  rate: number;
  connections: number;
  workers: number;
}

/** What the run measured. */
export interface LoadFigures {
  options: LoadOptions;
  requests: number;
  /** Answers by status (e.g. {"202": 480}). */
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Requests answered per second, on average. */
  heldPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Most jobs waiting or active at once, sampled every second. */
  maxBacklog: number;
  /** Seconds from the end of the POSTs until every accepted generation settled. */
  drainSeconds: number;
  settled: boolean;
  /** From a job's creation to the start of its last attempt (BullMQ timestamp → processedOn). */
  queueWaitMs: { p50: number; p99: number; max: number };
  /** Generations completed per second over the whole run (first POST to last completion). */
  completedPerSecond: number;
  audit: Audit;
}

/** The parts of autocannon 8 this run uses (the package ships no types; api/autocannon.d.ts covers fewer). */
interface CannonRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest: (req: CannonRequest) => CannonRequest;
  onResponse: (status: number, body: string) => void;
}
interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number };
  errors: number;
  timeouts: number;
}
type Cannon = (opts: { url: string; connections: number; overallRate: number; duration: number; timeout: number; requests: CannonRequest[] }) => Promise<CannonResult>;
const cannon = autocannon as unknown as Cannon;

const sortedCount = (n: number): string => n.toLocaleString("en-US");

/** Runs the load and the audit; the stack is torn down before it returns. */
export async function runLoad(opts: LoadOptions): Promise<LoadFigures> {
  const stack = await startStack({ apiProcess: true, workers: opts.workers, scenario: { pendingPolls: 0, runningPolls: 1 }, workerEnv: { POLL_INTERVAL_MS: "50" } });
  try {
    const accepted: Accepted[] = [];
    const statuses: Record<string, number> = {};
    let n = 0;
    let maxBacklog = 0;
    const sampler = setInterval(() => {
      void stack.queue.getJobCounts("wait", "active", "delayed").then((c) => (maxBacklog = Math.max(maxBacklog, (c.wait ?? 0) + (c.active ?? 0) + (c.delayed ?? 0))), () => undefined);
    }, 1000);
    await eventually(async () => (await stack.queue.getWorkers()).length >= opts.workers, 120_000, "every worker to connect");
    const started = Date.now();
    const result = await cannon({
      url: stack.api,
      connections: opts.connections,
      overallRate: opts.rate,
      duration: opts.seconds,
      timeout: 10,
      requests: [{
        method: "POST",
        path: "/api/v1/generations",
        setupRequest: (req) => {
          const i = n++;
          const who = stack.tokens[i % stack.tokens.length]!;
          return { ...req, headers: { "content-type": "application/json", authorization: `Bearer ${who.token}`, "x-load-user": who.user }, body: JSON.stringify(generationBody(i)) };
        },
        onResponse: (status, body) => {
          statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
          if (status === 202) accepted.push({ id: (JSON.parse(body) as { id: string }).id, user: "", at: Date.now() });
        },
      }],
    });
    const postsDone = Date.now();
    const settled = await settle({ db: stack.world.db, s3: stack.world.s3, bucket: stack.world.env.S3_BUCKET, queue: stack.queue }, accepted, Math.max(120_000, opts.seconds * 2000));
    const drainSeconds = (Date.now() - postsDone) / 1000;
    clearInterval(sampler);
    const a = await audit({ db: stack.world.db, s3: stack.world.s3, bucket: stack.world.env.S3_BUCKET, queue: stack.queue }, accepted);
    const last = await stack.world.db.query<{ t: Date | null }>("SELECT max(completed_at) AS t FROM generations");
    const lastMs = last.rows[0]?.t?.getTime() ?? Date.now();
    return {
      options: opts,
      requests: result.requests.total,
      statuses,
      errors: result.errors,
      timeouts: result.timeouts,
      heldPerSecond: result.requests.average,
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      maxBacklog,
      drainSeconds,
      settled,
      queueWaitMs: { p50: percentile(a.queueWaitsMs, 0.5), p99: percentile(a.queueWaitsMs, 0.99), max: a.queueWaitsMs.at(-1) ?? 0 },
      completedPerSecond: a.completed / Math.max(1, (lastMs - started) / 1000),
      audit: a,
    };
  } finally {
    await stack.close();
  }
}

/** The "Load" section of docs/RELIABILITY.md. */
export function loadSection(f: LoadFigures, command: string): string {
  const o = f.options;
  const answered = Object.values(f.statuses).reduce((x, y) => x + y, 0);
  const bad = answered - (f.statuses["202"] ?? 0) + f.errors;
  return `## Load

\`${command}\` (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}): ${o.seconds} s of authenticated
POST /api/v1/generations at ${o.rate}/s over ${o.connections} connections (autocannon) against the API process
(api/main.ts), ${o.workers} worker processes (worker/main.ts) on the fake InvokeAI (one poll pending, one running,
50 ms polls), private Redis with AOF and PostgreSQL, S3 on moto; other work on the machine kept running.

| measure | value |
|---|---|
| requests sent / answered 202 | ${sortedCount(f.requests)} / ${sortedCount(f.statuses["202"] ?? 0)} |
| requests held | ${f.heldPerSecond.toFixed(1)}/s on average |
| error rate (non-202 answers, errors, timeouts) | ${((bad / Math.max(1, f.requests)) * 100).toFixed(2)} % (${JSON.stringify(f.statuses)}, ${f.errors} errors, ${f.timeouts} timeouts) |
| POST latency | p50 ${f.latencyMs.p50} ms, p90 ${f.latencyMs.p90} ms, p99 ${f.latencyMs.p99} ms, max ${f.latencyMs.max} ms |
| largest backlog (waiting + active + delayed) | ${f.maxBacklog} jobs |
| queue wait (job created → its last attempt started) | p50 ${(f.queueWaitMs.p50 / 1000).toFixed(1)} s, p99 ${(f.queueWaitMs.p99 / 1000).toFixed(1)} s, max ${(f.queueWaitMs.max / 1000).toFixed(1)} s |
| generations completed | ${f.completedPerSecond.toFixed(1)}/s over the run; drained ${f.drainSeconds.toFixed(1)} s after the last POST${f.settled ? "" : " (NOT settled)"} |
| accepted / completed / failed / lost / duplicated | ${f.audit.accepted} / ${f.audit.completed} / ${f.audit.failed.length} / ${f.audit.lost.length} / ${f.audit.duplicated.length} |
`;
}

async function services(): Promise<() => Promise<void>> {
  if (process.env.AWS_ENDPOINT_URL) return () => Promise.resolve();
  if (process.env.GENPOOL_SANDBOX) {
    Object.assign(process.env, readEnvFile(join(process.env.GENPOOL_SANDBOX, "env")));
    return () => Promise.resolve();
  }
  const sb = await up({ with: ["moto"], root: join(tmpdir(), "genpool-load") });
  Object.assign(process.env, readEnvFile(sb.envFile));
  return () => down(sb.dir);
}

function writeSection(section: string): void {
  const path = new URL("../../docs/RELIABILITY.md", import.meta.url);
  const doc = readFileSync(path, "utf8");
  const start = doc.indexOf("## Load");
  if (start === -1) return writeFileSync(path, `${doc.trimEnd()}\n\n${section}`);
  const next = doc.indexOf("\n## ", start + 3);
  writeFileSync(path, `${doc.slice(0, start)}${section}${next === -1 ? "" : doc.slice(next)}`);
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { seconds: { type: "string" }, rate: { type: "string" }, workers: { type: "string" }, connections: { type: "string" }, write: { type: "boolean" } } });
  const num = (name: string, v: string | undefined, fallback: number, max: number): number => {
    const x = v === undefined ? fallback : Number(v);
    if (!Number.isInteger(x) || x < 1 || x > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got ${JSON.stringify(v)}`);
    return x;
  };
  const opts = { seconds: num("seconds", values.seconds, 60, 86_400), rate: num("rate", values.rate, 8, 10_000), workers: num("workers", values.workers, 3, 32), connections: num("connections", values.connections, 8, 1000) };
  const stop = await services();
  try {
    const figures = await runLoad(opts);
    const section = loadSection(figures, `npm run load -- --seconds ${opts.seconds} --rate ${opts.rate} --workers ${opts.workers}`);
    process.stdout.write(`${section}\n`);
    for (const f of [...figures.audit.lost, ...figures.audit.duplicated].slice(0, 20)) process.stdout.write(`  ${f.id}: ${f.why}\n`);
    if (values.write) writeSection(section);
    return figures.audit.lost.length + figures.audit.duplicated.length === 0 && figures.settled ? 0 : 1;
  } finally {
    await stop();
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
    process.stderr.write(`load: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
