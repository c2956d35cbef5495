/**
 * Shrinking node groups, one named node at a time. A managed node group picks the instance to
 * terminate when its desired size is lowered, which could be a node running a job; so the plan
 * only ever names Ready nodes that have had no busy worker for the scale-down delay, and the
 * runtime terminates exactly those (see docs/NODEGROUPS.md).
 */
import { byPriority, type Target } from "./grow.ts";
import type { NodeObservation, NodeRemoval } from "./types.ts";

/** A node that may go: Ready, not already leaving, no busy worker for long enough. */
export function isRemovable(node: NodeObservation, idleSince: number | undefined, removableBefore: number): boolean {
  return node.ready && !node.markedForTermination && node.busyWorkers === 0 &&
    idleSince !== undefined && idleSince <= removableBefore;
}

/** Cheapest to lose first: on-demand groups (they cost most), then spot; each in reverse growth order. */
export function removalOrder(targets: readonly Target[]): Target[] {
  const onDemand = targets.filter((t) => t.state.obs.spec.capacityType === "on-demand");
  const spot = targets.filter((t) => t.state.obs.spec.capacityType === "spot");
  return [...byPriority(onDemand).reverse(), ...byPriority(spot).reverse()];
}

/** Inputs of a shrink step. */
export interface ShrinkInput {
  targets: readonly Target[];
  /** Spare worker slots (capacity minus desired workers). */
  spareWorkers: number;
  onDemandBaseNodes: number;
  idleSince: Readonly<Record<string, number>>;
  /** Nodes idle since at or before this instant (ms epoch) may go. */
  removableBefore: number;
}

/**
 * Takes back nodes this plan ordered beyond the demand, in removal order, never below where the
 * floors put each group (`floors`, the targets after applyFloors). A group's whole nodes can
 * bring more slots than the missing workers (2 GPUs a node for 1 worker): ordering one node
 * fewer is better than ordering it and then removing a Ready node. Returns the spare slots left.
 */
export function trimGrowth(targets: readonly Target[], floors: ReadonlyMap<Target, { desired: number; reason: Target["reason"] }>, spareWorkers: number): number {
  let spare = spareWorkers;
  for (const t of removalOrder(targets)) {
    const floor = floors.get(t)!;
    const cut = Math.min(t.desired - floor.desired, Math.floor(spare / t.state.obs.workersPerNode));
    if (cut <= 0) continue;
    t.desired -= cut;
    spare -= cut * t.state.obs.workersPerNode;
    if (t.desired === floor.desired) t.reason = floor.reason;
  }
  return spare;
}

/** Names the empty nodes to remove and lowers their groups' targets; never below min or base. */
export function shrinkEmpty(input: ShrinkInput): NodeRemoval[] {
  const removals: NodeRemoval[] = [];
  let spare = input.spareWorkers;
  let onDemandTotal = input.targets
    .filter((t) => t.state.obs.spec.capacityType === "on-demand")
    .reduce((sum, t) => sum + t.desired, 0);
  for (const t of removalOrder(input.targets)) {
    const onDemand = t.state.obs.spec.capacityType === "on-demand";
    const candidates = t.state.obs.nodes
      .filter((n) => isRemovable(n, input.idleSince[n.name], input.removableBefore))
      .sort((a, b) => (input.idleSince[a.name] ?? 0) - (input.idleSince[b.name] ?? 0));
    for (const node of candidates) {
      const aboveFloor = t.desired > t.state.obs.spec.minNodes &&
        (!onDemand || onDemandTotal > input.onDemandBaseNodes);
      if (!aboveFloor || spare < t.state.obs.workersPerNode) break;
      removals.push({ group: t.state.obs.spec.name, node: node.name, instanceId: node.instanceId, idleWorkerPods: node.idleWorkerPods });
      t.desired -= 1;
      t.reason = "ScaleInEmpty";
      spare -= t.state.obs.workersPerNode;
      if (onDemand) onDemandTotal -= 1;
    }
  }
  return removals;
}
