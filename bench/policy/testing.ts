/** Helpers for the replay's tests: a constant-duration cloud and a policy that asks for a fixed size. */
import { defaultConfig, type GroupConfig, type SimConfig } from "./config.ts";
import type { Desired, Policy } from "./policy.ts";

/** One on-demand base node and up to `maxSpot` spot nodes, one worker each. */
export function smallGroups(maxSpot = 10): GroupConfig[] {
  return [
    { name: "od", capacityType: "on-demand", workersPerNode: 1, minNodes: 1, maxNodes: 1 },
    { name: "spot", capacityType: "spot", workersPerNode: 1, minNodes: 0, maxNodes: maxSpot },
  ];
}

/** No randomness: order 0 s, boot 10 s, pull 5 s, load 5 s, no interruptions. */
export function constantConfig(overrides: Partial<SimConfig> = {}): SimConfig {
  return defaultConfig({
    groups: smallGroups(),
    orderS: 0,
    nodeBoot: { medianS: 10, sigma: 0 },
    imagePull: { medianS: 5, sigma: 0 },
    modelLoad: { medianS: 5, sigma: 0 },
    interruptionsPerNodeHour: 0,
    ...overrides,
  });
}

/** A policy that always asks for the same thing. */
export function fixedPolicy(desired: Desired, tickS = 5): Policy {
  return { name: "fixed", tickS, step: () => desired };
}
