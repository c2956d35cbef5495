/** The figures of one run: cost, GPU time, queue wait percentiles, interruptions, waste. */
import { costOf, type Cost } from "./cost.ts";
import type { SimConfig } from "./config.ts";
import type { RunResult } from "./sim.ts";

/** Nearest-rank percentile (p in 0..100) of a list; 0 for an empty one. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** Wait percentiles, seconds. */
export interface Waits {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The figures the report prints for one policy. */
export interface Summary {
  policy: string;
  cost: Cost;
  usdPer1000Images: number;
  completed: number;
  wait: Waits;
  /** p95 wait over the jobs whose wait did not overlap a spell with every group at its maximum. */
  p95NotAtMax: number;
  interruptedJobs: number;
  requeued: number;
  lost: number;
  scaleActions: number;
  nodesLaunched: number;
  wasteUsd: number;
  burst: RunResult["burst"];
}

function waits(values: number[]): Waits {
  return { p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: values.length === 0 ? 0 : Math.max(...values) };
}

/** True when [from, to] overlaps one of the sorted intervals. */
function overlaps(intervals: [number, number][], from: number, to: number): boolean {
  let lo = 0;
  let hi = intervals.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (intervals[mid]![1] <= from) lo = mid + 1;
    else hi = mid;
  }
  const hit = intervals[lo];
  return hit !== undefined && hit[0] <= to;
}

/** Summarises a run; `oracleUsd` is the lower bound on the same trace. */
export function summarize(run: RunResult, config: SimConfig, oracleUsd: number): Summary {
  const cost = costOf(run.billing, config);
  const all = run.completions.map((c) => c.waitS);
  const free = run.completions.filter((c) => !overlaps(run.atMax, c.arrivalS, c.startS)).map((c) => c.waitS);
  return {
    policy: run.policy,
    cost,
    usdPer1000Images: run.completions.length === 0 ? 0 : (cost.usd / run.completions.length) * 1000,
    completed: run.completions.length,
    wait: waits(all),
    p95NotAtMax: percentile(free, 95),
    interruptedJobs: run.interruptedJobs,
    requeued: run.requeued,
    lost: run.lost.length,
    scaleActions: run.scaleActions,
    nodesLaunched: run.nodesLaunched,
    wasteUsd: cost.usd - oracleUsd,
    burst: run.burst,
  };
}
