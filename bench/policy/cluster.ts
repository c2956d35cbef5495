/**
 * The simulated cluster: nodes in groups and worker pods on them. It behaves like Auto Scaling,
 * the Deployment controller and the scheduler together: it keeps each group at its desired size
 * (launching, or removing booting then idle nodes first and draining busy ones), keeps the worker
 * count at its desired value (removing pending, then starting, then idle pods first; a busy pod
 * finishes its job before it goes), and places pending pods on Ready nodes with a free GPU.
 */
import type { GroupConfig, SimConfig } from "./config.ts";
import type { QueuedJob } from "./queue.ts";
import { draw, rngStream, type Rng } from "./rng.ts";
import type { GroupView, Observation } from "./policy.ts";

/** A node of the simulated cluster. */
export interface SimNode {
  id: number;
  group: GroupConfig;
  state: "booting" | "ready" | "noticed" | "draining" | "gone";
  launchedS: number;
  /** Billing starts when the instance exists (after the order latency). */
  billFromS: number;
  /** Order latency plus boot time of this node. */
  bootS: number;
  pullDoneS: number | undefined;
  pods: SimPod[];
  emptySinceS: number | undefined;
}

/** A job running on a pod. */
export interface Run {
  q: QueuedJob;
  startS: number;
  endS: number;
}

/** A worker pod. */
export interface SimPod {
  id: number;
  state: "pending" | "starting" | "idle" | "busy" | "gone";
  /** Finishing its last job: it no longer counts towards the Deployment's replicas. */
  leaving: boolean;
  createdS: number;
  node: SimNode | undefined;
  run: Run | undefined;
  /** Physical start-up chain of this pod: node order + boot (if the node was launched after `chainFromS`), pull, load. */
  chainS: number;
}

/** Events the cluster schedules on the simulated clock. */
export type ClusterEvent =
  | { kind: "nodeReady"; node: SimNode }
  | { kind: "podReady"; pod: SimPod }
  | { kind: "interrupt"; node: SimNode }
  | { kind: "terminate"; node: SimNode };

/** What the cluster needs from the event loop. */
export interface ClusterHooks {
  schedule(t: number, event: ClusterEvent): void;
  /** A running job was handed back (or lost) because its node is going away. */
  handBack(q: QueuedJob, t: number): void;
  /** Spot interruption rate at time t, per node-hour, and its maximum over the run. */
  interruptionRate(t: number): number;
  maxInterruptionRate: number;
}

/** Billed node-seconds by capacity type. */
export interface Billing {
  spotS: number;
  onDemandS: number;
  /** Node-seconds times GPUs per node. */
  gpuS: number;
}

const byNewest = (a: SimNode, b: SimNode): number => b.id - a.id;

/** Nodes, pods and the rules that move them. */
export class Cluster {
  readonly nodes: SimNode[] = [];
  readonly pods: SimPod[] = [];
  readonly billing: Billing = { spotS: 0, onDemandS: 0, gpuS: 0 };
  readonly counts = { nodesLaunched: 0, interruptedJobs: 0, finishedOnNotice: 0, notices: 0 };
  desiredWorkers = 0;
  readonly desiredNodes = new Map<string, number>();
  private nextNodeId = 1;
  private nextPodId = 1;
  private readonly rng: { boot: Rng; pull: Rng; load: Rng; interrupt: Rng };

  constructor(
    private readonly config: SimConfig,
    private readonly hooks: ClusterHooks,
  ) {
    const s = config.seed;
    this.rng = { boot: rngStream(s, "boot"), pull: rngStream(s, "pull"), load: rngStream(s, "load"), interrupt: rngStream(s, "interrupt") };
  }

  /** Starts warm: each group at its minimum, every slot of those nodes holding a ready worker. */
  bootstrap(): void {
    for (const group of this.config.groups) {
      this.desiredNodes.set(group.name, group.minNodes);
      for (let i = 0; i < group.minNodes; i++) {
        const node = this.launch(group, 0);
        Object.assign(node, { state: "ready", billFromS: 0, bootS: 0, pullDoneS: 0 });
        for (let w = 0; w < group.workersPerNode; w++) this.bindPod(this.newPod(0), node, "idle");
        this.desiredWorkers += group.workersPerNode;
      }
    }
  }

  /** Applies a policy's answer (clamped to the groups' bounds); named nodes go first. */
  apply(workers: number, nodes: Record<string, number>, t: number, remove: number[] = []): void {
    for (const id of remove) {
      const node = this.nodes.find((n) => n.id === id && (n.state === "ready" || n.state === "booting"));
      if (node !== undefined) this.drain(node, t);
    }
    this.desiredWorkers = Math.max(0, Math.round(workers));
    for (const g of this.config.groups) {
      const want = nodes[g.name];
      if (want !== undefined) this.desiredNodes.set(g.name, Math.min(g.maxNodes, Math.max(g.minNodes, Math.round(want))));
    }
    this.reconcileNodes(t);
    this.reconcileWorkers(t);
  }

