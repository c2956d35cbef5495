/**
 * `npm run bench:operator`: the operator as a real process against the sandbox.
 *
 * 1. Latency: time from a burst of BullMQ jobs being added to the Deployment's new spec.replicas
 *    reaching a watch on the API server (the scale patch landed), p50/p95 over many bursts.
 * 2. Footprint: RSS and CPU per reconcile of one operator managing 100 pools (resync every 5 s).
 *
 * Uses the sandbox named by GENPOOL_SANDBOX, or starts one (kube, kwok, redis) and stops it after.
 * Appends its results under "## Operator" in docs/BENCHMARKS.md (replacing only that section).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync, existsSync, readdirSync, readlinkSync } from "node:fs";
import { cpus, loadavg, totalmem, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { createServer } from "node:net";
import { Queue } from "bullmq";
import { ApiextensionsV1Api, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, Watch, type V1Deployment } from "@kubernetes/client-node";
import { GenerationPoolApi as Api, generationPoolCrd } from "../operator/resource/index.ts";
import { parseSandboxEnv, readEnvFile, type SandboxEnv } from "../sandbox/env.ts";
import { down, up } from "../sandbox/sandbox.ts";
import { buildOperator } from "../operator/build.ts";

const repo = resolve(fileURLToPath(import.meta.url), "..", "..");
const BURSTS = Number(process.env.BENCH_BURSTS ?? 60);
const POOLS = Number(process.env.BENCH_POOLS ?? 100);
const FOOTPRINT_SECONDS = Number(process.env.BENCH_FOOTPRINT_SECONDS ?? 40);
/** Which operator builds the footprint measures: `tsx`, `bundle` or both (comma-separated). */
const RUNTIMES = (process.env.BENCH_RUNTIMES ?? "tsx,bundle").split(",").filter((r): r is Runtime => r === "tsx" || r === "bundle");
/** Node flags of the bundle run; BENCH_NODE_FLAGS overrides them to try others. */
const BUNDLE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? imageFlags()).split(" ").filter(Boolean);
/** BENCH_HEAP_SNAPSHOT=<dir>: the operator writes a heap snapshot there at the end of each footprint window. */
const HEAP_SNAPSHOT_DIR = process.env.BENCH_HEAP_SNAPSHOT;
/** BENCH_OPERATOR_ENV="K=V K2=V2": extra environment of the operator (e.g. MALLOC_ARENA_MAX=2). */
const EXTRA_ENV = Object.fromEntries((process.env.BENCH_OPERATOR_ENV ?? "").split(" ").filter(Boolean).map((kv) => kv.split("=", 2) as [string, string]));
/** BENCH_WRITE=0 prints the section without writing docs/BENCHMARKS.md (for trying changes). */
const WRITE = process.env.BENCH_WRITE !== "0";
const say = (line: string): void => void process.stderr.write(`bench:operator: ${line}\n`);

/** The runtime stage of operator/Dockerfile (after its last FROM). */
function imageStage(): string {
  return readFileSync(join(repo, "operator", "Dockerfile"), "utf8").split(/^FROM /m).at(-1) ?? "";
}

/** The node flags of the container image's CMD, so the bundle runs as shipped. */
function imageFlags(): string {
  const cmd = /^CMD \[(.*)\]$/m.exec(imageStage())?.[1] ?? "";
  const args = JSON.parse(`[${cmd}]`) as string[];
  return args.filter((a) => a.startsWith("--")).join(" ");
}

/** The `ENV K=V` lines of the image's runtime stage (MALLOC_ARENA_MAX, NODE_ENV). */
function imageEnv(): Record<string, string> {
  return Object.fromEntries([...imageStage().matchAll(/^ENV (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => res(typeof a === "object" && a ? a.port : 0));
    });
  });
}

async function sandbox(): Promise<{ env: SandboxEnv; stop: () => Promise<void> }> {
  if (process.env.GENPOOL_SANDBOX) {
    const raw = readEnvFile(join(process.env.GENPOOL_SANDBOX, "env"));
    return { env: parseSandboxEnv({ ...placeholders, ...raw }), stop: () => Promise.resolve() };
  }
  const sb = await up({ with: ["kube", "kwok", "redis"], root: join(tmpdir(), "genpool-bench"), log: say });
  return { env: parseSandboxEnv({ ...placeholders, ...readEnvFile(sb.envFile) }), stop: () => down(sb.dir) };
}
// This benchmark needs only Kubernetes and Redis; the contract's other variables are not read.
const placeholders = { DB_HOST: "-", DB_PORT: "1", DB_NAME: "-", DB_USER: "-", DB_PASSWORD: "-", AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_REGION: "-", AWS_ACCESS_KEY_ID: "-", AWS_SECRET_ACCESS_KEY: "-" };

