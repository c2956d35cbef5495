/**
 * The act step of the node planner: raise desired sizes, and take away each named empty node
 * exactly. A desired size is never lowered here: on a managed node group that lets AWS choose
 * the instance, possibly one running a job. Removing one node is: delete its idle worker pods
 * (so the Deployment does not count them), cordon it, then terminate its instance through
 * Auto Scaling with ShouldDecrementDesiredCapacity, which lowers the group by exactly that node.
 */
import type { NodePlan } from "../scaling/nodes/types.ts";
import type { NodeGroupCloud } from "./node-group-cloud.ts";
import { resizeToken } from "./resize-request.ts";

/** The Kubernetes operations the act step needs (operator/kube implements them). */
export interface NodeKube {
  /** Sets spec.unschedulable so nothing new lands on the node. */
  cordon(node: string): Promise<void>;
  /** Deletes a worker pod (it finishes or hands back its job on SIGTERM). */
  deletePod(namespace: string, name: string): Promise<void>;
}

/** Everything carryOutNodePlan() uses. */
export interface CarryOutInput {
  plan: NodePlan;
  /** Desired sizes the plan was made from, per group. */
  observedDesired: ReadonlyMap<string, number>;
  cloud: NodeGroupCloud;
  kube: NodeKube;
  /** Identity of the pool, part of each resize token. */
  pool: string;
  workerNamespace: string;
}

/** What was done, for logs and events. */
export interface CarriedOut {
  resized: { group: string; from: number; to: number }[];
  removed: { group: string; node: string; instanceId: string }[];
  /** Nodes the plan named that have no EC2 instance id (not removable exactly; left alone). */
  skipped: string[];
}

/** Carries out `plan`; the first failing cloud or Kubernetes call throws (the reconcile retries). */
export async function carryOutNodePlan(input: CarryOutInput): Promise<CarriedOut> {
  const done: CarriedOut = { resized: [], removed: [], skipped: [] };
  for (const removal of input.plan.remove) {
    if (!removal.instanceId) {
      done.skipped.push(removal.node);
      continue;
    }
    for (const pod of removal.idleWorkerPods) await input.kube.deletePod(input.workerNamespace, pod);
    await input.kube.cordon(removal.node);
    await input.cloud.terminateInstance(removal.instanceId);
    done.removed.push({ group: removal.group, node: removal.node, instanceId: removal.instanceId });
  }
  for (const group of input.plan.groups) {
    const from = input.observedDesired.get(group.name);
    if (from === undefined || group.desired <= from) continue;
    const token = resizeToken({ pool: input.pool, group: group.name, from, to: group.desired });
    const result = await input.cloud.setDesiredSize(group.name, group.desired, token);
    done.resized.push({ group: group.name, from: result.from, to: result.to });
  }
  return done;
}