  /** Brings every group to its desired size. */
  reconcileNodes(t: number): void {
    for (const group of this.config.groups) {
      const mine = this.nodes.filter((n) => n.group === group);
      const active = mine.filter((n) => n.state === "booting" || n.state === "ready");
      let diff = (this.desiredNodes.get(group.name) ?? 0) - active.length;
      for (const n of mine.filter((x) => x.state === "draining").sort(byNewest)) {
        if (diff <= 0) break;
        n.state = "ready";
        diff--;
      }
      for (; diff > 0; diff--) this.launch(group, t);
      if (diff < 0) this.shrink(active, -diff, t);
    }
  }

  private launch(group: GroupConfig, t: number): SimNode {
    const bootS = this.config.orderS + draw(this.rng.boot, this.config.nodeBoot);
    const node: SimNode = { id: this.nextNodeId++, group, state: "booting", launchedS: t, billFromS: t + this.config.orderS, bootS, pullDoneS: undefined, pods: [], emptySinceS: t };
    this.nodes.push(node);
    this.counts.nodesLaunched++;
    this.hooks.schedule(t + bootS, { kind: "nodeReady", node });
    if (group.capacityType === "spot") this.scheduleInterrupt(node, t);
    return node;
  }

  /** Removes booting nodes first, then ready nodes without a busy pod, then drains busy ones. */
  private shrink(active: SimNode[], count: number, t: number): void {
    const busy = (n: SimNode): number => n.pods.filter((p) => p.state === "busy").length;
    const order = [
      ...active.filter((n) => n.state === "booting").sort(byNewest),
      ...active.filter((n) => n.state === "ready" && busy(n) === 0).sort((a, b) => a.pods.length - b.pods.length || b.id - a.id),
      ...active.filter((n) => n.state === "ready" && busy(n) > 0).sort((a, b) => busy(a) - busy(b) || b.id - a.id),
    ];
    for (const node of order.slice(0, count)) this.drain(node, t);
  }

  /** Idle pods go at once, busy ones finish their job; the node goes when it has no pod left. */
  private drain(node: SimNode, t: number): void {
    node.state = "draining";
    for (const pod of [...node.pods]) {
      if (pod.state === "busy") pod.leaving = true;
      else this.removePod(pod, t);
    }
    if (node.pods.length === 0) this.nodeGone(node, t);
  }

  /** Keeps the live pod count at the desired worker count, then places pending pods. */
  reconcileWorkers(t: number): void {
    const live = this.pods.filter((p) => !p.leaving);
    let diff = this.desiredWorkers - live.length;
    for (; diff > 0; diff--) this.newPod(t);
    if (diff < 0) {
      const rank = { pending: 0, starting: 1, idle: 2, busy: 3, gone: 4 } as const;
      const victims = live.sort((a, b) => rank[a.state] - rank[b.state] || b.id - a.id).slice(0, -diff);
      for (const pod of victims) {
        if (pod.state === "busy") pod.leaving = true;
        else this.removePod(pod, t);
      }
    }
    this.place(t);
  }

  private newPod(t: number): SimPod {
    const pod: SimPod = { id: this.nextPodId++, state: "pending", leaving: false, createdS: t, node: undefined, run: undefined, chainS: 0 };
    this.pods.push(pod);
    return pod;
  }

  private bindPod(pod: SimPod, node: SimNode, state: SimPod["state"]): void {
    pod.node = node;
    pod.state = state;
    node.pods.push(pod);
    node.emptySinceS = undefined;
  }

  /** Puts pending pods (oldest first) on Ready nodes with a free GPU (lowest node id first). */
  place(t: number): void {
    const pending = this.pods.filter((p) => p.state === "pending");
    if (pending.length === 0) return;
    const free = this.nodes.filter((n) => n.state === "ready" && n.pods.length < n.group.workersPerNode).sort((a, b) => a.id - b.id);
    for (const node of free) {
      while (node.pods.length < node.group.workersPerNode && pending.length > 0) this.start(pending.shift()!, node, t);
    }
  }

  private start(pod: SimPod, node: SimNode, t: number): void {
    this.bindPod(pod, node, "starting");
    const firstOnNode = node.pullDoneS === undefined;
    if (firstOnNode) node.pullDoneS = t + draw(this.rng.pull, this.config.imagePull);
    const loadS = draw(this.rng.load, this.config.modelLoad);
    const readyS = Math.max(t, node.pullDoneS!) + loadS;
    pod.chainS = (firstOnNode ? node.bootS : 0) + (readyS - t);
    this.hooks.schedule(readyS, { kind: "podReady", pod });
  }

