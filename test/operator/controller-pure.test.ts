import test from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import { mergeConditions } from "../../operator/controller/conditions.ts";
import { busyDeletionCost, busyPods, deletionCostChanges } from "../../operator/controller/deletion-cost.ts";
import { WorkQueue } from "../../operator/controller/workqueue.ts";
import { loadConfig } from "../../operator/config.ts";
import type { WorkerPod } from "../../operator/kube/pods.ts";

const pod = (name: string, deletionCost?: string, terminating = false): WorkerPod => ({ name, deletionCost, terminating });

// Each row: pods, which run a job, the annotation writes expected, and why.
const costRows: Array<[string, WorkerPod[], string[], Array<{ pod: string; cost: number }>]> = [
  ["a busy pod is made expensive so the ReplicaSet removes idle ones first", [pod("a"), pod("b")], ["a"], [{ pod: "a", cost: busyDeletionCost }]],
  ["an already-marked busy pod is not rewritten", [pod("a", "10000")], ["a"], []],
  ["a pod that finished its job goes back to the default cost", [pod("a", "10000"), pod("b")], [], [{ pod: "a", cost: 0 }]],
  ["terminating pods are left alone", [pod("a", undefined, true)], ["a"], []],
  ["idle pods without the annotation need no write", [pod("a"), pod("b")], [], []],
];
for (const [why, pods, busy, expected] of costRows) {
  test(`deletion cost: ${why}`, (t) => {
    t.deepEqual(deletionCostChanges(pods, new Set(busy)), expected);
  });
}

test("busy pods: only live pods of this Deployment that hold an active job", (t) => {
  const pods = [pod("w-1"), pod("w-2"), pod("w-3", undefined, true)];
  t.deepEqual([...busyPods(pods, ["w-1", "w-3", "other-pool-pod", ""])], ["w-1"]);
});

test("conditions keep lastTransitionTime while their status holds and move it on a change", (t) => {
  const first = mergeConditions(undefined, [{ type: "QueueReachable", status: "True", reason: "QueueRead", message: "m" }], 1, "2026-01-01T00:00:00Z");
  const same = mergeConditions(first, [{ type: "QueueReachable", status: "True", reason: "QueueRead", message: "m2" }], 2, "2026-01-01T00:05:00Z");
  t.is(same[0]!.lastTransitionTime, "2026-01-01T00:00:00Z");
  t.is(same[0]!.observedGeneration, 2);
  const flipped = mergeConditions(same, [{ type: "QueueReachable", status: "False", reason: "RedisUnavailable", message: "down" }], 2, "2026-01-01T00:06:00Z");
  t.is(flipped[0]!.lastTransitionTime, "2026-01-01T00:06:00Z");
});

test("work queue: a key added many times is processed once; one added while processing runs once more", async (t) => {
  const q = new WorkQueue();
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const run = q.run(async (key) => {
    seen.push(key);
    if (seen.length === 1) await gate;
    return {};
  }, () => undefined);
  for (let i = 0; i < 50; i++) q.add("ns/a");
  await sleep(10);
  q.add("ns/a"); // while processing: marked dirty
  q.add("ns/a");
  q.add("ns/b");
  release();
  await sleep(20);
  q.stop();
  await run;
  t.deepEqual(seen, ["ns/a", "ns/b", "ns/a"]);
});

test("work queue: errors come back with exponential backoff, a success resets it", async (t) => {
  const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 40 });
  const delays: number[] = [];
  let calls = 0;
  const run = q.run(() => {
    calls++;
    return calls <= 4 ? Promise.reject(new Error("boom")) : Promise.resolve({});
  }, (_key, _err, retryMs) => delays.push(retryMs));
  q.add("ns/a");
  while (calls < 5) await sleep(10);
  q.stop();
  await run;
  t.deepEqual(delays, [10, 20, 40, 40]);
  t.is(calls, 5);
  t.is(q.addRateLimited("ns/a"), 10, "backoff starts over after a success");
});

test("work queue: requeueAfter brings the key back; the earlier of two delays wins", async (t) => {
  const q = new WorkQueue();
  const at: number[] = [];
  const start = Date.now();
  const run = q.run(() => {
    at.push(Date.now() - start);
    return Promise.resolve(at.length === 1 ? { requeueAfterMs: 60 } : {});
  }, () => undefined);
  q.add("ns/a");
  q.addAfter("ns/a", 5_000);
  while (at.length < 2) await sleep(10);
  q.stop();
  await run;
  // Back after the 60 ms requeue, long before the 5 s delay that lost to it (no upper bound on a busy machine).
  t.true(at[1]! >= 55, `${at[1]}`);
});

test("config: a bad environment names every variable, its value and what is allowed", (t) => {
  const error = t.throws(() => loadConfig({ REDIS_PORT: "seventy", RESYNC_SECONDS: "-1", REDIS_TLS: "yes", WATCH_NAMESPACES: "ok,Bad_NS" }));
  t.regex(error.message, /REDIS_HOST=\(unset\): REDIS_HOST is required/);
  t.regex(error.message, /POD_NAME=\(unset\)/);
  t.regex(error.message, /REDIS_PORT="seventy": REDIS_PORT must be a TCP port number/);
  t.regex(error.message, /RESYNC_SECONDS="-1": RESYNC_SECONDS must be > 0/);
  t.regex(error.message, /REDIS_TLS="yes": must be one of true, false, 1, 0/);
  t.regex(error.message, /WATCH_NAMESPACES="ok,Bad_NS": must be DNS-1123 labels/);
});

test("config: defaults and parsing", (t) => {
  const c = loadConfig({ REDIS_HOST: "redis", POD_NAME: "op-0", WATCH_NAMESPACES: "genpool-gpu, other", REDIS_TLS: "true" });
  t.like(c, { REDIS_PORT: 6379, REDIS_TLS: true, RESYNC_SECONDS: 30, METRICS_PORT: 8080, LEADER_ELECTION_NAMESPACE: "genpool-system", LEASE_DURATION_SECONDS: 15 });
  t.deepEqual(c.WATCH_NAMESPACES, ["genpool-gpu", "other"]);
});

test("work queue: an urgent key goes ahead of routine ones", async (t) => {
  const q = new WorkQueue();
  const seen: string[] = [];
  for (const k of ["ns/a", "ns/b", "ns/c"]) q.add(k);
  q.add("ns/c", true); // already queued: moves to the front
  q.add("ns/d", true);
  const run = q.run((key) => {
    seen.push(key);
    return Promise.resolve({});
  }, () => undefined);
  await sleep(20);
  q.stop();
  await run;
  t.deepEqual(seen, ["ns/d", "ns/c", "ns/a", "ns/b"]);
});
