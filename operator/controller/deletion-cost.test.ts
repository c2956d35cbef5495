import test from "ava";
import fc from "fast-check";
import type { WorkerPod } from "../kube/pods.ts";
import { busyNotReady, chooseRemovals, maxScaleDownHoldMs, planScale } from "./deletion-cost.ts";

const pod = (name: string, o: Partial<WorkerPod> = {}): WorkerPod => ({ name, deletionCost: undefined, terminating: false, nodeName: "gpu-0", phase: "Running", ready: true, ...o });

// [title, pods, busy pods, replicas (default: live pods), count, expected]
const rows: Array<[string, WorkerPod[], string[], number | undefined, number, { notCreated: number; pods: string[] }]> = [
  ["never a busy pod, even a not-ready one ranked first by the ReplicaSet controller", [pod("a", { ready: false }), pod("b"), pod("c")], ["a"], undefined, 2, { notCreated: 0, pods: ["b", "c"] }],
  ["fewer idle pods than asked: only the idle ones", [pod("a"), pod("b"), pod("c")], ["a", "b"], undefined, 3, { notCreated: 0, pods: ["c"] }],
  ["every pod busy: nothing", [pod("a"), pod("b")], ["a", "b"], undefined, 1, { notCreated: 0, pods: [] }],
  ["replicas without a pod go first and delete nothing", [pod("a"), pod("b")], [], 4, 3, { notCreated: 2, pods: ["a"] }],
  ["replicas without a pod: no more than asked", [pod("a")], [], 4, 2, { notCreated: 2, pods: [] }],
  ["unscheduled, then pending, then not-ready idle pods before ready ones", [pod("r"), pod("n", { ready: false }), pod("p", { phase: "Pending", ready: false }), pod("u", { nodeName: undefined, phase: "Pending", ready: false })], [], undefined, 4, { notCreated: 0, pods: ["u", "p", "n", "r"] }],
  ["terminating pods are neither counted nor chosen", [pod("a", { terminating: true }), pod("b")], [], 2, 1, { notCreated: 1, pods: [] }],
  ["pods on a node with no busy worker go before pods beside a busy one", [pod("x1", { nodeName: "n1" }), pod("x2", { nodeName: "n1" }), pod("y1", { nodeName: "n2" })], ["x1"], undefined, 1, { notCreated: 0, pods: ["y1"] }],
  ["then pods on the node with fewer workers, so it empties", [pod("x1", { nodeName: "n1" }), pod("x2", { nodeName: "n1" }), pod("y1", { nodeName: "n2" })], [], undefined, 1, { notCreated: 0, pods: ["y1"] }],
  ["then the newest", [pod("old", { createdAt: 1_000 }), pod("new", { createdAt: 2_000 })], [], undefined, 1, { notCreated: 0, pods: ["new"] }],
  ["pods read without phase or readiness count as running and ready", [{ name: "a", deletionCost: undefined, terminating: false, nodeName: "n" }, pod("b", { ready: false })], [], undefined, 1, { notCreated: 0, pods: ["b"] }],
];

for (const [title, pods, busy, replicas, count, expected] of rows) {
  test(`removals: ${title}`, (t) => {
    t.deepEqual(chooseRemovals(pods, new Set(busy), replicas ?? pods.filter((p) => !p.terminating).length, count), expected);
  });
}

const arbitraryPods = fc.uniqueArray(
  fc.record({
    name: fc.stringMatching(/^w-[a-z0-9]{1,4}$/),
    nodeName: fc.option(fc.constantFrom("n1", "n2", "n3"), { nil: undefined }),
    phase: fc.constantFrom("Pending", "Running", "Unknown"),
    ready: fc.boolean(),
    terminating: fc.boolean(),
    busy: fc.boolean(),
    createdAt: fc.nat(1_000),
  }),
  { selector: (p) => p.name, maxLength: 12 },
);

test("property: removals never name a busy or terminating pod, and take as many as are idle up to the count", (t) => {
  fc.assert(
    fc.property(arbitraryPods, fc.nat(4), fc.nat(16), (raw, extraReplicas, count) => {
      const pods = raw.map(({ busy: _busy, ...p }) => ({ ...p, deletionCost: undefined }));
      const busy = new Set(raw.filter((p) => p.busy).map((p) => p.name));
      const live = pods.filter((p) => !p.terminating);
      const replicas = live.length + extraReplicas;
      const r = chooseRemovals(pods, busy, replicas, count);
      const byName = new Map(pods.map((p) => [p.name, p]));
      const idle = live.filter((p) => !busy.has(p.name)).length;
      return (
        r.pods.every((n) => !busy.has(n) && byName.get(n)?.terminating === false) &&
        new Set(r.pods).size === r.pods.length &&
        r.notCreated === Math.min(count, extraReplicas) &&
        r.pods.length === Math.min(idle, count - r.notCreated)
      );
    }),
  );
  t.pass();
});

test("busy pods not ready: only busy, live pods that are not ready or not running", (t) => {
  const pods = [
    pod("busy-ready"),
    pod("busy-unready", { ready: false }),
    pod("busy-unknown", { phase: "Unknown" }),
    pod("busy-leaving", { ready: false, terminating: true }),
    pod("idle-unready", { ready: false }),
    { name: "busy-unread", deletionCost: undefined, terminating: false, nodeName: "n" },
  ];
  t.deepEqual(busyNotReady(pods, new Set(["busy-ready", "busy-unready", "busy-unknown", "busy-leaving", "busy-unread"])), ["busy-unready", "busy-unknown"]);
});

test("scale plan: up and equal counts delete nothing", (t) => {
  t.deepEqual(planScale({ from: 2, decided: 5, pods: [pod("a"), pod("b")], busy: new Set() }), { kind: "scale", to: 5, removed: [] });
});

test("scale plan: down deletes the chosen idle pods and lowers the count by as many", (t) => {
  t.deepEqual(planScale({ from: 3, decided: 1, pods: [pod("a"), pod("b", { createdAt: 2 }), pod("c", { createdAt: 1 })], busy: new Set(["a"]) }), { kind: "scale", to: 1, removed: ["b", "c"] });
});

test("scale plan: down only as far as there are idle pods", (t) => {
  t.deepEqual(planScale({ from: 3, decided: 0, pods: [pod("a"), pod("b"), pod("c")], busy: new Set(["a", "b"]) }), { kind: "scale", to: 2, removed: ["c"] });
});

test("scale plan: held while a busy pod is not ready, naming it", (t) => {
  const plan = planScale({ from: 3, decided: 1, pods: [pod("a", { ready: false }), pod("b"), pod("c")], busy: new Set(["a"]) });
  t.like(plan, { kind: "held", message: "Scale-down held: a busy pod is not ready", detail: { busyNotReady: ["a"] } });
});

test("scale plan: held when every pod is busy", (t) => {
  t.like(planScale({ from: 2, decided: 1, pods: [pod("a"), pod("b")], busy: new Set(["a", "b"]) }), { kind: "held", message: "Scale-down held: no idle pod to remove" });
});

test("scale plan: once the hold has lasted its limit, a busy pod that is not ready no longer holds it (it is still never removed)", (t) => {
  t.is(maxScaleDownHoldMs, 120_000);
  const pods = [pod("a", { ready: false }), pod("b"), pod("c")];
  t.deepEqual(planScale({ from: 3, decided: 1, pods, busy: new Set(["a"]), holdForUnready: false }), { kind: "scale", to: 1, removed: ["b", "c"] });
});
