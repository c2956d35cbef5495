/** Pure: when the node step runs, and what a node plan contributes to the pool status. */
import type { GenerationPool, GenerationPoolStatus } from "../resource/index.ts";
import type { NodePlan } from "../scaling/nodes/types.ts";
import type { ConditionInput } from "./conditions.ts";

/**
 * The node step runs only with a cloud configured (EKS_CLUSTER_NAME) and node groups in the spec;
 * a paused pool freezes its node groups too (the last node status is kept).
 */
export function nodeStepEnabled(cloudConfigured: boolean, pool: Pick<GenerationPool, "spec">): boolean {
  return cloudConfigured && pool.spec.nodeGroups.length > 0 && !pool.spec.paused;
}

/** The status fields a node plan sets. */
export type NodeStatusFields = Required<Pick<GenerationPoolStatus, "nodes" | "nodeGroups" | "estimatedHourlyCostUsd">>;

/** What the node plan writes: per-group sizes, totals, cost, and its two conditions. */
export interface NodeStatus {
  fields: NodeStatusFields;
  conditions: ConditionInput[];
}

/** Maps a plan to status fields and conditions. */
export function nodeStatusOf(plan: NodePlan): NodeStatus {
  const nodeGroups = plan.groups.map((g) => ({ name: g.name, desired: g.desired, ready: g.ready, booting: g.booting }));
  return {
    fields: {
      nodes: { desired: sum(nodeGroups.map((g) => g.desired)), ready: sum(nodeGroups.map((g) => g.ready)) },
      nodeGroups,
      estimatedHourlyCostUsd: plan.estimatedHourlyCostUsd,
    },
    conditions: plan.conditions.map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })),
  };
}

/** The lower of two optional delays in seconds, in ms. */
export function lowerDelayMs(a: number | undefined, b: number | undefined): number | undefined {
  const known = [a, b].filter((x): x is number => x !== undefined);
  return known.length === 0 ? undefined : Math.min(...known) * 1000;
}

const sum = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0);
