/**
 * The standard replay matrix written to docs/BENCHMARKS.md: every built-in trace at the design's
 * maximum (20 spot nodes) and with the maximum raised so capacity never saturates, every policy,
 * plus the flash crowd with Genpool warm pools. `tsx bench/policy/matrix.ts` prints the Markdown.
 */
import type { GenerationPoolSpec } from "../../operator/resource/index.ts";
import { defaultConfig, designGroups } from "./config.ts";
import { defaultPoolSpec } from "./genpool/pool.ts";
import { genpool } from "./genpool/policy.ts";
import { POLICY_NAMES, policyFactories } from "./policies.ts";
import { burstLines, COLUMNS, markdownTable, rows } from "./report.ts";
import { replay } from "./run.ts";
import { BUILTIN_TRACES } from "./traces/builtin.ts";

/** Spot maximum that the built-in traces never reach. */
export const UNSATURATED_MAX = 200;

function section(trace: string, maxSpot: number, seed: number): string {
  const groups = designGroups(maxSpot);
  const config = defaultConfig({ seed, groups });
  const r = replay(BUILTIN_TRACES[trace]!(seed), config, policyFactories(POLICY_NAMES, defaultPoolSpec(groups)));
  const burst = burstLines(r).map((l) => `- ${l}`);
  return [`#### ${trace}, max ${maxSpot} spot nodes (${r.trace.jobs.length} jobs)`, "", markdownTable(COLUMNS, rows(r)), "", ...burst, ...(burst.length > 0 ? [""] : [])].join("\n");
}

function warmPools(maxSpot: number, seed: number): string {
  const groups = designGroups(maxSpot);
  const config = defaultConfig({ seed, groups });
  const trace = BUILTIN_TRACES["flash-crowd"]!(seed);
  const variants = [0, 2, 5, 10].map((warmIdle) => {
    const base = defaultPoolSpec(groups);
    const spec = { ...base, replicas: { ...base.replicas, warmIdle } };
    const r = replay(trace, config, [(c) => ({ ...genpool(c, spec), name: `genpool warmIdle=${warmIdle}` })]);
    return { r, warmIdle };
  });
  const body = variants.map(({ r, warmIdle }) => {
    const s = r.runs[0]!.summary;
    const b = s.burst;
    return [String(warmIdle), `$${s.cost.usd.toFixed(2)}`, `$${s.wasteUsd.toFixed(2)}`, s.wait.p95.toFixed(1), s.wait.p99.toFixed(1), b?.reachedS?.toFixed(0) ?? "never", b?.floorS?.toFixed(0) ?? "-"];
  });
  const header = ["warmIdle", "total $", "waste $", "p95 s", "p99 s", "s to enough workers", "physical floor s"];
  return [`#### flash-crowd, Genpool warm pool, max ${maxSpot} spot nodes`, "", markdownTable(header, body), ""].join("\n");
}

/** Spec changes the report suggests to the policy owner, replayed so the figures are reproducible. */
const TUNINGS: [string, (s: GenerationPoolSpec) => GenerationPoolSpec][] = [
  ["defaults (scaleDown.stabilizationSeconds 60, nodeScaleDownDelaySeconds 60)", (s) => s],
  ["HPA-like scaleDown.stabilizationSeconds 300, nodeScaleDownDelaySeconds 600", (s) => ({ ...s, scaleDown: { ...s.scaleDown, stabilizationSeconds: 300 }, nodeScaleDownDelaySeconds: 600 })],
  ["targetBacklogPerWorker 2", (s) => ({ ...s, targetBacklogPerWorker: 2 })],
  ["targetBacklogPerWorker 1", (s) => ({ ...s, targetBacklogPerWorker: 1 })],
];

function tunings(seed: number): string {
  const groups = designGroups(20);
  const config = defaultConfig({ seed, groups });
  const body = ["diurnal", "flash-crowd"].flatMap((name) => {
    const trace = BUILTIN_TRACES[name]!(seed);
    return TUNINGS.map(([label, tune]) => {
      const r = replay(trace, config, [(c) => genpool(c, tune(defaultPoolSpec(groups)))]);
      const s = r.runs[0]!.summary;
      const lag = s.burst?.reachedS === undefined ? "-" : (s.burst.reachedS - (s.burst.floorS ?? 0)).toFixed(0);
      return [name, label, `$${s.cost.usd.toFixed(2)}`, `$${s.wasteUsd.toFixed(2)}`, s.wait.p95.toFixed(1), s.p95NotAtMax.toFixed(1), lag];
    });
  });
  const header = ["trace", "Genpool spec change", "total $", "waste $", "p95 s", "p95 not at max s", "burst lag above floor s"];
  return ["#### Genpool spec changes, max 20 spot nodes", "", markdownTable(header, body), ""].join("\n");
}

/** The whole matrix as Markdown. */
export function matrixMarkdown(seed = 1): string {
  const parts: string[] = [];
  for (const trace of Object.keys(BUILTIN_TRACES)) {
    for (const max of [20, UNSATURATED_MAX]) parts.push(section(trace, max, seed));
  }
  parts.push(warmPools(20, seed), warmPools(UNSATURATED_MAX, seed), tunings(seed));
  return parts.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(matrixMarkdown());
