/**
 * planNodes(): desired workers -> nodes per GPU node group, in one pure decision beside
 * decide(). The runtime observes (cloud sizes, nodes, busy workers), calls this, and acts:
 * raise desired sizes, and for each named empty node delete its idle worker pods, cordon,
 * drain and terminate exactly that instance. It never lowers a desired size blindly.
 */
import { checkNodePlanInput } from "./check-input.ts";
import { capacityLimitedCondition, spotDegradedCondition } from "./conditions.ts";
import { estimatedHourlyCostUsd } from "./cost.ts";
import { groupState, type GroupState } from "./group-state.ts";
import { applyFloors, deficit, growForDemand, targetCapacity, type Target } from "./grow.ts";
import { nextIdleSince } from "./idle-since.ts";
import { requeueAfterSeconds } from "./requeue.ts";
import { shrinkEmpty, trimGrowth } from "./shrink.ts";
import type { GroupMemory, NodePlan, NodePlanInput } from "./types.ts";

/** A group that was just asked for more nodes starts its fallback timer now. */
function memoryAfter(t: Target, now: number): GroupMemory {
  const grew = t.desired > t.state.obs.desiredSize;
  const m = t.state.memory;
  return grew && m.shortfallSince === null ? { ...m, shortfallSince: now } : m;
}

/** Plans every node group of a pool. Throws a RangeError on input it cannot plan with. */
export function planNodes(input: NodePlanInput): NodePlan {
  checkNodePlanInput(input);
  const { now, policy, desiredWorkers } = input;
  const states: GroupState[] = input.groups.map((g) =>
    groupState(g, input.memory.groups[g.spec.name], policy, now));
  const targets: Target[] = states.map((state) => ({ state, desired: state.obs.desiredSize, reason: "Hold" }));

  applyFloors(targets, policy.onDemandBaseNodes);
  const floors = new Map(targets.map((t) => [t, { desired: t.desired, reason: t.reason }]));
  const unplaced = growForDemand(targets, desiredWorkers);
  const idleSince = nextIdleSince(input.groups.flatMap((g) => g.nodes), input.memory.idleSince, now);
  // Nodes ordered beyond the demand go back first; only then may Ready empty nodes go.
  const spare = unplaced === 0 ? trimGrowth(targets, floors, -deficit(targets, desiredWorkers)) : 0;
  const remove = unplaced === 0 && spare > 0
    ? shrinkEmpty({
      targets,
      spareWorkers: spare,
      onDemandBaseNodes: policy.onDemandBaseNodes,
      idleSince,
      removableBefore: now - policy.nodeScaleDownDelaySeconds * 1000,
    })
    : [];

  const groups = targets.map((t) => ({
    name: t.state.obs.spec.name, desired: t.desired, reason: t.reason, ready: t.state.ready, booting: t.state.booting,
  }));
  return {
    groups,
    remove,
    conditions: [spotDegradedCondition(states, policy), capacityLimitedCondition(unplaced)],
    plannedWorkerCapacity: targets.reduce((sum, t) => sum + targetCapacity(t), 0),
    estimatedHourlyCostUsd: estimatedHourlyCostUsd(groups, input.hourlyPricePerNode),
    requeueAfterSeconds: requeueAfterSeconds({ now, policy, states, idleSince }),
    memory: {
      groups: Object.fromEntries(targets.map((t) => [t.state.obs.spec.name, memoryAfter(t, now)])),
      idleSince,
    },
  };
}
