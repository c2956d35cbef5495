/**
 * Growing node groups: floors first (each group's minimum, then the on-demand base), then the
 * demand that existing and booting capacity does not cover, placed on spot groups in priority
 * order and on on-demand groups only when spot cannot take it. Sizes never go down here.
 */
import { trustedNodes, type GroupState } from "./group-state.ts";
import type { GroupReason } from "./types.ts";

/** A group's working target while the plan is built. */
export interface Target {
  state: GroupState;
  desired: number;
  reason: GroupReason;
}

/** Worker slots the target provides: trusted nodes plus nodes added by this plan. */
export function targetCapacity(t: Target): number {
  const change = t.desired - t.state.obs.desiredSize;
  // Requests added to a degraded group are not trusted; removals always count.
  const added = t.state.degraded ? Math.min(0, change) : change;
  return (trustedNodes(t.state) + added) * t.state.obs.workersPerNode;
}

/** Growth order: lower priority value first, list order breaking ties (sort is stable). */
export function byPriority(targets: readonly Target[]): Target[] {
  return [...targets].sort((a, b) => a.state.obs.spec.priority - b.state.obs.spec.priority);
}

const isOnDemand = (t: Target): boolean => t.state.obs.spec.capacityType === "on-demand";

function raiseTo(t: Target, size: number, reason: GroupReason): void {
  const bounded = Math.min(size, t.state.obs.spec.maxNodes);
  if (bounded > t.desired) {
    t.desired = bounded;
    t.reason = reason;
  }
}

/** Raises every group to its minimum and the on-demand groups together to the base. */
export function applyFloors(targets: readonly Target[], onDemandBaseNodes: number): void {
  for (const t of targets) raiseTo(t, t.state.obs.spec.minNodes, "MinNodes");
  const onDemand = byPriority(targets.filter(isOnDemand));
  let missing = onDemandBaseNodes - onDemand.reduce((sum, t) => sum + t.desired, 0);
  for (const t of onDemand) {
    if (missing <= 0) break;
    const before = t.desired;
    raiseTo(t, t.desired + missing, "OnDemandBase");
    missing -= t.desired - before;
  }
}

/** Workers the targets cannot host yet (negative: spare slots). */
export function deficit(targets: readonly Target[], desiredWorkers: number): number {
  return desiredWorkers - targets.reduce((sum, t) => sum + targetCapacity(t), 0);
}

function growthReason(t: Target, spotShort: boolean): GroupReason {
  if (t.state.leaving > 0) return "ReplaceInterrupted";
  return isOnDemand(t) && spotShort ? "SpotFallback" : "Demand";
}

/**
 * Places the uncovered demand: healthy spot groups by priority, then healthy on-demand groups.
 * Returns the workers still without a node (groups at maximum or degraded).
 */
export function growForDemand(targets: readonly Target[], desiredWorkers: number): number {
  let missing = deficit(targets, desiredWorkers);
  const spot = byPriority(targets.filter((t) => !isOnDemand(t)));
  const order = [...spot, ...byPriority(targets.filter(isOnDemand))];
  for (const t of order) {
    if (missing <= 0) break;
    // Demand reaching on-demand means spot could not take it: degraded, at maximum or slow-starting.
    const spotShort = spot.length > 0;
    if (t.state.degraded) continue;
    const perNode = t.state.obs.workersPerNode;
    const room = t.state.obs.spec.maxNodes - t.desired;
    const add = Math.min(Math.ceil(missing / perNode), room, t.state.growthLimit ?? Infinity);
    if (add <= 0) {
      if (room <= 0) t.reason = "AtMaximum";
      continue;
    }
    t.desired += add;
    t.reason = growthReason(t, spotShort);
    missing -= add * perNode;
  }
  return Math.max(0, missing);
}
