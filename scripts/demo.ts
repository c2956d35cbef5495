/**
 * `npm run demo [-- --jobs N]`: one GenerationPool scaling GPU workers and GPU nodes on the
 * sandbox, shown live.
 *
 * Starts a sandbox (or reuses the one GENPOOL_SANDBOX names, and leaves it running), the operator
 * with EKS_CLUSTER_NAME against moto, the node mirror (moto instances -> KWOK GPU nodes after a
 * boot delay) and a real worker process per Running worker pod (procedural backend, PNGs to S3,
 * rows to PostgreSQL). Then it submits a burst of jobs and refreshes a table every second: queue
 * waiting/active/done, workers desired/ready/busy, nodes per group (ready/desired), $/h. When the
 * queue has drained and everything is back to zero it prints a summary and cleans up; Ctrl-C
 * cleans up too.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseSandboxEnv, processEnv, readEnvFile, type SandboxEnv } from "../sandbox/env.ts";
import { down, up } from "../sandbox/sandbox.ts";
import type { GenerationPoolStatus } from "../operator/resource/index.ts";
import { poolStatus } from "../test/operator/support/operator.ts";
import { GpuPoolStack, poolName } from "../test/nodegroups/support/stack.ts";

const { values } = parseArgs({ options: { jobs: { type: "string", default: "60" } } });
const jobCount = Number(values.jobs);
if (!Number.isInteger(jobCount) || jobCount < 1 || jobCount > 1000) {
  process.stderr.write(`demo: --jobs ${values.jobs} is not allowed: use a whole number from 1 to 1000\n`);
  process.exit(2);
}

const say = (line: string): void => void process.stderr.write(`demo: ${line}\n`);

/** The sandbox named by GENPOOL_SANDBOX (kept), or a new one (stopped at the end). */
async function sandbox(): Promise<{ env: SandboxEnv; owned: boolean }> {
  const given = process.env.GENPOOL_SANDBOX;
  if (given) return { env: parseSandboxEnv(readEnvFile(join(given, "env"))), owned: false };
  say("starting a sandbox (Kubernetes + KWOK, Redis, PostgreSQL, moto)");
  const started = await up({ log: (line) => say(`sandbox: ${line}`) });
  return { env: parseSandboxEnv(readEnvFile(started.envFile)), owned: true };
}

/** One refresh of the table. */
interface Row {
  t: number;
  waiting: number;
  active: number;
  done: number;
  workers: string;
  groups: string[];
  cost: string;
}

const pad = (s: string | number, n: number): string => String(s).padStart(n);

function render(rows: Row[], groups: string[], title: string): string {
  const head = `${pad("t(s)", 5)} ${pad("waiting", 7)} ${pad("active", 6)} ${pad("done", 5)}  ${pad("workers d/r/b", 13)}  ${groups.map((g) => pad(g, 14)).join(" ")}  ${pad("$/h", 6)}`;
  const lines = rows.slice(-20).map((r) =>
    `${pad(r.t, 5)} ${pad(r.waiting, 7)} ${pad(r.active, 6)} ${pad(r.done, 5)}  ${pad(r.workers, 13)}  ${r.groups.map((g) => pad(g, 14)).join(" ")}  ${pad(r.cost, 6)}`);
  return [title, "nodes per group: ready/desired", head, ...lines].join("\n");
}

/** One look at the queue, the pool status and the node groups. */
async function sample(stack: GpuPoolStack, start: number): Promise<{ row: Row; status: GenerationPoolStatus; nodesDesired: number }> {
  const counts = await stack.queue.getJobCounts("waiting", "prioritized", "active", "completed");
  const status = await poolStatus(stack.namespace, poolName);
  const r = status.replicas;
  const desired = [await stack.desired(stack.spot), await stack.desired(stack.onDemand)];
  const ready = [stack.spot, stack.onDemand].map((g) => status.nodeGroups?.find((s) => s.name === g)?.ready ?? 0);
  const row: Row = {
    t: Math.round((Date.now() - start) / 1000),
    waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    done: counts.completed ?? 0,
    workers: `${r?.desired ?? 0}/${r?.ready ?? 0}/${r?.busy ?? 0}`,
    groups: desired.map((d, i) => `${ready[i]}/${d}`),
    cost: (status.estimatedHourlyCostUsd ?? 0).toFixed(2),
  };
  return { row, status, nodesDesired: desired[0]! + desired[1]! };
}

