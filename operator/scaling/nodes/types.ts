/**
 * Inputs and outputs of the node planner. Everything is plain data: the runtime observes the
 * cloud and the cluster, fills a `NodePlanInput`, calls `planNodes()` and carries out the plan.
 */

import type { CapacityType, GenerationPoolSpec, NodeGroup } from "../../resource/types.ts";

export type { CapacityType };

/** The pool-wide node settings (GenerationPool spec, defaults applied). */
export type NodePolicy = Pick<GenerationPoolSpec, "onDemandBaseNodes" | "spotFallbackDelaySeconds" | "nodeScaleDownDelaySeconds">;

/**
 * What the planner reads of a GenerationPool node group. Priority: lower grows first, list order
 * breaks ties. Workers per node come resolved in `NodeGroupObservation.workersPerNode`.
 */
export type NodeGroupSpec = Pick<NodeGroup, "name" | "capacityType" | "priority" | "minNodes" | "maxNodes">;

/** A registered Node of a group, as the runtime observed it. */
export interface NodeObservation {
  name: string;
  /** Ready condition True. */
  ready: boolean;
  /** Leaving (see operator/interruption): not capacity, replaced at once, never chosen for removal. */
  markedForTermination: boolean;
  /** Worker pods on this node that are processing a job. */
  busyWorkers: number;
  /** Names of worker pods on this node that are idle (deleted first when the node goes). */
  idleWorkerPods: readonly string[];
  /** EC2 instance id from spec.providerID, when known (needed to terminate exactly this node). */
  instanceId?: string | undefined;
}

/** One EKS node group health issue. */
export interface HealthIssue {
  code: string;
  message: string;
}

/** One node group: its spec, what the cloud reports, and its nodes. */
export interface NodeGroupObservation {
  spec: NodeGroupSpec;
  /** Workers that fit on one node (instance GPU count, or the spec's override). */
  workersPerNode: number;
  /** The cloud's current desired size. */
  desiredSize: number;
  /** Health issues the cloud reports for the group (EKS `health.issues`). */
  healthIssues: readonly HealthIssue[];
  nodes: readonly NodeObservation[];
}

/** What the planner remembers between calls; the runtime stores it and hands it back. */
export interface NodePlanMemory {
  groups: Readonly<Record<string, GroupMemory>>;
  /** Node name -> ms epoch since which the node has had no busy worker. */
  idleSince: Readonly<Record<string, number>>;
}

/** Per-group timers. */
export interface GroupMemory {
  /** Since when requested nodes of the group have not all been Ready (ms epoch). */
  shortfallSince: number | null;
  /** Spot only: since when the group is treated as unable to deliver (ms epoch). */
  degradedSince: number | null;
  /** Spot only: when the group last recovered; it grows slowly for one fallback delay after. */
  recoveredAt: number | null;
}

/** Everything planNodes() reads. */
export interface NodePlanInput {
  /** ms epoch. */
  now: number;
  /** Workers the pool should run (decide()'s answer; includes pods still Pending). */
  desiredWorkers: number;
  policy: NodePolicy;
  groups: readonly NodeGroupObservation[];
  /** $/hour for one node of each group (spot price for spot groups). Missing groups cost 0. */
  hourlyPricePerNode: Readonly<Record<string, number>>;
  memory: NodePlanMemory;
}

/** Why a group's desired size is what it is. */
export type GroupReason =
  | "Hold"
  | "MinNodes"
  | "OnDemandBase"
  | "Demand"
  | "SpotFallback"
  | "ReplaceInterrupted"
  | "ScaleInEmpty"
  | "AtMaximum";

/** The decision for one group. */
export interface GroupPlan {
  name: string;
  /** Desired size after the plan (already lowered by the nodes in `remove`). */
  desired: number;
  reason: GroupReason;
  /** Ready nodes that are not leaving (for status). */
  ready: number;
  /** Requested nodes not Ready yet (for status). */
  booting: number;
}

/** An empty node to take away: delete its idle worker pods, cordon, drain, terminate exactly it. */
export interface NodeRemoval {
  group: string;
  node: string;
  instanceId?: string | undefined;
  idleWorkerPods: readonly string[];
}

/** A status condition the pool should show. */
export interface PlanCondition {
  type: "SpotDegraded" | "CapacityLimited";
  status: "True" | "False";
  reason: string;
  message: string;
}

/** planNodes()'s answer. */
export interface NodePlan {
  groups: GroupPlan[];
  remove: NodeRemoval[];
  conditions: PlanCondition[];
  /** Node capacity the plan provides, in workers (Ready plus trusted booting nodes). */
  plannedWorkerCapacity: number;
  /** Estimated US $/hour of all groups at their planned desired sizes. */
  estimatedHourlyCostUsd: number;
  /** Call again after this long even if nothing changes (a timer is due). */
  requeueAfterSeconds: number;
  memory: NodePlanMemory;
}