async function installCrd(kc: KubeConfig): Promise<void> {
  const api = kc.makeApiClient(ApiextensionsV1Api);
  await api.createCustomResourceDefinition({ body: generationPoolCrd() as never }).catch((e: { code?: number }) => {
    if (e.code !== 409) throw e;
  });
  for (let i = 0; i < 100; i++) {
    const crd = await api.readCustomResourceDefinition({ name: `${Api.plural}.${Api.group}` });
    if (crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) return;
    await sleep(100);
  }
  throw new Error("CRD not established");
}

function deployment(namespace: string, name: string, replicas: number): V1Deployment {
  const labels = { app: name };
  return {
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "worker", image: "registry.k8s.io/pause:3.10", resources: { limits: { "nvidia.com/gpu": "1" } } }] } },
    },
  };
}

interface Operator {
  child: ChildProcess;
  metricsPort: number;
}

/** Every operator started, so an aborted run still stops them. */
const started: ChildProcess[] = [];

/** How the operator process is started: as `npm run operator` does (tsx), or the production bundle. */
type Runtime = "tsx" | "bundle";
let bundlePath: string | undefined;

/** The environment the image adds, for the bundle run only (`npm run operator` has none of it). */
const runtimeEnv = (runtime: Runtime): Record<string, string> => (runtime === "bundle" ? { ...imageEnv(), ...EXTRA_ENV } : EXTRA_ENV);

async function operatorArgs(runtime: Runtime): Promise<string[]> {
  if (runtime === "tsx") return [...snapshotFlags(), "--import", "tsx", join(repo, "operator", "main.ts")];
  bundlePath ??= await buildOperator();
  return [...BUNDLE_FLAGS, ...snapshotFlags(), bundlePath];
}

function snapshotFlags(): string[] {
  return HEAP_SNAPSHOT_DIR === undefined ? [] : ["--heapsnapshot-signal=SIGUSR2", `--diagnostic-dir=${HEAP_SNAPSHOT_DIR}`];
}

/** Signals the operator to write a heap snapshot and waits until the file is complete. */
async function heapSnapshot(pid: number): Promise<void> {
  const before = new Set(readdirSync(HEAP_SNAPSHOT_DIR!));
  process.kill(pid, "SIGUSR2");
  for (let i = 0; i < 1200; i++) {
    await sleep(250);
    const file = readdirSync(HEAP_SNAPSHOT_DIR!).find((f) => f.endsWith(".heapsnapshot") && !before.has(f));
    if (file === undefined) continue;
    const text = readFileSync(join(HEAP_SNAPSHOT_DIR!, file), "utf8");
    if (text.trimEnd().endsWith("}")) return say(`heap snapshot ${join(HEAP_SNAPSHOT_DIR!, file)}`);
  }
  throw new Error("heap snapshot not written");
}

