/**
 * What the simulated cloud looks like: node groups, prices, how long a node takes to boot and a
 * worker to start, and how often spot capacity is reclaimed. Every figure is a flag of the CLI.
 */
import type { Duration } from "./rng.ts";

/** A node group as the simulated cloud sees it. */
export interface GroupConfig {
  name: string;
  capacityType: "spot" | "on-demand";
  workersPerNode: number;
  minNodes: number;
  maxNodes: number;
}

/** Everything about the simulated cloud a replay needs besides the trace and the policy. */
export interface SimConfig {
  seed: number;
  groups: GroupConfig[];
  /** g5.xlarge on-demand, us-east-1, USD per hour. */
  onDemandPerHour: number;
  /** Fraction spot saves (0.7: spot costs 30 % of on-demand). */
  spotDiscount: number;
  /** Time from a larger desired size to the instance launch request (API and Auto Scaling latency). */
  orderS: number;
  /** Launch to Ready node (EC2 boot, kubelet join, NVIDIA device plugin). */
  nodeBoot: Duration;
  /** Worker image pull, once per node. */
  imagePull: Duration;
  /** Model sync and load into GPU memory, once per worker. */
  modelLoad: Duration;
  /** Spot interruption notice. */
  noticeS: number;
  /** Spot interruptions per spot node-hour outside the trace's storm windows. */
  interruptionsPerNodeHour: number;
  /** Attempts a job gets; an interrupted job on its last attempt is lost (BullMQ `attempts`). */
  maxAttempts: number;
  /** Interval of the time series drawn on the chart. */
  sampleS: number;
}

/** The design's on-demand base (1 node) and spot headroom (20 nodes) of g5.xlarge. */
export function designGroups(maxSpotNodes = 20): GroupConfig[] {
  return [
    { name: "gpu-on-demand", capacityType: "on-demand", workersPerNode: 1, minNodes: 1, maxNodes: 1 },
    { name: "gpu-spot", capacityType: "spot", workersPerNode: 1, minNodes: 0, maxNodes: maxSpotNodes },
  ];
}

/** Defaults: figures typical of g5.xlarge on EKS with a ~10 GB worker image and SDXL weights. */
export function defaultConfig(overrides: Partial<SimConfig> = {}): SimConfig {
  return {
    seed: 1,
    groups: designGroups(),
    onDemandPerHour: 1.006,
    spotDiscount: 0.7,
    orderS: 5,
    nodeBoot: { medianS: 75, sigma: 0.2 },
    imagePull: { medianS: 45, sigma: 0.25 },
    modelLoad: { medianS: 20, sigma: 0.2 },
    noticeS: 120,
    interruptionsPerNodeHour: 0.01,
    maxAttempts: 3,
    sampleS: 10,
    ...overrides,
  };
}

/** Most workers the groups can hold. */
export function capacityWorkers(groups: GroupConfig[]): number {
  return groups.reduce((sum, g) => sum + g.maxNodes * g.workersPerNode, 0);
}
