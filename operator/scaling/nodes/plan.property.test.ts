import test from "ava";
import fc from "fast-check";
import { planNodes } from "./plan.ts";
import { groupState } from "./group-state.ts";
import { T0 } from "./fixtures.ts";
import type { NodeGroupObservation, NodeObservation, NodePlan, NodePlanInput } from "./types.ts";

const nodeArb = (name: string): fc.Arbitrary<NodeObservation> =>
  fc.record({
    ready: fc.boolean(),
    markedForTermination: fc.boolean(),
    busyWorkers: fc.integer({ min: 0, max: 4 }),
  }).map((n) => ({ name, idleWorkerPods: [], instanceId: `i-${name}`, ...n }));

const groupArb = (index: number): fc.Arbitrary<NodeGroupObservation> =>
  fc.record({
    spot: fc.boolean(),
    priority: fc.integer({ min: 0, max: 3 }),
    min: fc.integer({ min: 0, max: 3 }),
    span: fc.integer({ min: 0, max: 12 }),
    perNode: fc.integer({ min: 1, max: 4 }),
    registered: fc.integer({ min: 0, max: 10 }),
    unregistered: fc.integer({ min: 0, max: 4 }),
    blocked: fc.boolean(),
  }).chain((g) =>
    fc.tuple(...Array.from({ length: g.registered }, (_, i) => nodeArb(`g${index}-n${i}`))).map((list) => ({
      spec: { name: `g${index}`, capacityType: g.spot ? "spot" as const : "on-demand" as const, priority: g.priority, minNodes: g.min, maxNodes: g.min + g.span },
      workersPerNode: g.perNode,
      desiredSize: list.length + g.unregistered,
      healthIssues: g.blocked ? [{ code: "AsgInstanceLaunchFailures", message: "InsufficientInstanceCapacity" }] : [],
      nodes: list,
    })));

/** Any pool: 1-4 groups, any sizes, health, timers and demand. */
const inputArb: fc.Arbitrary<NodePlanInput> = fc.integer({ min: 1, max: 4 }).chain((count) =>
  fc.record({
    groups: fc.tuple(...Array.from({ length: count }, (_, i) => groupArb(i))),
    workers: fc.integer({ min: 0, max: 60 }),
    base: fc.integer({ min: 0, max: 4 }),
    shortfallAgoS: fc.option(fc.integer({ min: 0, max: 400 })),
    degradedAgoS: fc.option(fc.integer({ min: 0, max: 400 })),
    recoveredAgoS: fc.option(fc.integer({ min: 0, max: 400 })),
    idleAgoS: fc.integer({ min: 0, max: 1200 }),
  }).map((r) => ({
    now: T0,
    desiredWorkers: r.workers,
    policy: { onDemandBaseNodes: r.base, spotFallbackDelaySeconds: 180, nodeScaleDownDelaySeconds: 600 },
    groups: r.groups,
    hourlyPricePerNode: {},
    memory: {
      groups: Object.fromEntries(r.groups.map((g) => [g.spec.name, {
        shortfallSince: r.shortfallAgoS === null ? null : T0 - r.shortfallAgoS * 1000,
        degradedSince: r.degradedAgoS === null ? null : T0 - r.degradedAgoS * 1000,
        recoveredAt: r.recoveredAgoS === null ? null : T0 - r.recoveredAgoS * 1000,
      }])),
      idleSince: Object.fromEntries(r.groups.flatMap((g) => g.nodes.map((n) => [n.name, T0 - r.idleAgoS * 1000]))),
    },
  })));

const desiredOf = (plan: NodePlan, name: string): number => plan.groups.find((g) => g.name === name)?.desired ?? NaN;
const removedFrom = (plan: NodePlan, name: string): number => plan.remove.filter((r) => r.group === name).length;
const onDemand = (input: NodePlanInput): NodeGroupObservation[] => input.groups.filter((g) => g.spec.capacityType === "on-demand");

test("property: on-demand never below the base (as far as the groups' maximums allow)", (t) => {
  fc.assert(fc.property(inputArb, (input) => {
    const plan = planNodes(input);
    const groups = onDemand(input);
    const planned = groups.reduce((sum, g) => sum + desiredOf(plan, g.spec.name), 0);
    const reachable = groups.reduce((sum, g) => sum + Math.max(g.spec.maxNodes, g.desiredSize), 0);
    return planned >= Math.min(input.policy.onDemandBaseNodes, reachable);
  }));
  t.pass();
});

test("property: never above a group's maximum, never below its minimum", (t) => {
  fc.assert(fc.property(inputArb, (input) => {
    const plan = planNodes(input);
    return input.groups.every((g) => {
      const desired = desiredOf(plan, g.spec.name);
      // A size already above the maximum is held (lowering it blindly could kill a busy node).
      return desired <= Math.max(g.spec.maxNodes, g.desiredSize) && desired >= g.spec.minNodes;
    });
  }));
  t.pass();
});

