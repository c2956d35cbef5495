/**
 * The replay's event loop on a simulated clock: arrivals from the trace, policy ticks, node and
 * worker start-ups, job completions, spot interruptions, and samples for the chart. Deterministic
 * for a given trace, config and seed.
 */
import { Cluster, type Billing, type ClusterEvent, type SimPod } from "./cluster.ts";
import { capacityWorkers, type SimConfig } from "./config.ts";
import { EventQueue } from "./event-queue.ts";
import type { Policy } from "./policy.ts";
import { JobQueue, type QueuedJob } from "./queue.ts";
import type { Job, Trace } from "./trace.ts";
import { interruptionRate } from "./interruptions.ts";

type SimEvent = ClusterEvent | { kind: "arrive"; job: Job } | { kind: "tick" } | { kind: "sample" } | { kind: "done"; pod: SimPod; q: QueuedJob };

/** A finished job. */
export interface Completion {
  id: number;
  arrivalS: number;
  startS: number;
  endS: number;
  waitS: number;
  attempts: number;
}

/** One point of the time series. */
export interface Sample {
  t: number;
  waiting: number;
  busy: number;
  readyWorkers: number;
  desiredWorkers: number;
  nodes: number;
  readyNodes: number;
}

/** Everything a run produced; metrics.ts turns it into figures. */
export interface RunResult {
  policy: string;
  trace: string;
  endS: number;
  completions: Completion[];
  lost: number[];
  requeued: number;
  interruptedJobs: number;
  finishedOnNotice: number;
  notices: number;
  scaleActions: number;
  nodesLaunched: number;
  billing: Billing;
  samples: Sample[];
  /** Intervals [from, to) during which every group was at its maximum size. */
  atMax: [number, number][];
  /** Seconds from the burst to enough ready workers, and the physical floor for it. */
  burst: { enoughWorkers: number; reachedS: number | undefined; floorS: number | undefined } | undefined;
}

/** Safety net: a run stops this long after the trace even if jobs remain. */
const OVERRUN_S = 6 * 3600;

