import type { GenerationPool } from "../resource/index.ts";
import { InvalidGenerationPoolError, parseGenerationPool } from "../resource/index.ts";
import type { Decision, HistoryEntry, Observation } from "../scaling/types.ts";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { OperatorMetrics } from "../http/metrics.ts";
import type { QueueDemand } from "../queue/demand.ts";
import type { QueueId } from "../queue/wakeups.ts";
import type { WorkerDeployment } from "../kube/deployments.ts";
import type { WorkerPod } from "../kube/pods.ts";
import type { PoolEvent } from "../kube/events.ts";
import type { GenerationPoolStatus } from "../resource/index.ts";
import { busyPods, deletionCostChanges, maxScaleDownHoldMs, planScale, type ScalePlan } from "./deletion-cost.ts";
import { buildStatus, iso, statusChanged } from "./status.ts";
import { mergeConditions } from "./conditions.ts";
import type { PoolMemories, PoolMemory } from "./memory.ts";
import type { Outcome } from "./workqueue.ts";
import { emptyNodeMemory, runNodeStep, type NodeStepDeps } from "./node-step.ts";
import { lowerDelayMs, nodeStatusOf, nodeStepEnabled, type NodeStatus } from "./node-status.ts";
import { splitKey } from "./workqueue.ts";
import { runRescueStep } from "./rescue-step.ts";

/** The adapters and pure functions one reconcile uses; each is a narrow slice of operator/kube or operator/queue. */
export interface ReconcileDeps {
  pools: { get(ns: string, name: string): Promise<unknown>; writeStatus(ns: string, name: string, s: GenerationPoolStatus): Promise<void> };
  deployments: { get(ns: string, name: string): Promise<WorkerDeployment | undefined>; scale(ns: string, name: string, replicas: number): Promise<void> };
  pods: { list(ns: string, selector: string): Promise<WorkerPod[]>; setDeletionCost(ns: string, name: string, cost: number): Promise<void>; delete(ns: string, name: string, gracePeriodSeconds?: number): Promise<void> };
  events: { emit(e: PoolEvent): Promise<void> };
  readDemand(queue: QueueId): Promise<QueueDemand>;
  /** Tells a worker pod, through its queue's Redis, when it will be killed (before a rescue shortens its grace). */
  announceStopBy(queue: QueueId, pod: string, stopByMs: number): Promise<void>;
  decide(o: Observation): Decision;
  initialHistory(current: number, now: number): HistoryEntry[];
  /** Tells the wiring which queue and Deployment wake this pool (undefined: the pool is gone). */
  track(key: string, target: { queue: QueueId; namespace: string; deployment: string } | undefined): void;
  memories: PoolMemories;
  /** The GPU node step (EKS_CLUSTER_NAME set); undefined: the operator sizes the Deployment only. */
  nodes?: NodeStepDeps | undefined;
  clock: Clock;
  log: Logger;
  metrics: OperatorMetrics;
}

/** Requeue soon while the queue is unreachable, so recovery is seen without waiting for the resync. */
const unreachableRequeueMs = 2_000;

/** Level-based reconcile of one pool: re-read everything, decide, act on the difference. */
export class PoolReconciler {
  /** First sightings of deadline taints on GPU Nodes (interruption rescue; cluster-wide, lost on restart). */
  private rescueSeen: Record<string, number> = {};
  constructor(private readonly d: ReconcileDeps) {}

  async reconcile(key: string): Promise<Outcome> {
    const { namespace, name } = splitKey(key);
    const raw = await this.d.pools.get(namespace, name);
    if (raw === undefined) return this.forget(key, namespace, name);
    let pool: GenerationPool;
    try {
      pool = parseGenerationPool(raw);
    } catch (err) {
      if (err instanceof InvalidGenerationPoolError) return this.invalid(raw, namespace, name, err);
      throw err;
    }
    this.d.track(key, { queue: { name: pool.spec.queue.name, prefix: pool.spec.queue.prefix }, namespace, deployment: pool.spec.workload.deploymentName });
    const deployment = await this.d.deployments.get(namespace, pool.spec.workload.deploymentName);
    if (deployment === undefined) return this.missingDeployment(pool);
    return this.converge(key, pool, deployment);
  }

