/**
 * npm run bench:policy -- --trace <name|file.csv> [--policy genpool|target-tracking|keda-ca|all]
 *   [--max-nodes N] [--seed S] [--chart out.png] [--pool pool.yaml] [--spot-discount 0.7]
 *   [--interruptions PER_NODE_HOUR] [--markdown]
 *
 * Replays a trace against each policy on the same simulated cloud and prints cost, GPU time,
 * queue wait, interruptions and waste above the oracle; optionally writes a PNG chart.
 * `--shadow --pool pool.yaml --trace mine.csv` replays Genpool alone with the user's pool and
 * prints what the operator would have decided, and why, at each change.
 */
import { parseArgs } from "node:util";
import { defaultConfig, designGroups, type GroupConfig, type SimConfig } from "./config.ts";
import { writeChart } from "./chart.ts";
import { defaultPoolSpec, groupsOf, readPoolFile } from "./genpool/pool.ts";
import { POLICY_NAMES, policyFactories } from "./policies.ts";
import { textReport } from "./report.ts";
import { replay } from "./run.ts";
import { shadow, shadowLog } from "./shadow.ts";
import { readTraceCsv, type Trace } from "./trace.ts";
import { BUILTIN_TRACES } from "./traces/builtin.ts";
import type { GenerationPoolSpec } from "../../operator/resource/index.ts";

const USAGE = "usage: npm run bench:policy -- --trace <diurnal|flash-crowd|quiet-night|spot-storm|file.csv> [--policy genpool|target-tracking|keda-ca|all] [--max-nodes N] [--seed S] [--chart out.png] [--pool pool.yaml] [--spot-discount F] [--interruptions R] [--shadow --pool pool.yaml]";

function number(flag: string, text: string | undefined, min: number, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new Error(`--${flag} is ${JSON.stringify(text)}; allowed: ${integer ? "an integer" : "a number"} >= ${min}`);
  }
  return n;
}

function loadTrace(name: string, seed: number): Trace {
  const make = BUILTIN_TRACES[name];
  if (make !== undefined) return make(seed);
  if (name.endsWith(".csv")) return readTraceCsv(name);
  throw new Error(`--trace is ${JSON.stringify(name)}; allowed: ${Object.keys(BUILTIN_TRACES).join(", ")} or a .csv file`);
}

/** Spot groups get the new maximum; the pool's replicas.max follows the capacity. */
function withMaxSpot(groups: GroupConfig[], maxSpot: number | undefined): GroupConfig[] {
  return maxSpot === undefined ? groups : groups.map((g) => (g.capacityType === "spot" ? { ...g, maxNodes: maxSpot } : g));
}

function setup(v: Record<string, string | boolean | undefined>): { config: SimConfig; spec: GenerationPoolSpec } {
  const seed = number("seed", v.seed as string | undefined, 0, true) ?? 1;
  const maxSpot = number("max-nodes", v["max-nodes"] as string | undefined, 0, true);
  const fromFile = typeof v.pool === "string" ? readPoolFile(v.pool) : undefined;
  const groups = withMaxSpot((fromFile && groupsOf(fromFile)) ?? designGroups(), maxSpot);
  const spec = fromFile === undefined ? defaultPoolSpec(groups) : { ...fromFile, nodeGroups: defaultPoolSpec(groups).nodeGroups };
  if (fromFile !== undefined && maxSpot !== undefined) spec.replicas = { ...spec.replicas, max: groups.reduce((s, g) => s + g.maxNodes * g.workersPerNode, 0) };
  const overrides: Partial<SimConfig> = { seed, groups };
  const discount = number("spot-discount", v["spot-discount"] as string | undefined, 0, false);
  if (discount !== undefined) overrides.spotDiscount = Math.min(discount, 1);
  const rate = number("interruptions", v.interruptions as string | undefined, 0, false);
  if (rate !== undefined) overrides.interruptionsPerNodeHour = rate;
  return { config: defaultConfig(overrides), spec };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      trace: { type: "string" }, policy: { type: "string", default: "all" }, "max-nodes": { type: "string" }, seed: { type: "string" },
      chart: { type: "string" }, pool: { type: "string" }, "spot-discount": { type: "string" }, interruptions: { type: "string" }, shadow: { type: "boolean" }, help: { type: "boolean" },
    },
  });
  if (values.help === true || values.trace === undefined) {
    console.log(USAGE);
    if (values.trace === undefined && values.help !== true) process.exitCode = 2;
    return;
  }
  const policy = values.policy;
  if (policy !== "all" && !POLICY_NAMES.includes(policy)) throw new Error(`--policy is ${JSON.stringify(policy)}; allowed: ${[...POLICY_NAMES, "all"].join(", ")}`);
  const { config, spec } = setup(values);
  const trace = loadTrace(values.trace, config.seed);
  if (values.shadow === true) {
    if (values.pool === undefined) throw new Error("--shadow needs --pool pool.yaml (the GenerationPool to replay)");
    const run = shadow(trace, config, spec);
    console.log(textReport(run.replay), "\n\nWhat the operator would have decided (one line per change):\n");
    console.log(shadowLog(run));
    if (values.chart !== undefined) await writeChart(run.replay, values.chart);
    return;
  }
  const names = policy === "all" ? POLICY_NAMES : [policy];
  const result = replay(trace, config, policyFactories(names, spec));
  console.log(textReport(result));
  if (values.chart !== undefined) {
    await writeChart(result, values.chart);
    console.log(`\nchart written to ${values.chart}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
