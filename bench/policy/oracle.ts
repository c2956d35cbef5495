/**
 * The lower bound no real policy can beat: the mandated on-demand base runs for the whole period
 * and serves jobs in arrival order whenever one of its workers is free; every job that arrives
 * while the base is busy runs at once on spot capacity that exists only while that job runs
 * (no idle time, no boot, no model load). Every job waits 0 s.
 */
import type { Cost } from "./cost.ts";
import { costOf } from "./cost.ts";
import type { SimConfig } from "./config.ts";
import type { Trace } from "./trace.ts";

/** The oracle's cost and how it split the jobs. */
export interface OracleResult {
  cost: Cost;
  baseJobs: number;
  spotJobs: number;
}

/** Computes the oracle for a trace. */
export function oracle(trace: Trace, config: SimConfig): OracleResult {
  const base = config.groups.filter((g) => g.capacityType === "on-demand");
  const freeAt: number[] = base.flatMap((g) => Array<number>(g.minNodes * g.workersPerNode).fill(0));
  const spot = config.groups.find((g) => g.capacityType === "spot");
  const spotWorkersPerNode = spot?.workersPerNode ?? 1;
  let spotGpuS = 0;
  let baseJobs = 0;
  for (const job of trace.jobs) {
    const slot = freeAt.findIndex((f) => f <= job.arrivalS);
    if (slot >= 0) {
      freeAt[slot] = job.arrivalS + job.serviceS;
      baseJobs++;
    } else spotGpuS += job.serviceS;
  }
  const baseNodeS = base.reduce((s, g) => s + g.minNodes, 0) * trace.durationS;
  const baseGpuS = base.reduce((s, g) => s + g.minNodes * g.workersPerNode, 0) * trace.durationS;
  const billing = { onDemandS: baseNodeS, spotS: spotGpuS / spotWorkersPerNode, gpuS: baseGpuS + spotGpuS };
  return { cost: costOf(billing, config), baseJobs, spotJobs: trace.jobs.length - baseJobs };
}