/** Replays `trace` against `policy` on the simulated cluster. */
export function simulate(trace: Trace, policy: Policy, config: SimConfig): RunResult {
  const events = new EventQueue<SimEvent>();
  const queue = new JobQueue();
  const rate = (t: number): number => interruptionRate(trace.interruptionWindows, config.interruptionsPerNodeHour, t);
  const maxRate = Math.max(config.interruptionsPerNodeHour, ...trace.interruptionWindows.map((w) => w.perNodeHour));
  const res: RunResult = {
    policy: policy.name, trace: trace.name, endS: 0, completions: [], lost: [], requeued: 0, interruptedJobs: 0, finishedOnNotice: 0,
    notices: 0, scaleActions: 0, nodesLaunched: 0, billing: { spotS: 0, onDemandS: 0, gpuS: 0 }, samples: [], atMax: [], burst: undefined,
  };
  const cluster = new Cluster(config, {
    schedule: (t, e) => events.push(t, e),
    handBack: (q, t) => {
      if (q.attempts >= config.maxAttempts) res.lost.push(q.job.id);
      else {
        res.requeued++;
        queue.requeue(q, t);
      }
    },
    interruptionRate: rate,
    maxInterruptionRate: maxRate,
  });
  cluster.bootstrap();
  for (const job of trace.jobs) events.push(job.arrivalS, { kind: "arrive", job });
  events.push(0, { kind: "tick" });
  events.push(0, { kind: "sample" });
  const maxNodes = config.groups.reduce((s, g) => s + g.maxNodes, 0);
  const burst = burstTracker(trace, config);
  let atMaxFrom: number | undefined;
  let t = 0;

  const dispatch = (): void => {
    for (const pod of cluster.idlePods()) {
      const q = queue.take(t);
      if (q === undefined) return;
      pod.state = "busy";
      const run = { q, startS: t, endS: t + q.job.serviceS };
      pod.run = run;
      events.push(run.endS, { kind: "done", pod, q });
    }
  };

  const finish = (pod: SimPod, q: QueuedJob): void => {
    if (pod.run?.q !== q) return; // handed back before it finished
    const run = pod.run;
    pod.run = undefined;
    res.completions.push({ id: q.job.id, arrivalS: q.job.arrivalS, startS: run.startS, endS: t, waitS: q.waitedS, attempts: q.attempts });
    if (pod.leaving) cluster.removePod(pod, t);
    else pod.state = "idle";
  };

  const tick = (): void => {
    const obs = cluster.observe(t, { waiting: queue.waiting, active: cluster.pods.filter((p) => p.state === "busy").length, oldestWaitS: queue.oldestWaitS(t) });
    const before = [cluster.desiredWorkers, ...cluster.desiredNodes.values()];
    const want = policy.step(obs);
    cluster.apply(want.workers, want.nodes, t, want.remove);
    const after = [cluster.desiredWorkers, ...cluster.desiredNodes.values()];
    res.scaleActions += after.filter((v, i) => v !== before[i]).length;
    const full = cluster.nodes.filter((n) => n.state === "booting" || n.state === "ready").length >= maxNodes;
    if (full && atMaxFrom === undefined) atMaxFrom = t;
    if (!full && atMaxFrom !== undefined) {
      res.atMax.push([atMaxFrom, t]);
      atMaxFrom = undefined;
    }
    events.push(t + policy.tickS, { kind: "tick" });
  };

  const sample = (): void => {
    const up = cluster.nodes;
    res.samples.push({
      t,
      waiting: queue.waiting,
      busy: cluster.pods.filter((p) => p.state === "busy").length,
      readyWorkers: cluster.pods.filter((p) => (p.state === "idle" || p.state === "busy") && !p.leaving).length,
      desiredWorkers: cluster.desiredWorkers,
      nodes: up.length,
      readyNodes: up.filter((n) => n.state === "ready").length,
    });
    events.push(t + config.sampleS, { kind: "sample" });
  };

  const handle = (e: SimEvent): void => {
    switch (e.kind) {
      case "arrive": return queue.add(e.job, t);
      case "tick": return tick();
      case "sample": return sample();
      case "done": return finish(e.pod, e.q);
      case "nodeReady": return cluster.onNodeReady(e.node, t);
      case "podReady":
        cluster.onPodReady(e.pod);
        return burst.podReady(e.pod, cluster, t);
      case "interrupt": return cluster.onInterrupt(e.node, t);
      case "terminate": return cluster.onTerminate(e.node, t);
    }
  };

  const total = trace.jobs.length;
  for (let next = events.pop(); next !== undefined; next = events.pop()) {
    t = next.t;
    handle(next.event);
    dispatch();
    const settled = res.completions.length + res.lost.length >= total;
    if ((settled && t >= trace.durationS) || t > trace.durationS + OVERRUN_S) break;
  }
  if (atMaxFrom !== undefined) res.atMax.push([atMaxFrom, t]);
  cluster.close(t);
  return {
    ...res,
    endS: t,
    billing: cluster.billing,
    nodesLaunched: cluster.counts.nodesLaunched,
    interruptedJobs: cluster.counts.interruptedJobs,
    finishedOnNotice: cluster.counts.finishedOnNotice,
    notices: cluster.counts.notices,
    burst: burst.result(),
  };
}

/**
 * Flash-crowd ramp: "enough" workers is what the burst rate needs at full utilisation
 * (rate x mean service, rounded up, capped by the groups); the physical floor is the longest
 * start-up chain (order + boot + pull + load) among the pods that became ready on the way there.
 */
function burstTracker(trace: Trace, config: SimConfig) {
  const b = trace.burst;
  const meanService = trace.jobs.reduce((s, j) => s + j.serviceS, 0) / Math.max(1, trace.jobs.length);
  const enough = b === undefined ? 0 : Math.min(capacityWorkers(config.groups), Math.ceil(b.ratePerS * meanService));
  let reachedS: number | undefined;
  let floorS = 0;
  return {
    podReady(pod: SimPod, cluster: Cluster, t: number): void {
      if (b === undefined || reachedS !== undefined || t < b.startS) return;
      floorS = Math.max(floorS, pod.chainS);
      const ready = cluster.pods.filter((p) => (p.state === "idle" || p.state === "busy") && !p.leaving).length;
      if (ready >= enough) reachedS = t - b.startS;
    },
    result: () => (b === undefined ? undefined : { enoughWorkers: enough, reachedS, floorS: reachedS === undefined ? undefined : floorS }),
  };
}