  private async converge(key: string, pool: GenerationPool, deployment: WorkerDeployment): Promise<Outcome> {
    const log = this.d.log.child({ namespace: pool.metadata.namespace, pool: pool.metadata.name });
    const { queue, queueError } = await this.readQueue(pool);
    const pods = await this.d.pods.list(pool.metadata.namespace, deployment.selector);
    const busy = busyPods(pods, (queue?.activeJobs ?? []).map((j) => j.worker));
    const now = this.d.clock.now();
    const memory = this.d.memories.get(key, () => ({ history: this.d.initialHistory(deployment.replicas, now), idleSince: null, lastScaleTime: undefined, nodes: emptyNodeMemory() }));
    const decision = this.d.decide({
      spec: pool.spec,
      queue,
      workers: { current: deployment.replicas, ready: deployment.ready, busy: busy.size },
      idleSince: memory.idleSince,
      history: memory.history,
      now,
    });
    memory.history = decision.history;
    memory.idleSince = decision.idleSince;
    if (decision.workers >= deployment.replicas) memory.scaleDownHeldSince = undefined;
    const { removed, held } = decision.workers !== deployment.replicas ? await this.scale({ pool, deployment, pods, busy, decision, memory, log }) : { removed: [], held: undefined };
    // The node step sees the pods just deleted as leaving, so their nodes may count as empty.
    const after = pods.map((p) => (removed.includes(p.name) ? { ...p, terminating: true } : p));
    const nodes = await this.nodeStep({ pool, decision, pods: after, busy, memory, log });
    await this.rescue(pool, pods, log);
    const status = buildStatus({ pool, queue, queueError, current: deployment.replicas, ready: deployment.ready, busy: busy.size, decision, lastScaleTime: memory.lastScaleTime, now, node: nodes?.status, held });
    if (statusChanged(pool.status, status)) await this.d.pools.writeStatus(pool.metadata.namespace, pool.metadata.name, status);
    this.observe({ pool, queue, decision, deployment, busy: busy.size });
    const requeueMs = lowerDelayMs(decision.requeueAfterSeconds, nodes?.requeueAfterSeconds);
    return { requeueAfterMs: queueError === undefined ? requeueMs : Math.min(requeueMs ?? unreachableRequeueMs, unreachableRequeueMs) };
  }

  /** planNodes() for the pool's GPU node groups, when enabled; see node-status.ts for the guard. */
  private async nodeStep(a: { pool: GenerationPool; decision: Decision; pods: WorkerPod[]; busy: Set<string>; memory: PoolMemory; log: Logger }): Promise<{ status: NodeStatus; requeueAfterSeconds: number } | undefined> {
    const deps = this.d.nodes;
    if (deps === undefined || !nodeStepEnabled(true, a.pool)) return undefined;
    const { plan, done } = await runNodeStep(deps, { pool: a.pool, desiredWorkers: a.decision.workers, pods: a.pods, busy: a.busy, memory: a.memory.nodes, now: this.d.clock.now() });
    a.memory.nodes = plan.memory;
    for (const r of done.resized) a.log.info({ group: r.group, from: r.from, to: r.to, workers: a.decision.workers }, "Raised node group size");
    for (const r of done.removed) a.log.info({ group: r.group, node: r.node, instanceId: r.instanceId }, "Removed empty node");
    if (done.skipped.length > 0) a.log.warn({ nodes: done.skipped }, "Nodes without an instance id left alone");
    return { status: nodeStatusOf(plan), requeueAfterSeconds: plan.requeueAfterSeconds };
  }

