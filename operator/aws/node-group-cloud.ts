/**
 * The cloud behind GPU node groups, as narrow as the operator needs it. The runtime talks to
 * this interface only; `createAwsNodeGroupCloud()` implements it with EKS, EC2 and Auto Scaling.
 * Every method returns plain data, so the planner never sees an SDK type.
 */

/** One health issue EKS reports for a node group. */
export interface NodeGroupIssue {
  code: string;
  message: string;
  resourceIds: string[];
}

/** What DescribeNodegroup says about a group, in the operator's words. */
export interface NodeGroupDescription {
  name: string;
  capacityType: "spot" | "on-demand";
  /** EKS status: ACTIVE, UPDATING, DEGRADED, ... */
  status: string;
  minSize: number;
  maxSize: number;
  desiredSize: number;
  instanceTypes: string[];
  healthIssues: NodeGroupIssue[];
  /** Auto Scaling groups behind the node group (empty or fictional in moto). */
  autoScalingGroups: string[];
  labels: Record<string, string>;
}

/** Outcome of a resize request. */
export interface ResizeResult {
  from: number;
  /** The size asked of the cloud after clamping to the group's own bounds. */
  to: number;
  /** The requested size was outside the group's bounds. */
  clamped: boolean;
  /** EKS update id; absent when the group already had that size and no call was made. */
  updateId?: string;
}

/** One EC2 instance behind a node. */
export interface InstanceInfo {
  instanceId: string;
  instanceType: string;
  lifecycle: "spot" | "on-demand";
  /** pending, running, shutting-down, terminated, ... */
  state: string;
  zone: string;
}

/** The operations the node runtime needs from the cloud. */
export interface NodeGroupCloud {
  /** The group's sizes, capacity type, instance types and health. */
  describe(name: string): Promise<NodeGroupDescription>;
  /** Sets the desired size within the group's bounds; `token` makes a retried request apply once. */
  setDesiredSize(name: string, size: number, token: string): Promise<ResizeResult>;
  /** GPUs of one instance of `type` (0 for a type without GPUs); cached. */
  instanceTypeGpus(type: string): Promise<number>;
  /** Lifecycle (spot or on-demand) and state of instances, by instance id; unknown ids are absent. */
  describeInstances(instanceIds: readonly string[]): Promise<Map<string, InstanceInfo>>;
  /** Current spot price of `type` in US $/hour (mean of the latest price per zone), or null if none; cached for minutes. */
  spotPrice(type: string): Promise<number | null>;
  /** Terminates exactly this instance and lowers its Auto Scaling group's desired capacity by one. */
  terminateInstance(instanceId: string): Promise<void>;
  /** Protects (or releases) instances from Auto Scaling scale-in, e.g. nodes running a job. */
  setScaleInProtection(autoScalingGroup: string, instanceIds: readonly string[], protect: boolean): Promise<void>;
}
