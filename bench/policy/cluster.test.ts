import test from "ava";
import { Cluster, type ClusterEvent, type SimNode } from "./cluster.ts";
import type { QueuedJob } from "./queue.ts";
import { constantConfig } from "./testing.ts";

/** A cluster whose spot nodes are noticed at the first interruption candidate (rate = max). */
function setup() {
  const events: { t: number; e: ClusterEvent }[] = [];
  const handedBack: { id: number; t: number }[] = [];
  const cluster = new Cluster(constantConfig(), {
    schedule: (t, e) => events.push({ t, e }),
    handBack: (q, t) => handedBack.push({ id: q.job.id, t }),
    interruptionRate: () => 1,
    maxInterruptionRate: 1,
  });
  cluster.bootstrap();
  return { cluster, events, handedBack };
}

const job = (id: number, serviceS: number): QueuedJob => ({ job: { id, arrivalS: 0, serviceS }, enqueuedS: 0, waitedS: 0, attempts: 1 });

/** Two Ready spot nodes with an idle worker each, at t=20 (boot 10 + pull 5 + load 5). */
function twoSpotWorkers() {
  const s = setup();
  s.cluster.apply(3, { spot: 2 }, 0);
  const spot = s.cluster.nodes.filter((n) => n.group.capacityType === "spot");
  for (const n of spot) s.cluster.onNodeReady(n, 10);
  for (const p of s.cluster.pods.filter((p) => p.state === "starting")) s.cluster.onPodReady(p);
  return { ...s, spot };
}

function run(node: SimNode, q: QueuedJob, startS: number): void {
  const pod = node.pods[0]!;
  pod.state = "busy";
  pod.run = { q, startS, endS: startS + q.job.serviceS };
}

test("on a notice a job that fits in two minutes finishes, a longer one is handed back at once", (t) => {
  const { cluster, spot, handedBack, events } = twoSpotWorkers();
  // At t=100: node A runs a 150 s job started at 50 (ends 200: 100 s left, fits in 120 s);
  // node B runs a 300 s job started at 50 (ends 350: 250 s left, does not fit).
  run(spot[0]!, job(1, 150), 50);
  run(spot[1]!, job(2, 300), 50);
  cluster.onInterrupt(spot[0]!, 100);
  cluster.onInterrupt(spot[1]!, 100);
  t.deepEqual(spot.map((n) => n.state), ["noticed", "noticed"]);
  t.true(spot[0]!.pods[0]!.leaving, "the fitting job's worker finishes, then goes");
  t.is(spot[1]!.pods.length, 0, "the other worker is gone");
  t.deepEqual(handedBack, [{ id: 2, t: 100 }]);
  t.deepEqual(cluster.counts, { ...cluster.counts, interruptedJobs: 2, finishedOnNotice: 1, notices: 2 });
  // Termination is scheduled 120 s after each notice, and two replacements are launched.
  t.deepEqual(events.filter((x) => x.e.kind === "terminate").map((x) => x.t), [220, 220]);
  t.is(cluster.nodes.filter((n) => n.state === "booting").length, 2);
});

test("a noticed node's idle worker is replaced elsewhere and billing stops at termination", (t) => {
  const { cluster, spot } = twoSpotWorkers();
  cluster.onInterrupt(spot[0]!, 100);
  t.is(cluster.pods.filter((p) => !p.leaving).length, 3, "the Deployment keeps 3 workers (one pending)");
  t.is(cluster.pods.filter((p) => p.state === "pending").length, 1);
  const before = cluster.billing.spotS;
  cluster.onTerminate(spot[0]!, 220);
  t.is(cluster.billing.spotS - before, 220, "billed from launch (order 0 s) to termination");
});
