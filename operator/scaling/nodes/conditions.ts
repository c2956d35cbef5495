/**
 * The two node conditions a pool shows: SpotDegraded (spot cannot deliver, demand is on
 * on-demand) and CapacityLimited (some desired workers have no node at all).
 */
import type { GroupState } from "./group-state.ts";
import type { NodePolicy, PlanCondition } from "./types.ts";

function degradedDetail(state: GroupState, policy: NodePolicy): string {
  const name = state.obs.spec.name;
  const issue = state.blockingIssues[0];
  if (issue) return `${name}: ${issue.code}: ${issue.message}`;
  return `${name}: ${state.booting} requested nodes not Ready after ${policy.spotFallbackDelaySeconds} s`;
}

/** SpotDegraded: True while any spot group is degraded, naming each one and why. */
export function spotDegradedCondition(states: readonly GroupState[], policy: NodePolicy): PlanCondition {
  const degraded = states.filter((s) => s.obs.spec.capacityType === "spot" && s.degraded);
  if (degraded.length === 0) {
    return { type: "SpotDegraded", status: "False", reason: "SpotAvailable", message: "Spot node groups deliver requested nodes" };
  }
  const capacityErrors = degraded.some((s) => s.blockingIssues.length > 0);
  return {
    type: "SpotDegraded",
    status: "True",
    reason: capacityErrors ? "CapacityErrors" : "NodesNotReady",
    message: degraded.map((s) => degradedDetail(s, policy)).join("; "),
  };
}

/** CapacityLimited: True when `unplaced` desired workers fit in no group (maximum reached or degraded). */
export function capacityLimitedCondition(unplaced: number): PlanCondition {
  if (unplaced <= 0) {
    return { type: "CapacityLimited", status: "False", reason: "CapacitySufficient", message: "Every desired worker has a node planned" };
  }
  return {
    type: "CapacityLimited",
    status: "True",
    reason: "NodeGroupsExhausted",
    message: `${unplaced} desired workers have no node: every usable group is at its maximum or degraded`,
  };
}