  /** A pod goes away; the node becomes empty, and a draining node with no pod left goes too. */
  removePod(pod: SimPod, t: number): void {
    pod.state = "gone";
    this.pods.splice(this.pods.indexOf(pod), 1);
    const node = pod.node;
    if (node === undefined) return;
    node.pods.splice(node.pods.indexOf(pod), 1);
    if (node.pods.length === 0) node.emptySinceS = t;
    if (node.pods.length === 0 && node.state === "draining") this.nodeGone(node, t);
  }

  /** The instance is terminated: billing stops, pods on it vanish. */
  nodeGone(node: SimNode, t: number): void {
    if (node.state === "gone") return;
    node.state = "gone";
    this.nodes.splice(this.nodes.indexOf(node), 1);
    const seconds = Math.max(0, t - node.billFromS);
    if (node.group.capacityType === "spot") this.billing.spotS += seconds;
    else this.billing.onDemandS += seconds;
    this.billing.gpuS += seconds * node.group.workersPerNode;
    for (const pod of [...node.pods]) {
      if (pod.run !== undefined) this.hooks.handBack(pod.run.q, t);
      pod.run = undefined;
      this.removePod(pod, t);
    }
  }

  onNodeReady(node: SimNode, t: number): void {
    if (node.state !== "booting") return;
    node.state = "ready";
    this.place(t);
  }

  onPodReady(pod: SimPod): void {
    if (pod.state === "starting") pod.state = "idle";
  }

  private scheduleInterrupt(node: SimNode, fromS: number): void {
    const max = this.hooks.maxInterruptionRate;
    if (max <= 0) return;
    const gap = (-Math.log(1 - this.rng.interrupt()) * 3600) / max;
    this.hooks.schedule(fromS + gap, { kind: "interrupt", node });
  }

  /** A candidate interruption (thinning): accepted with probability rate(t) / max. */
  onInterrupt(node: SimNode, t: number): void {
    if (node.state === "gone" || node.state === "noticed") return;
    if (this.rng.interrupt() * this.hooks.maxInterruptionRate >= this.hooks.interruptionRate(t)) {
      this.scheduleInterrupt(node, t);
      return;
    }
    this.notice(node, t);
  }

  /**
   * The two-minute notice: the node takes no new work; a busy worker whose job fits in the notice
   * finishes it, any other job is handed back to the queue at once (the worker can tell from the
   * step progress InvokeAI reports); the group launches a replacement (capacity rebalancing).
   */
  private notice(node: SimNode, t: number): void {
    node.state = "noticed";
    this.counts.notices++;
    this.hooks.schedule(t + this.config.noticeS, { kind: "terminate", node });
    for (const pod of [...node.pods]) {
      const run = pod.run;
      if (run === undefined) {
        this.removePod(pod, t);
        continue;
      }
      this.counts.interruptedJobs++;
      if (run.endS - t <= this.config.noticeS) {
        pod.leaving = true;
        this.counts.finishedOnNotice++;
        continue;
      }
      pod.run = undefined;
      this.hooks.handBack(run.q, t);
      this.removePod(pod, t);
    }
    this.reconcileNodes(t);
    this.reconcileWorkers(t);
  }

  onTerminate(node: SimNode, t: number): void {
    this.nodeGone(node, t);
    this.reconcileNodes(t);
    this.reconcileWorkers(t);
  }

  /** Bills every node still up at the end of the run. */
  close(t: number): void {
    for (const node of [...this.nodes]) this.nodeGone(node, t);
  }

  /** Pods that can take a job now: idle, not leaving, on a Ready node; lowest id first. */
  idlePods(): SimPod[] {
    return this.pods.filter((p) => p.state === "idle" && !p.leaving && p.node?.state === "ready");
  }

  /** What a policy can see. */
  observe(t: number, queue: Observation["queue"]): Observation {
    const live = this.pods.filter((p) => !p.leaving);
    const count = (s: SimPod["state"]): number => live.filter((p) => p.state === s).length;
    const pending = live.filter((p) => p.state === "pending");
    const groups: GroupView[] = this.config.groups.map((g) => ({
      ...g,
      desired: this.desiredNodes.get(g.name) ?? 0,
      nodes: this.nodes
        .filter((n) => n.group === g)
        .map((n) => ({
          id: n.id,
          state: n.state as "booting" | "ready" | "noticed" | "draining",
          launchedS: n.launchedS,
          pods: n.pods.length,
          busy: n.pods.filter((p) => p.state === "busy").length,
          emptySinceS: n.emptySinceS,
        })),
    }));
    const busy = this.pods.filter((p) => p.state === "busy").length;
    return {
      nowS: t,
      queue,
      workers: {
        desired: this.desiredWorkers,
        live: live.length,
        pending: pending.length,
        starting: count("starting"),
        ready: count("idle") + count("busy"),
        busy,
        oldestPendingS: pending[0]?.createdS,
      },
      groups,
    };
  }
}
