/**
 * GenerationPool (`genpool.io/v1alpha1`) types. The OpenAPI schema in schema.ts describes the same
 * shape; `GenerationPoolSpec` is the fully defaulted spec that `parseGenerationPool()` returns.
 * Every default below is documented as the behaviour it gives; values live in defaults.ts.
 */

/** API group, version and names of the custom resource. */
export const GenerationPoolApi = {
  group: "genpool.io",
  version: "v1alpha1",
  apiVersion: "genpool.io/v1alpha1",
  kind: "GenerationPool",
  listKind: "GenerationPoolList",
  plural: "generationpools",
  singular: "generationpool",
  shortNames: ["gp"],
} as const;

/** Days a schedule can name, in ISO order. */
export const Weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
export type Weekday = (typeof Weekdays)[number];

/** EKS capacity types a node group can have. */
export const CapacityTypes = ["spot", "on-demand"] as const;
export type CapacityType = (typeof CapacityTypes)[number];

/** The BullMQ queue the pool drains. The Redis connection is operator configuration. */
export interface QueueRef {
  /** @default "gpu-generation" */
  name: string;
  /** @default "bull" (BullMQ's key prefix) */
  prefix: string;
}

/** The worker Deployment whose scale subresource the operator patches (same namespace as the pool). */
export interface WorkloadRef {
  deploymentName: string;
  /** Container that runs the worker; @default the Deployment's first container. */
  containerName?: string;
}

/** Worker count bounds. */
export interface ReplicaBounds {
  /** Floor of the worker count. @default 0: the pool may scale to zero after scaleToZeroDelaySeconds. */
  min: number;
  /** Ceiling of the worker count (>= 1); required. */
  max: number;
  /** Idle workers kept ready above the busy ones (desired >= busy + warmIdle). @default 0 */
  warmIdle: number;
}

/** How fast the pool grows. */
export interface ScaleUpBehavior {
  /** Scale up to the lowest recommendation of this window. @default 0: act at once. */
  stabilizationSeconds: number;
  /** Workers that may be added per step period. @default 10 */
  maxStepWorkers: number;
  /** Or this percentage of the current pool per period, whichever allows more. @default 100 */
  maxStepPercent: number;
  /** @default 15 */
  stepPeriodSeconds: number;
  /**
   * When the oldest job has waited longer than queueWaitObjectiveSeconds, queued jobs count this
   * many times over (busy workers + ceil(queued * multiplier / target)) and scale-up skips its
   * stabilization and step limits. @default 2
   */
  urgentMultiplier: number;
}

/** How fast the pool shrinks. */
export interface ScaleDownBehavior {
  /** Scale down to the highest recommendation of this window. @default 300 */
  stabilizationSeconds: number;
  /** Workers that may be removed per step period. @default 10 */
  maxStepWorkers: number;
  /** @default 60 */
  stepPeriodSeconds: number;
  /** The queue must have been empty this long before the last worker goes. @default 600 */
  scaleToZeroDelaySeconds: number;
}

/**
 * A weekly time window that overrides the replica bounds while active. The first active schedule
 * in list order wins. `end` before `start` crosses midnight (the window belongs to the day it
 * starts on); `end` "24:00" means end of day.
 */
export interface Schedule {
  name: string;
  /** IANA time zone, e.g. "Europe/Paris". */
  timeZone: string;
  days: Weekday[];
  /** "HH:MM", 00:00-23:59. */
  start: string;
  /** "HH:MM", 00:00-24:00, different from start. */
  end: string;
  /** Overrides replicas.min while active; 0 lets the pool scale to zero. @default replicas.min */
  min?: number;
  /** Overrides replicas.max while active. @default replicas.max */
  max?: number;
  /** Overrides replicas.warmIdle while active. @default replicas.warmIdle */
  warmIdle?: number;
}

