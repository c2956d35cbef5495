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
function removalOrder(targets: readonly Target[]): Target[] {
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
