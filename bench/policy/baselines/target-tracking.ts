/**
 * Baseline 1, the reference design: an EC2 Auto Scaling group (on-demand base 1, spot above) with
 * a target-tracking policy on backlog per instance (queued jobs / InService instances, target 5).
 * CloudWatch delivers one datapoint a minute; the scale-out alarm needs 3 consecutive datapoints
 * above the target, the scale-in alarm 15 below 90 % of it. Capacity then becomes
 * ceil(instances x metric / target) = ceil(queued / 5). One worker process per GPU of an instance.
 */
import type { GroupConfig, SimConfig } from "../config.ts";
import type { Observation, Policy } from "../policy.ts";

/** Knobs of the target-tracking baseline (the design's values by default). */
export interface TargetTrackingOptions {
  targetBacklogPerInstance: number;
  periodS: number;
  scaleOutDatapoints: number;
  scaleInDatapoints: number;
  /** Target tracking's scale-in alarm sits at 90 % of the target. */
  scaleInRatio: number;
}

export const TARGET_TRACKING_DEFAULTS: TargetTrackingOptions = { targetBacklogPerInstance: 5, periodS: 60, scaleOutDatapoints: 3, scaleInDatapoints: 15, scaleInRatio: 0.9 };

/** Splits a total capacity into the on-demand base and spot above, the way a mixed-instances group does. */
export function splitCapacity(groups: GroupConfig[], capacity: number): Record<string, number> {
  const out: Record<string, number> = {};
  let left = capacity;
  const ordered = [...groups.filter((g) => g.capacityType === "on-demand"), ...groups.filter((g) => g.capacityType === "spot")];
  for (const g of ordered) {
    const n = g.capacityType === "on-demand" ? Math.min(g.minNodes, left) : Math.min(g.maxNodes, left);
    out[g.name] = n;
    left -= n;
  }
  return out;
}

/** The target-tracking policy. */
export function targetTracking(config: SimConfig, options: Partial<TargetTrackingOptions> = {}): Policy {
  const o = { ...TARGET_TRACKING_DEFAULTS, ...options };
  const groups = config.groups;
  const base = groups.filter((g) => g.capacityType === "on-demand").reduce((s, g) => s + g.minNodes, 0);
  const max = base + groups.filter((g) => g.capacityType === "spot").reduce((s, g) => s + g.maxNodes, 0);
  const perNode = groups[0]?.workersPerNode ?? 1;
  let capacity = base;
  let high = 0;
  let low = 0;
  return {
    name: "target-tracking",
    tickS: o.periodS,
    step(obs: Observation) {
      const inService = Math.max(1, obs.groups.flatMap((g) => g.nodes).filter((n) => n.state === "ready").length);
      const metric = obs.queue.waiting / inService;
      high = metric > o.targetBacklogPerInstance ? high + 1 : 0;
      low = metric < o.targetBacklogPerInstance * o.scaleInRatio ? low + 1 : 0;
      const proportional = Math.ceil(obs.queue.waiting / o.targetBacklogPerInstance);
      if (high >= o.scaleOutDatapoints) {
        capacity = Math.min(max, Math.max(capacity, proportional));
        high = 0;
      } else if (low >= o.scaleInDatapoints) {
        capacity = Math.max(base, Math.min(capacity, proportional));
        low = 0;
      }
      return { workers: capacity * perNode, nodes: splitCapacity(groups, capacity) };
    },
  };
}