/** Nothing left: no worker desired or running, no node desired or registered. */
async function backToZero(stack: GpuPoolStack, status: GenerationPoolStatus, nodesDesired: number): Promise<boolean> {
  if ((status.replicas?.desired ?? 0) !== 0 || stack.workers.alive().length !== 0 || nodesDesired !== 0) return false;
  return (await stack.mirror.nodesOf(stack.spot)).length + (await stack.mirror.nodesOf(stack.onDemand)).length === 0;
}

/** Submits the burst and refreshes the table until the pool is back to zero; returns the milestones in seconds. */
async function watch(stack: GpuPoolStack): Promise<Record<string, number>> {
  const labels = ["spot", "on-demand"];
  const title = `Genpool demo: ${jobCount} jobs, pool ${stack.namespace}/${poolName}`;
  say(`submitting ${jobCount} jobs to queue ${stack.world.env.QUEUE_NAME}`);
  const start = Date.now();
  await stack.enqueue(jobCount, { width: 768, height: 768 });
  const rows: Row[] = [];
  const marks: Record<string, number> = {};
  for (;;) {
    const { row, status, nodesDesired } = await sample(stack, start);
    rows.push(row);
    if (nodesDesired > 0) marks["first node ordered"] ??= row.t;
    if ((status.nodes?.ready ?? 0) > 0) marks["first node Ready"] ??= row.t;
    if (row.done === jobCount) marks["queue drained"] ??= row.t;
    if (process.stdout.isTTY) process.stdout.write(`\x1b[H\x1b[2J${render(rows, labels, title)}\n`);
    else process.stdout.write(`${render([row], labels, "").split("\n").at(-1)}\n`);
    if (marks["queue drained"] !== undefined && (await backToZero(stack, status, nodesDesired))) {
      marks["back to zero"] = row.t;
      marks["peak ready workers"] = Math.max(...rows.map((x) => Number(x.workers.split("/")[1])));
      return marks;
    }
    if (row.t > 900) throw new Error("the pool did not scale back to zero within 15 minutes");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function main(): Promise<number> {
  const { env, owned } = await sandbox();
  // The sandbox helpers the stack uses read the contract from the environment.
  Object.assign(process.env, processEnv(env), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
  let stack: GpuPoolStack | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => (cleaning ??= (async () => {
    say("cleaning up");
    await stack?.close().catch((e: unknown) => say(`clean-up: ${String(e)}`));
    if (owned) await down(env.GENPOOL_SANDBOX, (line) => say(`sandbox: ${line}`));
  })());
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  try {
    say("starting the operator, the node mirror and the worker runner");
    // A 20 s spot fallback: 3 s boots take longer on a busy laptop, and the demo shows spot first.
    stack = await GpuPoolStack.start({ maxWorkers: 6, targetBacklogPerWorker: 5, spotMaxNodes: 6, onDemandMaxNodes: 4, bootDelayMs: 3000, spotFallbackDelaySeconds: 20, nodeScaleDownDelaySeconds: 5, operatorLogLevel: "info" });
    const marks = await watch(stack);
    say(Object.entries(marks).map(([k, v]) => `${k}: ${v}${k.startsWith("peak") ? "" : " s"}`).join(", "));
    return 0;
  } finally {
    await cleanup();
  }
}

main().then((code) => process.exit(code), (error: unknown) => {
  say(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  process.exit(1);
});
