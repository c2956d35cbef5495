import test from "ava";
import { planNodes } from "./plan.ts";
import { ago, group, idle, input, nodes, T0 } from "./fixtures.ts";
import type { GroupReason, NodePlanInput } from "./types.ts";

interface Expect {
  desired: Record<string, number>;
  reasons?: Record<string, GroupReason>;
  remove?: string[];
  spotDegraded?: "True" | "False";
  capacityLimited?: "True" | "False";
  requeue?: number;
}

const busySpot = nodes("spot", 5, { busy: 1 });
const idleOd = nodes("od", 3, { idlePods: ["worker-od"] });
const idleSpot = nodes("spot", 3);

// The specification of the node planner, one behaviour per row. Defaults: on-demand base 1 node,
// spot fallback delay 180 s, node scale-down delay 600 s, one worker per node, max 50 per group.
const rows: [string, NodePlanInput, Expect][] = [
  ["no demand: the on-demand base is kept", input({ workers: 0, groups: [group("od", "on-demand"), group("spot", "spot")] }),
    { desired: { od: 1, spot: 0 }, reasons: { od: "OnDemandBase", spot: "Hold" } }],
  ["every group is raised to its minimum", input({ workers: 0, policy: { onDemandBaseNodes: 0 }, groups: [group("spot", "spot", { min: 2 })] }),
    { desired: { spot: 2 }, reasons: { spot: "MinNodes" } }],
  ["a burst of 40 workers: the base counts first, spot takes the rest",
    input({ workers: 40, groups: [group("od", "on-demand", { nodes: nodes("od", 1) }), group("spot", "spot")] }),
    { desired: { od: 1, spot: 39 }, reasons: { spot: "Demand" }, spotDegraded: "False", capacityLimited: "False" }],
  ["nodes still booting are not ordered twice (the Pending pods wait for them)",
    input({ workers: 40, groups: [group("od", "on-demand", { nodes: nodes("od", 1) }), group("spot", "spot", { desired: 39 })],
      groupMemory: { spot: { shortfallSince: ago(150) } } }),
    { desired: { od: 1, spot: 39 }, reasons: { spot: "Hold" }, requeue: 30 }],
  ["registered but not yet Ready nodes count as booting",
    input({ workers: 6, groups: [group("od", "on-demand", { nodes: nodes("od", 1) }), group("spot", "spot", { desired: 5, nodes: nodes("s", 3, { ready: false }) })],
      groupMemory: { spot: { shortfallSince: ago(30) } } }),
    { desired: { od: 1, spot: 5 } }],
  ["four GPUs per node: 10 workers need 3 nodes",
    input({ workers: 10, policy: { onDemandBaseNodes: 0 }, groups: [group("spot", "spot", { perNode: 4 })] }),
    { desired: { spot: 3 } }],
  ["spot groups fill in priority order (lower value first)",
    input({ workers: 20, policy: { onDemandBaseNodes: 0 }, groups: [group("second", "spot", { priority: 10 }), group("first", "spot", { priority: 0, max: 5 })] }),
    { desired: { second: 15, first: 5 } }],
  ["spot at its maximum overflows to on-demand",
    input({ workers: 20, policy: { onDemandBaseNodes: 0 }, groups: [group("od", "on-demand"), group("spot", "spot", { max: 10 })] }),
    { desired: { od: 10, spot: 10 }, reasons: { od: "SpotFallback" }, capacityLimited: "False" }],
  ["every group at its maximum: CapacityLimited",
    input({ workers: 30, policy: { onDemandBaseNodes: 0 },
      groups: [group("od", "on-demand", { max: 5, nodes: nodes("od", 5, { busy: 1 }) }), group("spot", "spot", { max: 10, nodes: nodes("s", 10, { busy: 1 }) })] }),
    { desired: { od: 5, spot: 10 }, reasons: { od: "AtMaximum", spot: "AtMaximum" }, capacityLimited: "True" }],
  ["spot nodes not Ready within the fallback delay: on-demand takes the demand, spot requests stay",
    input({ workers: 6, groups: [group("od", "on-demand", { nodes: nodes("od", 1) }), group("spot", "spot", { desired: 5 })],
      groupMemory: { spot: { shortfallSince: ago(181) } } }),
    { desired: { od: 6, spot: 5 }, reasons: { od: "SpotFallback" }, spotDegraded: "True" }],
  ["before the fallback delay spot is trusted, and the planner wakes when it ends",
    input({ workers: 6, groups: [group("od", "on-demand", { nodes: nodes("od", 1) }), group("spot", "spot", { desired: 5 })],
      groupMemory: { spot: { shortfallSince: ago(170) } } }),
    { desired: { od: 1, spot: 5 }, spotDegraded: "False", requeue: 10 }],
  ["a launch failure health issue falls back at once",
    input({ workers: 6, groups: [group("od", "on-demand", { nodes: nodes("od", 1) }),
      group("spot", "spot", { desired: 5, issues: [{ code: "AsgInstanceLaunchFailures", message: "InsufficientInstanceCapacity" }] })] }),
    { desired: { od: 6, spot: 5 }, spotDegraded: "True" }],
  ["an issue that does not block launches (PodEvictionFailure) changes nothing",
    input({ workers: 6, groups: [group("od", "on-demand", { nodes: nodes("od", 1) }),
      group("spot", "spot", { desired: 5, issues: [{ code: "PodEvictionFailure", message: "pdb" }] })] }),
    { desired: { od: 1, spot: 5 }, spotDegraded: "False" }],
  ["spot recovered: slow start keeps no more spot in flight than is Ready, on-demand covers the rest",
    input({ workers: 13, groups: [group("od", "on-demand", { nodes: nodes("od", 1, { busy: 1 }) }), group("spot", "spot", { nodes: nodes("s", 2, { busy: 1 }) })],
      groupMemory: { spot: { degradedSince: ago(400), shortfallSince: null } } }),
    { desired: { od: 9, spot: 4 }, reasons: { spot: "Demand", od: "SpotFallback" }, spotDegraded: "False" }],
  ["one fallback delay after recovering, spot takes all new demand again",
    input({ workers: 13, groups: [group("od", "on-demand", { nodes: nodes("od", 1, { busy: 1 }) }), group("spot", "spot", { nodes: nodes("s", 2, { busy: 1 }) })],
      groupMemory: { spot: { recoveredAt: ago(181) } } }),
    { desired: { od: 1, spot: 12 } }],
  ["fail-back: empty on-demand nodes above the base go first, busy spot stays",
    input({ workers: 5, groups: [group("od", "on-demand", { nodes: idleOd }), group("spot", "spot", { nodes: busySpot })], idleSince: idle(idleOd, ago(700)) }),
    { desired: { od: 1, spot: 5 }, reasons: { od: "ScaleInEmpty" }, remove: ["od-0", "od-1"] }],
  ["between spot groups, the one grown last (higher priority value) shrinks first",
    input({ workers: 2, policy: { onDemandBaseNodes: 0 }, groups: [
      group("first", "spot", { priority: 0, nodes: nodes("f", 2) }), group("second", "spot", { priority: 5, nodes: nodes("s", 2) })],
    idleSince: idle([...nodes("f", 2), ...nodes("s", 2)], ago(900)) }),
    { desired: { first: 2, second: 0 }, remove: ["s-0", "s-1"] }],
  ["fail-back: an on-demand node with only idle workers goes once spot has room; its worker is recreated on spot",
    input({ workers: 2, policy: { onDemandBaseNodes: 0 }, groups: [
      group("od", "on-demand", { nodes: nodes("od", 1, { idlePods: ["w-od"] }) }), group("spot", "spot", { nodes: [...nodes("s", 1, { busy: 1 }), ...nodes("e", 1)] })],
    idleSince: { "od-0": ago(900), "e-0": ago(900) } }),
    { desired: { od: 0, spot: 2 }, remove: ["od-0"] }],
  // Found by the property "a size only goes down by the named empty nodes" (seed 1113685): 9
  // workers, 5 nodes in od (4 booting) and a 2-GPU group of at most 1 node. Growth took od to 8
  // and big to 1 (10 slots), then removed od's Ready empty node to give back the spare slot.
  ["a node of a group this plan grows is never removed: the plan orders one node fewer instead",
    input({ workers: 9, policy: { onDemandBaseNodes: 0 }, groups: [
      group("od", "on-demand", { max: 8, nodes: [...nodes("od", 4, { ready: false }), ...nodes("ready", 1)] }),
      group("big", "on-demand", { max: 1, perNode: 2 }),
    ], idleSince: { "ready-0": ago(600) } }),
    { desired: { od: 7, big: 1 }, reasons: { od: "Demand", big: "Demand" }, remove: [] }],
  ["busy nodes are never removed, even with no demand",
    input({ workers: 0, policy: { onDemandBaseNodes: 0 }, groups: [group("spot", "spot", { nodes: busySpot })] }),
    { desired: { spot: 5 }, remove: [] }],
  ["with no timer due the planner still re-checks every 60 s",
    input({ workers: 1, groups: [group("od", "on-demand", { nodes: nodes("od", 1, { busy: 1 }) })] }),
    { desired: { od: 1 }, requeue: 60 }],
  ["an empty node waits out the scale-down delay, and the planner wakes when it ends",
    input({ workers: 0, policy: { onDemandBaseNodes: 0 }, groups: [group("spot", "spot", { nodes: idleSpot })], idleSince: idle(idleSpot, ago(590)) }),
    { desired: { spot: 3 }, remove: [], requeue: 10 }],
  ["after the delay empty nodes go, never below the group's minimum",
    input({ workers: 0, policy: { onDemandBaseNodes: 0 }, groups: [group("spot", "spot", { min: 1, nodes: idleSpot })], idleSince: idle(idleSpot, ago(600)) }),
    { desired: { spot: 1 }, remove: ["spot-0", "spot-1"] }],
  ["empty on-demand nodes never go below the base",
    input({ workers: 0, policy: { onDemandBaseNodes: 2 }, groups: [group("od", "on-demand", { nodes: idleOd })], idleSince: idle(idleOd, ago(900)) }),
    { desired: { od: 2 }, remove: ["od-0"] }],
  ["a four-GPU node goes only when four worker slots are spare",
    input({ workers: 5, policy: { onDemandBaseNodes: 0 }, groups: [group("big", "spot", { perNode: 4, nodes: [...nodes("b", 1, { busy: 4 }), ...nodes("e", 1)] })],
      idleSince: { "e-0": ago(900) } }),
    { desired: { big: 2 }, remove: [] }],
  ["an interrupted node is not capacity: its replacement is ordered at once",
    input({ workers: 2, policy: { onDemandBaseNodes: 0 }, groups: [group("spot", "spot", { nodes: [...nodes("s", 1, { busy: 1 }), ...nodes("x", 1, { busy: 1, marked: true })] })] }),
    { desired: { spot: 3 }, reasons: { spot: "ReplaceInterrupted" } }],
  ["an interrupted, empty node is never chosen for removal",
    input({ workers: 0, policy: { onDemandBaseNodes: 0 }, groups: [group("spot", "spot", { nodes: nodes("x", 1, { marked: true }) })], idleSince: { "x-0": ago(900) } }),
    { desired: { spot: 1 }, remove: [] }],
  ["a spec maximum below the current size holds: no blind decrease",
    input({ workers: 4, policy: { onDemandBaseNodes: 0 }, groups: [group("spot", "spot", { max: 2, nodes: nodes("s", 4, { busy: 1 }) })] }),
    { desired: { spot: 4 } }],
];

