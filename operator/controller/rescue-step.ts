/**
 * The rescue half of one pool's reconcile (after the node step has ordered replacement capacity):
 * read the GPU Nodes, let planRescue() choose the pool's worker pods on nodes marked for
 * termination and their grace periods, delete them, and say so with one Event per pod. The
 * worker's SIGTERM path then finishes or hands back its job, and the Deployment recreates the pod
 * on healthy capacity.
 */
import type { PoolEvent } from "../kube/events.ts";
import type { WorkerPod } from "../kube/pods.ts";
import type { Logger } from "../log.ts";
import type { GenerationPool } from "../resource/index.ts";
import { planRescue, type Rescue, type RescueNode } from "../interruption/rescue.ts";

/** What the rescue step reads and acts through. */
export interface RescueStepDeps {
  listGpuNodes(): Promise<RescueNode[]>;
  /** Writes the pod's kill time where its worker reads it on SIGTERM. */
  announceStopBy(pod: string, stopByMs: number): Promise<void>;
  deletePod(namespace: string, name: string, gracePeriodSeconds: number): Promise<void>;
  emit(e: PoolEvent): Promise<void>;
}

/** One pool's rescue input. */
export interface RescueStepInput {
  pool: GenerationPool;
  pods: readonly WorkerPod[];
  /** First sightings of deadline taints (planRescue's memory; shared by all pools, nodes are cluster-wide). */
  seen: Readonly<Record<string, number>>;
  now: number;
  log: Logger;
}

/** The Event message for one rescued pod. */
export function rescueMessage(r: Rescue): string {
  const left = r.leftSeconds === null ? "no deadline known" : `${r.leftSeconds} s before the node goes`;
  return `Deleted worker pod ${r.pod} on node ${r.node} (${r.reason}) with a ${r.gracePeriodSeconds} s grace period: ${left}`;
}

/** Deletes the pool's worker pods on leaving nodes; returns the new memory and what was done. The first failing call throws (the reconcile retries). */
export async function runRescueStep(d: RescueStepDeps, input: RescueStepInput): Promise<{ seen: Record<string, number>; rescued: Rescue[] }> {
  const { namespace, name, uid } = input.pool.metadata;
  const plan = planRescue({ now: input.now, nodes: await d.listGpuNodes(), pods: input.pods, seen: input.seen });
  for (const r of plan.rescues) {
    // Best effort: without it the worker keeps to its own grace period and a job cut short is
    // recovered after its lock expires (still stored once); the node is going away either way.
    await d.announceStopBy(r.pod, input.now + r.gracePeriodSeconds * 1000).catch((err: unknown) =>
      input.log.warn({ pod: r.pod, err: String(err) }, "Could not announce the kill time to the worker"),
    );
    await d.deletePod(namespace, r.pod, r.gracePeriodSeconds);
    input.log.info({ pod: r.pod, node: r.node, reason: r.reason, gracePeriodSeconds: r.gracePeriodSeconds, leftSeconds: r.leftSeconds }, "Rescued worker from a leaving node");
    await d.emit({ namespace, pool: name, uid, type: "Normal", reason: "RescuedWorker", message: rescueMessage(r), at: input.now });
  }
  return { seen: plan.seen, rescued: plan.rescues };
}