  /** Workers on GPU nodes marked for termination are deleted with a grace that fits the time left (after the node step ordered their replacement). */
  private async rescue(pool: GenerationPool, pods: WorkerPod[], log: Logger): Promise<void> {
    const kube = this.d.nodes?.kube;
    if (kube === undefined) return;
    const queue = { name: pool.spec.queue.name, prefix: pool.spec.queue.prefix };
    const deps = {
      listGpuNodes: () => kube.listGpuNodes(),
      announceStopBy: (pod: string, stopByMs: number) => this.d.announceStopBy(queue, pod, stopByMs),
      deletePod: (ns: string, name: string, grace: number) => this.d.pods.delete(ns, name, grace),
      emit: (e: PoolEvent) => this.d.events.emit(e),
    };
    this.rescueSeen = (await runRescueStep(deps, { pool, pods, seen: this.rescueSeen, now: this.d.clock.now(), log })).seen;
  }

  private async readQueue(pool: GenerationPool): Promise<{ queue: QueueDemand | undefined; queueError: string | undefined }> {
    try {
      return { queue: await this.d.readDemand({ name: pool.spec.queue.name, prefix: pool.spec.queue.prefix }), queueError: undefined };
    } catch (err) {
      // Not swallowed: it becomes QueueReachable=False, and decide() holds the size on missing data.
      this.d.log.warn({ namespace: pool.metadata.namespace, pool: pool.metadata.name, err: String(err) }, "Queue unreadable");
      return { queue: undefined, queueError: err instanceof Error ? err.message : String(err) };
    }
  }

  /**
   * Sets the Deployment's replicas to the decision. A scale-down deletes the idle pods it chose
   * (chooseRemovals) and then lowers the count, so no busy pod is left to the ReplicaSet
   * controller's ranking, and waits while a busy pod is not ready (busyNotReady); returns the
   * deleted pods, or why a scale-down was held (for the ScalingLimited condition).
   */
  private async scale(a: { pool: GenerationPool; deployment: WorkerDeployment; pods: WorkerPod[]; busy: Set<string>; decision: Decision; memory: PoolMemory; log: Logger }): Promise<{ removed: string[]; held: string | undefined }> {
    const { pool, deployment, decision } = a;
    const { namespace, name } = pool.metadata;
    const deploymentName = pool.spec.workload.deploymentName;
    const from = deployment.replicas;
    const now = this.d.clock.now();
    const plan = this.planWithHold(a, now);
    if (plan.kind === "held") {
      a.log.info({ deployment: deploymentName, ...plan.detail }, plan.message);
      return { removed: [], held: plan.why };
    }
    const { to, removed } = plan;
    if (to < from) {
      // Between the deletions and the new count the ReplicaSet may start replacements; it removes
      // those (unscheduled or pending, lowest cost) before any busy pod, which is marked expensive.
      for (const change of deletionCostChanges(a.pods, a.busy)) await this.d.pods.setDeletionCost(namespace, change.pod, change.cost);
      for (const pod of removed) await this.d.pods.delete(namespace, pod);
    }
    await this.d.deployments.scale(namespace, deploymentName, to);
    a.memory.lastScaleTime = now;
    const direction = to > from ? "up" : "down";
    this.d.metrics.scaleActions.inc({ namespace, pool: name, direction });
    a.log.info({ deployment: deploymentName, from, to, reason: decision.reason, busy: a.busy.size, demand: decision.demand, ...(to < from ? { removed } : {}) }, "Scaled worker Deployment");
    const removedText = removed.length === 0 ? "" : `; removed idle pods ${removed.slice(0, 5).join(", ")}${removed.length > 5 ? ` and ${removed.length - 5} more` : ""}`;
    await this.d.events.emit({
      namespace, pool: name, uid: pool.metadata.uid, type: "Normal", at: now,
      reason: to > from ? "ScaledUp" : "ScaledDown",
      message: `Scaled Deployment ${deploymentName} from ${from} to ${to} workers: ${decision.reason} (demand ${decision.demand}, busy ${a.busy.size})${removedText}`,
    });
    return { removed, held: undefined };
  }