async function startOperator(env: SandboxEnv, namespace: string, resyncSeconds: number, runtime: Runtime = "tsx"): Promise<Operator> {
  const metricsPort = await freePort();
  const child = spawn(process.execPath, await operatorArgs(runtime), {
    cwd: repo,
    env: {
      PATH: process.env.PATH, KUBECONFIG: env.KUBECONFIG, REDIS_HOST: env.REDIS_HOST, REDIS_PORT: String(env.REDIS_PORT),
      WATCH_NAMESPACES: namespace, LEADER_ELECTION_NAMESPACE: namespace, POD_NAME: "bench-operator",
      METRICS_PORT: String(metricsPort), RESYNC_SECONDS: String(resyncSeconds), LOG_LEVEL: "warn",
      ...runtimeEnv(runtime),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  started.push(child);
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text()).then((t) => /^genpool_leader 1$/m.test(t)).catch(() => false);
    if (ok) return { child, metricsPort };
    await sleep(100);
  }
  throw new Error("operator did not become leader");
}

async function metric(op: Operator, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${op.metricsPort}/metrics`)).text();
  const m = pattern.exec(text);
  return m ? Number(m[1]) : NaN;
}

function procStats(pid: number): { rssMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime (fields 14, 15)
  return { rssMb: rssKb / 1024, cpuMs: ticks * 10 };
}

/** Open TCP connections of a process, by remote port (from /proc: its socket inodes in net/tcp and tcp6). */
function socketsByRemotePort(pid: number): Map<number, number> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const link = (() => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ""; } })();
    const m = /^socket:\[(\d+)\]$/.exec(link);
    if (m) inodes.add(m[1]!);
  }
  const byPort = new Map<number, number>();
  for (const table of ["tcp", "tcp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9]!) || f[3] !== "01") continue; // 01: ESTABLISHED
      const port = parseInt(f[2]!.split(":")[1]!, 16);
      byPort.set(port, (byPort.get(port) ?? 0) + 1);
    }
  }
  return byPort;
}

/** Where the operator's memory is, from its prom-client process metrics and its sockets. */
interface MemoryBreakdown {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  /** V8 heap spaces, used MB (new, old, code, large_object, ...). */
  spacesMb: Record<string, number>;
  redisConnections: number;
  apiServerConnections: number;
}

function breakdown(metricsText: string, pid: number, ports: { redis: number; apiServer: number }): MemoryBreakdown {
  const mb = (re: RegExp): number => Number(re.exec(metricsText)?.[1] ?? NaN) / 2 ** 20;
  const spacesMb: Record<string, number> = {};
  for (const m of metricsText.matchAll(/genpool_operator_nodejs_heap_space_size_used_bytes\{space="([^"]+)"\} (\d+)/g)) spacesMb[m[1]!] = Number(m[2]) / 2 ** 20;
  const sockets = socketsByRemotePort(pid);
  return {
    rssMb: mb(/^genpool_operator_process_resident_memory_bytes (\d+)/m),
    heapUsedMb: mb(/^genpool_operator_nodejs_heap_size_used_bytes (\d+)/m),
    heapTotalMb: mb(/^genpool_operator_nodejs_heap_size_total_bytes (\d+)/m),
    externalMb: mb(/^genpool_operator_nodejs_external_memory_bytes (\d+)/m),
    spacesMb,
    redisConnections: sockets.get(ports.redis) ?? 0,
    apiServerConnections: sockets.get(ports.apiServer) ?? 0,
  };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

async function latency(kc: KubeConfig, env: SandboxEnv): Promise<{ samples: number[] }> {
  const ns = `bench-op-${Date.now().toString(36)}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: ns, body: deployment(ns, "workers", 1) });
  const queueName = `bench-latency-${Date.now()}`;
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: Api.group, version: Api.version, plural: Api.plural, namespace: ns,
    body: { apiVersion: Api.apiVersion, kind: Api.kind, metadata: { name: "pool" }, spec: {
      queue: { name: queueName }, workload: { deploymentName: "workers" }, replicas: { min: 1, max: BURSTS + 5 }, targetBacklogPerWorker: 5,
      scaleUp: { stabilizationSeconds: 0, maxStepWorkers: 100, stepPeriodSeconds: 1 },
      scaleDown: { stabilizationSeconds: 3600 },
    } },
  });
  const queue = new Queue(queueName, { connection: { host: env.REDIS_HOST, port: env.REDIS_PORT } });
  const op = await startOperator(env, ns, 30);
  const seen = new Map<number, number>();
  const abort = await new Watch(kc).watch(`/apis/apps/v1/namespaces/${ns}/deployments`, { fieldSelector: "metadata.name=workers" }, (_p, d: V1Deployment) => {
    const r = d.spec?.replicas ?? 0;
    if (!seen.has(r)) seen.set(r, performance.now());
  }, () => undefined);
  await queue.addBulk(Array.from({ length: 5 }, () => ({ name: "gen", data: {} }))); // 5 jobs: still 1 worker
  await sleep(1_000);
  const samples: number[] = [];
  for (let i = 1; i <= BURSTS; i++) {
    const want = i + 1;
    const t0 = performance.now();
    await queue.addBulk(Array.from({ length: 5 }, () => ({ name: "gen", data: {} })));
    const deadline = performance.now() + 10_000;
    while (!seen.has(want) && performance.now() < deadline) await sleep(2);
    const at = seen.get(want);
    if (at === undefined) throw new Error(`burst ${i}: replicas never reached ${want}`);
    samples.push(at - t0);
    await sleep(200 + Math.random() * 300);
  }
  abort.abort();
  op.child.kill("SIGTERM");
  await queue.obliterate({ force: true });
  await queue.close();
  await kc.makeApiClient(CoreV1Api).deleteNamespace({ name: ns });
  return { samples };
}

interface Footprint {
  runtime: Runtime;
  /** add -> scale patch of idle pools' first jobs, ms. */
  latencies: number[];
  rssMb: number;
  cpuMsPerReconcile: number;
  reconciles: number;
  seconds: number;
  p95ReconcileMs: number;
  /** At the end of the window. */
  memory: MemoryBreakdown;
}

