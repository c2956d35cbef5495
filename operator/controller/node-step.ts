/**
 * The node half of one pool's reconcile, after decide(): observe (cloud sizes, instance types,
 * workers per node and node prices, GPU Nodes, the pool's worker pods) -> planNodes() ->
 * carryOutNodePlan(). Talks to the cloud and the API server only through the narrow interfaces
 * it is given.
 */
import type { CarriedOut, NodeKube } from "../aws/carry-out-node-plan.ts";
import { carryOutNodePlan } from "../aws/carry-out-node-plan.ts";
import type { NodeGroupCloud } from "../aws/node-group-cloud.ts";
import { observeCloudGroups } from "../aws/observe-node-groups.ts";
import { onDemandPriceTable, type OnDemandPriceTable } from "../aws/price-table.ts";
import type { GenerationPool } from "../resource/index.ts";
import { observeNodeGroups, type GroupCloudState, type NodeLike } from "../scaling/nodes/observe.ts";
import { planNodes } from "../scaling/nodes/plan.ts";
import type { NodePlan, NodePlanMemory } from "../scaling/nodes/types.ts";
import type { WorkerPod } from "../kube/pods.ts";

/** What the node step reads and acts through. */
export interface NodeStepDeps {
  cloud: NodeGroupCloud;
  kube: NodeKube & { listGpuNodes(): Promise<NodeLike[]> };
  /** On-demand prices per instance type. @default the table bundled from cluster/prices.json */
  prices?: OnDemandPriceTable;
}

/** One pool's node step input. */
export interface NodeStepInput {
  pool: GenerationPool;
  desiredWorkers: number;
  pods: readonly WorkerPod[];
  busy: ReadonlySet<string>;
  memory: NodePlanMemory;
  now: number;
}

/** A fresh planner memory. */
export const emptyNodeMemory = (): NodePlanMemory => ({ groups: {}, idleSince: {} });

/** Observes, plans and acts for one pool; the first failing call throws (the reconcile retries). */
export async function runNodeStep(d: NodeStepDeps, input: NodeStepInput): Promise<{ plan: NodePlan; done: CarriedOut }> {
  const { pool } = input;
  const observed = await observeCloudGroups(d.cloud, pool.spec.nodeGroups, d.prices ?? onDemandPriceTable);
  const cloud = new Map<string, GroupCloudState>([...observed.groups].map(([name, o]) => [name, { desiredSize: o.description.desiredSize, healthIssues: o.description.healthIssues }]));
  const workersPerNode = new Map([...observed.groups].map(([name, o]) => [name, o.workersPerNode]));
  const nodes = await d.kube.listGpuNodes();
  const workers = input.pods.filter((p) => !p.terminating).map((p) => ({ name: p.name, nodeName: p.nodeName, busy: input.busy.has(p.name) }));
  const groups = observeNodeGroups({ specs: pool.spec.nodeGroups, cloud, workersPerNode, nodes, workers });
  const plan = planNodes({ now: input.now, desiredWorkers: input.desiredWorkers, policy: pool.spec, groups, hourlyPricePerNode: observed.hourlyPricePerNode, memory: input.memory });
  const done = await carryOutNodePlan({
    plan,
    observedDesired: new Map([...cloud].map(([name, s]) => [name, s.desiredSize])),
    cloud: d.cloud,
    kube: d.kube,
    pool: pool.metadata.uid ?? `${pool.metadata.namespace}/${pool.metadata.name}`,
    workerNamespace: pool.metadata.namespace,
  });
  return { plan, done };
}
