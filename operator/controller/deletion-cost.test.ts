import test from "ava";
import type { WorkerPod } from "../kube/pods.ts";
import { safeRemovals } from "./deletion-cost.ts";

const pod = (name: string, o: Partial<WorkerPod> = {}): WorkerPod => ({ name, deletionCost: undefined, terminating: false, nodeName: "gpu-0", phase: "Running", ready: true, ...o });

// The ReplicaSet controller deletes unscheduled, then Pending, then not-ready pods before it looks
// at pod-deletion-cost: a busy pod ranked earlier than an idle one is deleted first whatever its cost.
const rows: Array<[string, WorkerPod[], string[], number, number?]> = [
  ["all ready: every idle pod may go (deletion cost protects the busy ones)", [pod("a"), pod("b"), pod("c")], ["a"], 2],
  ["no busy pod: any pod may go", [pod("a"), pod("b")], [], 2],
  ["a busy pod not ready: ready idle pods would be deleted after it, so none may go", [pod("a", { ready: false }), pod("b"), pod("c")], ["a"], 0],
  ["a busy pod not ready: idle pods that are not ready either go first (cost breaks the tie)", [pod("a", { ready: false }), pod("b", { ready: false }), pod("c")], ["a"], 1],
  ["unscheduled and pending idle pods rank before a not-ready busy pod", [pod("a", { ready: false }), pod("b", { nodeName: undefined, phase: "Pending", ready: false }), pod("c", { phase: "Pending", ready: false })], ["a"], 2],
  ["terminating pods are not counted", [pod("a"), pod("b", { terminating: true })], [], 1],
  ["replicas whose pod does not exist yet may go first", [pod("a", { ready: false }), pod("b")], ["a"], 2, 4],
  ["pods read without phase or readiness count as running and ready", [{ name: "a", deletionCost: undefined, terminating: false, nodeName: "n" }, { name: "b", deletionCost: undefined, terminating: false, nodeName: "n" }], ["a"], 1],
];

for (const [title, pods, busy, expected, replicas] of rows) {
  test(`safe removals: ${title}`, (t) => {
    t.is(safeRemovals(pods, new Set(busy), replicas ?? pods.filter((p) => !p.terminating).length), expected);
  });
}