/** POOLS pools, each with its own Deployment (0 replicas) and queue, in a fresh namespace. */
async function createPools(kc: KubeConfig, env: SandboxEnv): Promise<{ ns: string; queues: Queue[] }> {
  const ns = `bench-op100-${Date.now().toString(36)}`;
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: ns } } });
  const apps = kc.makeApiClient(AppsV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const queues: Queue[] = [];
  for (let i = 0; i < POOLS; i++) {
    await apps.createNamespacedDeployment({ namespace: ns, body: deployment(ns, `w-${i}`, 0) });
    const q = `bench-fp-${Date.now()}-${i}`;
    queues.push(new Queue(q, { connection: { host: env.REDIS_HOST, port: env.REDIS_PORT } }));
    await custom.createNamespacedCustomObject({
      group: Api.group, version: Api.version, plural: Api.plural, namespace: ns,
      body: { apiVersion: Api.apiVersion, kind: Api.kind, metadata: { name: `pool-${i}` }, spec: {
        queue: { name: q }, workload: { deploymentName: `w-${i}` }, replicas: { min: 0, max: 10 },
        scaleDown: { stabilizationSeconds: 10, scaleToZeroDelaySeconds: 10 },
      } },
    });
  }
  return { ns, queues };
}

async function footprint(env: SandboxEnv, kc: KubeConfig, fx: { ns: string; queues: Queue[]; offset: number }, runtime: Runtime): Promise<Footprint> {
  const { ns, queues } = fx;
  const op = await startOperator(env, ns, 5, runtime);
  // The first job on an idle pool (min 0) scales its Deployment 0 -> 1: add -> patch latency while
  // the operator also resyncs 100 pools.
  const scaledAt = new Map<string, number>();
  const abort = await new Watch(kc).watch(`/apis/apps/v1/namespaces/${ns}/deployments`, {}, (_p, d: V1Deployment) => {
    const name = d.metadata?.name ?? "";
    if ((d.spec?.replicas ?? 0) > 0 && !scaledAt.has(name)) scaledAt.set(name, performance.now());
  }, () => undefined);
  const addedAt = new Map<string, number>();
  const pid = op.child.pid!;
  const count = /genpool_reconcile_duration_seconds_count (\d+)/;
  for (let i = 0; i < 600 && (await metric(op, count)) < POOLS; i++) await sleep(100);
  await sleep(3_000);
  const start = procStats(pid);
  const n0 = await metric(op, count);
  let rssMax = start.rssMb;
  const t0 = Date.now();
  let k = fx.offset;
  while (Date.now() - t0 < FOOTPRINT_SECONDS * 1000) {
    // Light traffic on a few queues so some pools scale, as in a real cluster.
    const i = k++ % queues.length;
    if (!addedAt.has(`w-${i}`)) addedAt.set(`w-${i}`, performance.now());
    await queues[i]!.add("gen", {});
    rssMax = Math.max(rssMax, procStats(pid).rssMb);
    await sleep(1_000);
  }
  const end = procStats(pid);
  const n1 = await metric(op, count);
  const buckets = await (await fetch(`http://127.0.0.1:${op.metricsPort}/metrics`)).text();
  if (HEAP_SNAPSHOT_DIR !== undefined) await heapSnapshot(pid);
  const memory = breakdown(buckets, pid, { redis: env.REDIS_PORT, apiServer: Number(new URL(kc.getCurrentCluster()!.server).port || 443) });
  await sleep(2_000);
  abort.abort();
  const latencies = [...addedAt].flatMap(([name, at]) => (scaledAt.has(name) ? [scaledAt.get(name)! - at] : []));
  const exited = new Promise((res) => op.child.once("exit", res));
  op.child.kill("SIGTERM");
  await exited;
  return { runtime, latencies, rssMb: rssMax, cpuMsPerReconcile: (end.cpuMs - start.cpuMs) / (n1 - n0), reconciles: n1 - n0, seconds: (Date.now() - t0) / 1000, p95ReconcileMs: histogramP95(buckets), memory };
}