test("property: a size only goes down by the named empty nodes, which are Ready, idle long enough and not leaving", (t) => {
  fc.assert(fc.property(inputArb, (input) => {
    const plan = planNodes(input);
    const cutoff = input.now - input.policy.nodeScaleDownDelaySeconds * 1000;
    const sizesOk = input.groups.every((g) => {
      const removed = removedFrom(plan, g.spec.name);
      const desired = desiredOf(plan, g.spec.name);
      return removed === 0 ? desired >= g.desiredSize : desired === g.desiredSize - removed;
    });
    const nodesOk = plan.remove.every((r) => {
      const node = input.groups.flatMap((g) => g.nodes).find((n) => n.name === r.node);
      const since = input.memory.idleSince[r.node];
      return node !== undefined && node.ready && !node.markedForTermination && node.busyWorkers === 0 &&
        since !== undefined && since <= cutoff;
    });
    return sizesOk && nodesOk;
  }));
  t.pass();
});

/** The world right after the plan was carried out, before any ordered node has booted. */
function applied(input: NodePlanInput, plan: NodePlan): NodePlanInput {
  const removed = new Set(plan.remove.map((r) => r.node));
  return {
    ...input,
    groups: input.groups.map((g) => ({
      ...g,
      desiredSize: desiredOf(plan, g.spec.name),
      nodes: g.nodes.filter((n) => !removed.has(n.name)),
    })),
    memory: plan.memory,
  };
}

test("property: no double order while ordered nodes boot (planning again orders nothing)", (t) => {
  fc.assert(fc.property(inputArb, (input) => {
    const first = planNodes(input);
    const second = planNodes(applied(input, first));
    return second.groups.every((g) => g.desired <= desiredOf(first, g.name)) && second.remove.length === 0;
  }));
  t.pass();
});

test("property: demand reaches on-demand beyond its floors only when spot cannot take it", (t) => {
  fc.assert(fc.property(inputArb, (input) => {
    const plan = planNodes(input);
    const grewOnDemand = plan.groups.some((g) => g.reason === "SpotFallback");
    if (!grewOnDemand) return true;
    return input.groups.filter((g) => g.spec.capacityType === "spot").every((g) => {
      const state = groupState(g, input.memory.groups[g.spec.name], input.policy, input.now);
      const atMax = desiredOf(plan, g.spec.name) >= g.spec.maxNodes;
      const throttled = state.growthLimit !== null && desiredOf(plan, g.spec.name) - g.desiredSize >= state.growthLimit;
      return state.degraded || atMax || throttled;
    });
  }));
  t.pass();
});

test("property: when nothing is left unplaced the planned capacity covers the desired workers", (t) => {
  fc.assert(fc.property(inputArb, (input) => {
    const plan = planNodes(input);
    const limited = plan.conditions.find((c) => c.type === "CapacityLimited")?.status === "True";
    return limited || plan.plannedWorkerCapacity >= input.desiredWorkers;
  }));
  t.pass();
});

test("property: fallback and fail-back - a spot group degraded by time recovers once its nodes are Ready", (t) => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 181, max: 1000 }), (spotNodes, waitedS) => {
    const spec = { name: "spot", capacityType: "spot" as const, priority: 0, minNodes: 0, maxNodes: 20 };
    const odSpec = { name: "od", capacityType: "on-demand" as const, priority: 0, minNodes: 0, maxNodes: 20 };
    const base: NodePlanInput = {
      now: T0, desiredWorkers: spotNodes,
      policy: { onDemandBaseNodes: 0, spotFallbackDelaySeconds: 180, nodeScaleDownDelaySeconds: 600 },
      groups: [
        { spec, workersPerNode: 1, desiredSize: spotNodes, healthIssues: [], nodes: [] },
        { spec: odSpec, workersPerNode: 1, desiredSize: 0, healthIssues: [], nodes: [] },
      ],
      hourlyPricePerNode: {},
      memory: { groups: { spot: { shortfallSince: T0 - waitedS * 1000, degradedSince: null, recoveredAt: null } }, idleSince: {} },
    };
    const fallback = planNodes(base);
    // Spot never delivered: on-demand covers every worker, spot's requests stay.
    const fellBack = desiredOf(fallback, "od") === spotNodes && desiredOf(fallback, "spot") === spotNodes;
    const arrived = Array.from({ length: spotNodes }, (_, i) => ({
      name: `s${i}`, ready: true, markedForTermination: false, busyWorkers: 0, idleWorkerPods: [],
    }));
    const later = { ...applied(base, fallback), now: T0 + 10_000 };
    const recovered = planNodes({ ...later, groups: [{ ...later.groups[0]!, nodes: arrived }, later.groups[1]!] });
    return fellBack &&
      recovered.conditions.find((c) => c.type === "SpotDegraded")?.status === "False" &&
      recovered.memory.groups["spot"]?.recoveredAt === T0 + 10_000;
  }));
  t.pass();
});