/** An EKS managed node group the pool may resize. */
export interface NodeGroup {
  /** EKS managed node group name. */
  name: string;
  capacityType: CapacityType;
  /** Lower grows first; ties keep list order. @default 0 */
  priority: number;
  /** @default 0 */
  minNodes: number;
  maxNodes: number;
  /**
   * Instance types of the group, used only when EKS reports none for it (instance types set in a
   * launch template): workers per node and the cost estimate read them. @default the types
   * DescribeNodegroup reports
   */
  instanceTypes?: string[];
  /**
   * Workers that fit on one node. @default the GPUs of the group's instance type (EC2
   * DescribeInstanceTypes; the fewest when the group has several types)
   */
  workersPerNode?: number;
}

/** Desired state of a GenerationPool, with every default applied. */
export interface GenerationPoolSpec {
  queue: QueueRef;
  workload: WorkloadRef;
  replicas: ReplicaBounds;
  /** Queued jobs per worker. @default 5 */
  targetBacklogPerWorker: number;
  /** Oldest wait above this makes scale-up urgent. @default 60 */
  queueWaitObjectiveSeconds: number;
  scaleUp: ScaleUpBehavior;
  scaleDown: ScaleDownBehavior;
  /** @default []: the replica bounds apply at all times. */
  schedules: Schedule[];
  /** @default []: the operator scales the Deployment only; something else provides nodes. */
  nodeGroups: NodeGroup[];
  /** On-demand nodes kept even when spot is available. @default 0 */
  onDemandBaseNodes: number;
  /** Pods pending this long on spot make on-demand groups grow instead. @default 180 */
  spotFallbackDelaySeconds: number;
  /** A node must be empty this long before its group shrinks. @default 600 */
  nodeScaleDownDelaySeconds: number;
  /** Freeze the worker count and node groups at their current size. @default false */
  paused: boolean;
}

/** Queue figures as last read from Redis (the names of operator/queue's QueueDemand). */
export interface QueueStatus {
  waiting: number;
  prioritized: number;
  active: number;
  /** Delayed jobs due within the operator's lead time. */
  delayedSoon: number;
  /** The BullMQ queue is paused: workers take nothing. */
  paused: boolean;
  oldestWaitingSeconds: number;
}

/** Worker counts. */
export interface ReplicaStatus {
  desired: number;
  current: number;
  ready: number;
  busy: number;
}

/** One node group's sizes. */
export interface NodeGroupStatus {
  name: string;
  desired: number;
  ready: number;
  booting: number;
}

/** Summary of the last scaling decision. */
export interface LastDecision {
  workers: number;
  reason: string;
  limitedBy: string;
  /** RFC 3339. */
  at: string;
  demand: number;
  busy: number;
  min: number;
  max: number;
  /** Name of the schedule that set the bounds, if any. */
  schedule?: string;
}

/** Condition types the operator sets on a pool. */
export const ConditionTypes = [
  "Ready",
  "QueueReachable",
  "ScalingLimited",
  "Paused",
  "SpotDegraded",
  "CapacityLimited",
] as const;
export type ConditionType = (typeof ConditionTypes)[number];

/** metav1.Condition. */
export interface Condition {
  type: ConditionType;
  status: "True" | "False" | "Unknown";
  observedGeneration?: number;
  /** RFC 3339. */
  lastTransitionTime: string;
  /** CamelCase. */
  reason: string;
  message: string;
}

/** Observed state of a GenerationPool. */
export interface GenerationPoolStatus {
  observedGeneration?: number;
  queue?: QueueStatus;
  replicas?: ReplicaStatus;
  /** Totals across node groups, for printer columns. */
  nodes?: { desired: number; ready: number };
  nodeGroups?: NodeGroupStatus[];
  estimatedHourlyCostUsd?: number;
  /** RFC 3339: the last time the worker count changed. */
  lastScaleTime?: string;
  lastDecision?: LastDecision;
  conditions?: Condition[];
}

/** A GenerationPool as the operator uses it, spec fully defaulted. */
export interface GenerationPool {
  apiVersion: typeof GenerationPoolApi.apiVersion;
  kind: typeof GenerationPoolApi.kind;
  metadata: { name: string; namespace: string; generation?: number; uid?: string; resourceVersion?: string };
  spec: GenerationPoolSpec;
  status?: GenerationPoolStatus;
}