function histogramP95(text: string): number {
  const rows = [...text.matchAll(/genpool_reconcile_duration_seconds_bucket\{le="([^"]+)"\} (\d+)/g)].map((m) => [m[1] === "+Inf" ? Infinity : Number(m[1]), Number(m[2])] as const);
  const total = rows.at(-1)?.[1] ?? 0;
  return (rows.find(([, c]) => c >= 0.95 * total)?.[0] ?? NaN) * 1000;
}

function footprintRows(fp: Footprint): string[] {
  const env = Object.entries(runtimeEnv(fp.runtime)).filter(([k]) => k !== "NODE_ENV").map(([k, v]) => `${k}=${v} `).join("");
  const how = fp.runtime === "tsx" ? "`npm run operator` (tsx loader)" : `bundle (\`npm run build:operator\`, \`${env}node ${BUNDLE_FLAGS.join(" ")}\`)`;
  return [
    `| operator RSS with ${POOLS} pools, ${how}: max over ${fp.seconds.toFixed(0)} s, resync 5 s, 1 job/s of traffic | ${fp.rssMb.toFixed(0)} MB | <= 150 MB |`,
    `| CPU per reconcile with ${POOLS} pools, ${how} (${fp.reconciles} reconciles) | ${fp.cpuMsPerReconcile.toFixed(2)} ms | |`,
    `| reconcile duration p95 (histogram bucket bound), ${how} | <= ${fp.p95ReconcileMs} ms | |`,
    `| first job on an idle pool -> 0 to 1 scale seen by a watch, among ${POOLS} pools, ${how}: p50 / p95 (${fp.latencies.length} pools) | ${pct(fp.latencies, 50).toFixed(0)} / ${pct(fp.latencies, 95).toFixed(0)} ms | p95 <= 500 ms |`,
    `| memory at the end, ${how} | ${memoryText(fp.memory)} | |`,
  ];
}

function memoryText(m: MemoryBreakdown): string {
  const spaces = Object.entries(m.spacesMb).filter(([, v]) => v >= 0.05).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ");
  return `RSS ${m.rssMb.toFixed(0)} MB = V8 heap ${m.heapTotalMb.toFixed(1)} MB reserved (${m.heapUsedMb.toFixed(1)} used: ${spaces}) + external ${m.externalMb.toFixed(1)} MB + the rest (Node binary, libuv, malloc); ${m.redisConnections} Redis and ${m.apiServerConnections} API server connections`;
}

function report(lat: number[], fps: Footprint[]): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return [
    "## Operator",
    "",
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GB RAM, Node ${process.version}, against the sandbox (real kube-apiserver, controller-manager, Redis). Command: \`npm run bench:operator\`.`,
    "",
    "| what | result | target |",
    "|---|---|---|",
    `| job burst added -> Deployment spec.replicas seen by a watch, p50 | ${pct(lat, 50).toFixed(0)} ms | |`,
    `| same, p95 (${lat.length} bursts of 5 jobs, one worker each) | ${pct(lat, 95).toFixed(0)} ms | <= 500 ms (KEDA polls every 30 s) |`,
    `| same, max | ${Math.max(...lat).toFixed(0)} ms | |`,
    ...fps.flatMap(footprintRows),
    "",
    `Load average during the run: ${loadavg().map((l) => l.toFixed(1)).join(", ")} (other work shares the machine). The latency includes the wake-up (one XREAD on the queues' event streams), one Redis script, reads of the pool, Deployment and pods, decide(), and the scale patch.`,
    "",
  ].join("\n");
}

function writeSection(section: string): void {
  const path = join(repo, "docs", "BENCHMARKS.md");
  const old = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmarks\n\n";
  const start = old.indexOf("## Operator\n");
  if (start < 0) return writeFileSync(path, `${old.trimEnd()}\n\n${section}`);
  const next = old.indexOf("\n## ", start + 1);
  writeFileSync(path, old.slice(0, start) + section + (next < 0 ? "" : `\n${old.slice(next + 1)}`));
}

async function main(): Promise<void> {
  const { env, stop } = await sandbox();
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(env.KUBECONFIG);
    await installCrd(kc);
    say(`latency: ${BURSTS} bursts`);
    const { samples } = BURSTS > 0 ? await latency(kc, env) : { samples: [NaN] };
    say(`latency p50 ${pct(samples, 50).toFixed(0)} ms, p95 ${pct(samples, 95).toFixed(0)} ms`);
    say(`footprint: ${POOLS} pools for ${FOOTPRINT_SECONDS} s`);
    const { ns, queues } = await createPools(kc, env);
    const fps: Footprint[] = [];
    for (const [i, runtime] of RUNTIMES.entries()) {
      fps.push(await footprint(env, kc, { ns, queues, offset: Math.floor((i * POOLS) / RUNTIMES.length) }, runtime));
      say(`${runtime}: RSS max ${fps.at(-1)!.rssMb.toFixed(0)} MB; ${memoryText(fps.at(-1)!.memory)}`);
    }
    for (const q of queues) {
      await q.obliterate({ force: true });
      await q.close();
    }
    await kc.makeApiClient(CoreV1Api).deleteNamespace({ name: ns });
    const section = report(samples, fps);
    process.stdout.write(section);
    if (WRITE) writeSection(section);
  } finally {
    for (const child of started) child.kill("SIGKILL");
    await stop();
  }
}

await main();
