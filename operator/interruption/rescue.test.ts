import test from "ava";
import { planRescue, type Rescue, type RescueNode, type RescuePod } from "./rescue.ts";

const now = Date.parse("2026-06-01T12:00:00Z");
const spotItn = "aws-node-termination-handler/spot-itn";

const node = (name: string, taints: { key: string; effect?: string; timeAdded?: string }[] = [], extra: Partial<RescueNode["spec"]> = {}): RescueNode => ({
  metadata: { name },
  spec: { taints: taints.map((t) => ({ effect: "NoSchedule", ...t })), ...extra },
});
const pod = (name: string, nodeName: string | undefined, grace?: number, deletionDeadline?: number): RescuePod => ({
  name, nodeName, terminationGracePeriodSeconds: grace, deletionDeadline,
});
const sec = (s: number): number => s * 1000;

interface Row {
  title: string;
  nodes: RescueNode[];
  pods: RescuePod[];
  seen?: Record<string, number>;
  expected: Omit<Rescue, "node">[];
}

// One row per behaviour: which worker pods go, and how long each may take.
const rows: Row[] = [
  {
    title: "healthy nodes: nothing is deleted",
    nodes: [node("a"), node("b", [{ key: "nvidia.com/gpu" }])],
    pods: [pod("w1", "a", 900), pod("w2", "b", 900)],
    expected: [],
  },
  {
    title: "spot notice just seen: a long grace is cut to the 120 s left",
    nodes: [node("a", [{ key: spotItn }])],
    pods: [pod("w1", "a", 900)],
    expected: [{ pod: "w1", reason: "SpotInterruption", gracePeriodSeconds: 120, leftSeconds: 120 }],
  },
  {
    title: "spot notice: a grace shorter than the time left is kept",
    nodes: [node("a", [{ key: spotItn }])],
    pods: [pod("w1", "a", 30)],
    expected: [{ pod: "w1", reason: "SpotInterruption", gracePeriodSeconds: 30, leftSeconds: 120 }],
  },
  {
    title: "spot notice first seen 50 s ago (memory): 70 s left",
    nodes: [node("a", [{ key: spotItn }])],
    pods: [pod("w1", "a", 900)],
    seen: { [`a/${spotItn}`]: now - sec(50) },
    expected: [{ pod: "w1", reason: "SpotInterruption", gracePeriodSeconds: 70, leftSeconds: 70 }],
  },
  {
    title: "the taint's timeAdded wins over the first sighting",
    nodes: [node("a", [{ key: spotItn, timeAdded: new Date(now - sec(100)).toISOString() }])],
    pods: [pod("w1", "a", 900)],
    expected: [{ pod: "w1", reason: "SpotInterruption", gracePeriodSeconds: 20, leftSeconds: 20 }],
  },
  {
    title: "notice already over: 1 s, never 0 (0 would drop the pod before its process stops)",
    nodes: [node("a", [{ key: spotItn }])],
    pods: [pod("w1", "a", 900)],
    seen: { [`a/${spotItn}`]: now - sec(300) },
    expected: [{ pod: "w1", reason: "SpotInterruption", gracePeriodSeconds: 1, leftSeconds: 0 }],
  },
  {
    title: "a rebalance taint listed first does not hide the spot notice's deadline",
    nodes: [node("a", [{ key: "aws-node-termination-handler/rebalance-recommendation" }, { key: spotItn }])],
    pods: [pod("w1", "a", 900)],
    expected: [{ pod: "w1", reason: "RebalanceRecommendation", gracePeriodSeconds: 120, leftSeconds: 120 }],
  },
  {
    title: "rebalance recommendation alone: no deadline, the pod's own grace",
    nodes: [node("a", [{ key: "aws-node-termination-handler/rebalance-recommendation" }])],
    pods: [pod("w1", "a", 900)],
    expected: [{ pod: "w1", reason: "RebalanceRecommendation", gracePeriodSeconds: 900, leftSeconds: null }],
  },
  {
    title: "cordoned node: drained like kubectl drain, default grace when the pod sets none",
    nodes: [node("a", [], { unschedulable: true })],
    pods: [pod("w1", "a")],
    expected: [{ pod: "w1", reason: "Cordoned", gracePeriodSeconds: 30, leftSeconds: null }],
  },
  {
    title: "out-of-service: the node is down, nothing is left to save",
    nodes: [node("a", [{ key: "node.kubernetes.io/out-of-service", effect: "NoExecute" }])],
    pods: [pod("w1", "a", 900)],
    expected: [{ pod: "w1", reason: "OutOfService", gracePeriodSeconds: 1, leftSeconds: 0 }],
  },
  {
    title: "only pods on the marked node go; pending pods (no node) stay",
    nodes: [node("a", [{ key: spotItn }]), node("b")],
    pods: [pod("w1", "a", 60), pod("w2", "b", 60), pod("w3", undefined, 60), pod("w4", "a", 60)],
    expected: [
      { pod: "w1", reason: "SpotInterruption", gracePeriodSeconds: 60, leftSeconds: 120 },
      { pod: "w4", reason: "SpotInterruption", gracePeriodSeconds: 60, leftSeconds: 120 },
    ],
  },
  {
    title: "a pod already deleted by this rescue is not deleted again",
    nodes: [node("a", [{ key: spotItn }])],
    pods: [pod("w1", "a", 900, now - sec(10) + sec(120))],
    seen: { [`a/${spotItn}`]: now - sec(10) },
    expected: [],
  },
  {
    title: "a pod being deleted with a longer grace (scale-down) is deleted again with the shorter one",
    nodes: [node("a", [{ key: spotItn }])],
    pods: [pod("w1", "a", 900, now + sec(890))],
    expected: [{ pod: "w1", reason: "SpotInterruption", gracePeriodSeconds: 120, leftSeconds: 120 }],
  },
  {
    title: "a pod being deleted on a node without deadline is left to finish",
    nodes: [node("a", [], { unschedulable: true })],
    pods: [pod("w1", "a", 900, now + sec(600))],
    expected: [],
  },
];

for (const row of rows) {
  test(`planRescue: ${row.title}`, (t) => {
    const plan = planRescue({ now, nodes: row.nodes, pods: row.pods, seen: row.seen ?? {} });
    t.deepEqual(plan.rescues.map(({ node: _node, ...r }) => r), row.expected);
    for (const r of plan.rescues) t.is(r.node, row.pods.find((p) => p.name === r.pod)?.nodeName ?? "");
  });
}

test("planRescue: remembers when a deadline taint was first seen, and forgets it once the taint is gone", (t) => {
  const tainted = [node("a", [{ key: spotItn }])];
  const first = planRescue({ now, nodes: tainted, pods: [], seen: {} });
  t.deepEqual(first.seen, { [`a/${spotItn}`]: now });
  const later = planRescue({ now: now + sec(30), nodes: tainted, pods: [pod("w1", "a", 900)], seen: first.seen });
  t.deepEqual(later.seen, first.seen, "the first sighting is kept");
  t.is(later.rescues[0]?.gracePeriodSeconds, 90);
  t.deepEqual(planRescue({ now: now + sec(60), nodes: [node("a")], pods: [], seen: later.seen }).seen, {});
});