  /**
   * planScale(), holding for busy pods that are not ready at most maxScaleDownHoldMs in a row
   * (remembered per pool), so a probe that keeps failing cannot keep idle GPUs forever.
   */
  private planWithHold(a: { pool: GenerationPool; deployment: WorkerDeployment; pods: WorkerPod[]; busy: Set<string>; decision: Decision; memory: PoolMemory; log: Logger }, now: number): ScalePlan {
    const heldSince = a.memory.scaleDownHeldSince;
    const expired = heldSince !== undefined && now - heldSince >= maxScaleDownHoldMs;
    const plan = planScale({ from: a.deployment.replicas, decided: a.decision.workers, pods: a.pods, busy: a.busy, holdForUnready: !expired });
    const holdingForUnready = plan.kind === "held" && plan.detail.busyNotReady !== undefined;
    a.memory.scaleDownHeldSince = holdingForUnready ? (heldSince ?? now) : undefined;
    if (expired && plan.kind === "scale") {
      a.log.warn({ deployment: a.pool.spec.workload.deploymentName, heldMs: now - heldSince }, "Scale-down no longer held: busy pods stayed not ready");
    }
    return plan;
  }

  private observe(o: { pool: GenerationPool; queue: QueueDemand | undefined; decision: Decision; deployment: WorkerDeployment; busy: number }): void {
    const { pool, queue, decision, deployment, busy } = o;
    const labels = { namespace: pool.metadata.namespace, pool: pool.metadata.name };
    const m = this.d.metrics;
    m.queueReachable.set(labels, queue === undefined ? 0 : 1);
    if (queue !== undefined) {
      m.queueWaiting.set(labels, queue.waiting + queue.prioritized);
      m.queueActive.set(labels, queue.active);
      m.queueOldest.set(labels, queue.oldestWaitingSeconds);
    }
    m.workersDesired.set(labels, decision.workers);
    m.workersReady.set(labels, deployment.ready);
    m.workersBusy.set(labels, busy);
  }

  private forget(key: string, namespace: string, name: string): Outcome {
    this.d.memories.delete(key);
    this.d.track(key, undefined);
    this.d.metrics.forget(namespace, name);
    return {};
  }

  /** A spec the API server let through but the operator cannot use: say so and stop retrying. */
  private async invalid(raw: unknown, namespace: string, name: string, err: InvalidGenerationPoolError): Promise<Outcome> {
    const obj = raw as { metadata?: { generation?: number }; status?: GenerationPoolStatus };
    const generation = obj.metadata?.generation;
    const conditions = mergeConditions(obj.status?.conditions, [{ type: "Ready", status: "False", reason: "InvalidSpec", message: err.message }], generation, iso(this.d.clock.now()));
    const status: GenerationPoolStatus = { ...obj.status, ...(generation !== undefined ? { observedGeneration: generation } : {}), conditions };
    if (statusChanged(obj.status, status)) await this.d.pools.writeStatus(namespace, name, status);
    this.d.log.warn({ namespace, pool: name, issues: err.issues }, "Invalid GenerationPool");
    return {};
  }

  private async missingDeployment(pool: GenerationPool): Promise<Outcome> {
    const { namespace, name, generation } = pool.metadata;
    const message = `Deployment ${pool.spec.workload.deploymentName} not found in namespace ${namespace}`;
    const conditions = mergeConditions(pool.status?.conditions, [{ type: "Ready", status: "False", reason: "DeploymentNotFound", message }], generation, iso(this.d.clock.now()));
    const status: GenerationPoolStatus = { ...pool.status, observedGeneration: generation ?? 0, conditions };
    if (statusChanged(pool.status, status)) await this.d.pools.writeStatus(namespace, name, status);
    return {};
  }
}