for (const [title, given, expected] of rows) {
  test(`planNodes: ${title}`, (t) => {
    const plan = planNodes(given);
    t.deepEqual(Object.fromEntries(plan.groups.map((g) => [g.name, g.desired])), expected.desired);
    for (const [name, reason] of Object.entries(expected.reasons ?? {})) {
      t.is(plan.groups.find((g) => g.name === name)?.reason, reason, `reason of ${name}`);
    }
    if (expected.remove) t.deepEqual(plan.remove.map((r) => r.node), expected.remove);
    const condition = (type: string): string | undefined => plan.conditions.find((c) => c.type === type)?.status;
    if (expected.spotDegraded) t.is(condition("SpotDegraded"), expected.spotDegraded);
    if (expected.capacityLimited) t.is(condition("CapacityLimited"), expected.capacityLimited);
    if (expected.requeue !== undefined) t.is(plan.requeueAfterSeconds, expected.requeue);
  });
}

test("planNodes: a removal names the exact instance and its idle worker pods", (t) => {
  const list = nodes("od", 2, { idlePods: ["worker-abc"] });
  const plan = planNodes(input({ workers: 0, groups: [group("od", "on-demand", { nodes: list })], idleSince: idle(list, ago(900)) }));
  t.deepEqual(plan.remove, [{ group: "od", node: "od-0", instanceId: "i-od-0", idleWorkerPods: ["worker-abc"] }]);
});

