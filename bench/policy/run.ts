/** Runs policies on one trace and summarises each against the oracle. */
import type { SimConfig } from "./config.ts";
import { summarize, type Summary } from "./metrics.ts";
import { oracle, type OracleResult } from "./oracle.ts";
import type { PolicyFactory } from "./policy.ts";
import { simulate, type RunResult } from "./sim.ts";
import type { Trace } from "./trace.ts";

/** The replay of one trace. */
export interface Replay {
  trace: Trace;
  config: SimConfig;
  oracle: OracleResult;
  runs: { run: RunResult; summary: Summary }[];
}

/** Replays `trace` with each policy on identical simulated clouds (same seed). */
export function replay(trace: Trace, config: SimConfig, policies: PolicyFactory[]): Replay {
  const bound = oracle(trace, config);
  const runs = policies.map((make) => {
    const run = simulate(trace, make(config), config);
    return { run, summary: summarize(run, config, bound.cost.usd) };
  });
  return { trace, config, oracle: bound, runs };
}