test("planNodes: the cost estimate prices every planned node", (t) => {
  const plan = planNodes(input({ workers: 4, groups: [group("od", "on-demand"), group("spot", "spot")], prices: { od: 1.006, spot: 0.3018 } }));
  // 1 on-demand base node + 3 spot nodes.
  t.is(plan.estimatedHourlyCostUsd, 1.91);
});

test("planNodes: the degraded condition names the group and the cloud's message", (t) => {
  const plan = planNodes(input({ workers: 2, groups: [group("od", "on-demand"),
    group("spot", "spot", { desired: 1, issues: [{ code: "AsgInstanceLaunchFailures", message: "InsufficientInstanceCapacity" }] })] }));
  const spot = plan.conditions.find((c) => c.type === "SpotDegraded");
  t.is(spot?.reason, "CapacityErrors");
  t.is(spot?.message, "spot: AsgInstanceLaunchFailures: InsufficientInstanceCapacity");
});

test("planNodes: memory starts the fallback timer when a group is grown and the idle timer when a node empties", (t) => {
  const list = nodes("od", 1);
  const plan = planNodes(input({ workers: 3, groups: [group("od", "on-demand", { nodes: list }), group("spot", "spot")] }));
  t.is(plan.memory.groups["spot"]?.shortfallSince, T0);
  t.is(plan.memory.idleSince["od-0"], T0);
});

test("planNodes: bad input names the field, the value and what is allowed", (t) => {
  const bad = input({ workers: 1, groups: [group("spot", "spot", { perNode: 0 })] });
  t.throws(() => planNodes(bad), { message: "groups[0] (spot).workersPerNode is 0; it must be an integer >= 1" });
  const inverted = input({ workers: 1, groups: [group("spot", "spot", { min: 3, max: 2 })] });
  t.throws(() => planNodes(inverted), { message: "groups[0] (spot).spec.maxNodes is 2; it must be an integer >= 3" });
});
