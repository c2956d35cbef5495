/**
 * OpenAPI v3 schema of GenerationPool.spec, with defaults from defaults.ts and CEL rules. The API
 * server applies `default:` values; parseGenerationPool() applies the same ones at the operator's edge.
 */
import { PoolDefaults as D, PoolLimits as L } from "./defaults.ts";
import { cel, int, list, obj, str, type SchemaNode } from "./schema-node.ts";
import { CapacityTypes, Weekdays, type GenerationPoolSpec, type NodeGroup, type ReplicaBounds, type Schedule } from "./types.ts";

const DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
const DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
const HHMM = "^([01][0-9]|2[0-3]):[0-5][0-9]$";
const HHMM_OR_2400 = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$";
const SECONDS_DAY = 86_400;

function uniqueNames(field: string): ReturnType<typeof cel> {
  return cel<{ name: string }[]>(
    "self.all(x, self.exists_one(y, y.name == x.name))",
    `${field} names must be unique`,
    (self) => new Set(self.map((x) => x.name)).size === self.length,
  );
}

const queue = obj(
  "BullMQ queue the pool drains; the Redis connection is operator configuration.",
  {
    name: str("Queue name.", { default: D.queueName, minLength: 1, maxLength: 200, pattern: "^[^:]+$" }),
    prefix: str("BullMQ key prefix.", { default: D.queuePrefix, minLength: 1, maxLength: 100 }),
  },
  { default: {} },
);

const workload = obj(
  "Worker Deployment (same namespace) whose scale subresource the operator patches.",
  {
    deploymentName: str("Deployment name.", { maxLength: 253, pattern: DNS_SUBDOMAIN }),
    containerName: str("Worker container; the first container when omitted.", { maxLength: 63, pattern: DNS_LABEL }),
  },
  { required: ["deploymentName"] },
);

const replicas = obj(
  "Worker count bounds.",
  {
    min: int("Floor; 0 allows scale to zero.", 0, { default: D.replicasMin, maximum: L.maxReplicas }),
    max: int("Ceiling.", 1, { maximum: L.maxReplicas }),
    warmIdle: int("Idle workers kept above the busy ones.", 0, { default: D.replicasWarmIdle, maximum: L.maxReplicas }),
  },
  {
    required: ["max"],
    "x-kubernetes-validations": [
      cel<ReplicaBounds>("self.min <= self.max", "replicas.min must be less than or equal to replicas.max", (s) => s.min <= s.max, ".min"),
      cel<ReplicaBounds>("self.warmIdle <= self.max", "replicas.warmIdle must be less than or equal to replicas.max", (s) => s.warmIdle <= s.max, ".warmIdle"),
    ],
  },
);

const scaleUp = obj(
  "How fast the pool grows.",
  {
    stabilizationSeconds: int("Scale up to the lowest recommendation of this window.", 0, { default: D.scaleUpStabilizationSeconds, maximum: 3600 }),
    maxStepWorkers: int("Workers added per step period.", 1, { default: D.scaleUpMaxStepWorkers, maximum: L.maxReplicas }),
    maxStepPercent: int("Percent of the pool added per step period; the larger step applies.", 0, { default: D.scaleUpMaxStepPercent, maximum: 1000 }),
    stepPeriodSeconds: int("Length of one step.", 1, { default: D.scaleUpStepPeriodSeconds, maximum: 3600 }),
    urgentMultiplier: int("Past the wait objective, queued jobs count this many times over and steps are unlimited.", 1, { default: D.scaleUpUrgentMultiplier, maximum: 100 }),
  },
  { default: {} },
);

const scaleDown = obj(
  "How fast the pool shrinks.",
  {
    stabilizationSeconds: int("Scale down to the highest recommendation of this window.", 0, { default: D.scaleDownStabilizationSeconds, maximum: 3600 }),
    maxStepWorkers: int("Workers removed per step period.", 1, { default: D.scaleDownMaxStepWorkers, maximum: L.maxReplicas }),
    stepPeriodSeconds: int("Length of one step.", 1, { default: D.scaleDownStepPeriodSeconds, maximum: 3600 }),
    scaleToZeroDelaySeconds: int("Queue idle time before the last worker goes.", 0, { default: D.scaleToZeroDelaySeconds, maximum: SECONDS_DAY }),
  },
  { default: {} },
);

const schedule = obj(
  "Weekly window overriding the replica bounds; the first active schedule wins.",
  {
    name: str("Schedule name.", { maxLength: L.maxNameLength, pattern: DNS_LABEL }),
    timeZone: str("IANA time zone, e.g. Europe/Paris.", { maxLength: L.maxTimeZoneLength, pattern: "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$" }),
    days: list("Days the window starts on.", str("Day.", { enum: Weekdays }), 7, { minItems: 1, "x-kubernetes-list-type": "set" }),
    start: str("Start, HH:MM local time.", { pattern: HHMM, maxLength: 5 }),
    end: str("End, HH:MM local time (24:00 = end of day); before start = crosses midnight.", { pattern: HHMM_OR_2400, maxLength: 5 }),
    min: int("replicas.min while active.", 0, { maximum: L.maxReplicas }),
    max: int("replicas.max while active.", 0, { maximum: L.maxReplicas }),
    warmIdle: int("replicas.warmIdle while active.", 0, { maximum: L.maxReplicas }),
  },
  {
    required: ["name", "timeZone", "days", "start", "end"],
    "x-kubernetes-validations": [
      cel<Schedule>("!has(self.min) || !has(self.max) || self.min <= self.max", "schedule min must be less than or equal to its max", (s) => s.min === undefined || s.max === undefined || s.min <= s.max, ".min"),
      cel<Schedule>("self.start != self.end", "schedule end must differ from start", (s) => s.start !== s.end, ".end"),
    ],
  },
);

const nodeGroup = obj(
  "EKS managed node group the pool may resize.",
  {
    name: str("EKS managed node group name.", { maxLength: L.maxNameLength, pattern: "^[0-9A-Za-z][A-Za-z0-9_-]*$" }),
    capacityType: str("spot or on-demand.", { enum: CapacityTypes }),
    priority: int("Lower grows first; ties keep list order.", 0, { default: D.nodeGroupPriority, maximum: 1000 }),
    minNodes: int("Fewest nodes.", 0, { default: D.nodeGroupMinNodes, maximum: L.maxReplicas }),
    maxNodes: int("Most nodes.", 0, { maximum: L.maxReplicas }),
    instanceTypes: list("Instance types of the group; read only when EKS reports none (types set in a launch template).", str("Instance type.", { maxLength: 32 }), L.maxInstanceTypes),
    workersPerNode: int("Workers per node; when omitted, the GPUs of the group's instance type (the fewest of its types).", 1, { maximum: 64 }),
  },
  {
    required: ["name", "capacityType", "maxNodes"],
    "x-kubernetes-validations": [
      cel<NodeGroup>("self.minNodes <= self.maxNodes", "nodeGroups minNodes must be less than or equal to maxNodes", (g) => g.minNodes <= g.maxNodes, ".minNodes"),
    ],
  },
);

/** Schema of GenerationPool.spec. */
export const specSchema: SchemaNode = obj(
  "Desired behaviour of a pool of GPU workers draining one BullMQ queue.",
  {
    queue,
    workload,
    replicas,
    targetBacklogPerWorker: int("Queued jobs per worker.", 1, { default: D.targetBacklogPerWorker, maximum: 10_000 }),
    queueWaitObjectiveSeconds: int("Oldest wait above this makes scale-up urgent.", 1, { default: D.queueWaitObjectiveSeconds, maximum: SECONDS_DAY }),
    scaleUp,
    scaleDown,
    schedules: list("Time windows that override the replica bounds.", schedule, L.maxSchedules, { default: [], "x-kubernetes-validations": [uniqueNames("schedules")] }),
    nodeGroups: list("GPU node groups the pool may resize.", nodeGroup, L.maxNodeGroups, { default: [], "x-kubernetes-validations": [uniqueNames("nodeGroups")] }),
    onDemandBaseNodes: int("On-demand nodes kept even when spot is available.", 0, { default: D.onDemandBaseNodes, maximum: L.maxReplicas }),
    spotFallbackDelaySeconds: int("Pending time on spot before on-demand grows instead.", 0, { default: D.spotFallbackDelaySeconds, maximum: SECONDS_DAY }),
    nodeScaleDownDelaySeconds: int("Empty time before a node's group shrinks.", 0, { default: D.nodeScaleDownDelaySeconds, maximum: SECONDS_DAY }),
    paused: { type: "boolean", description: "Freeze workers and node groups at their current size.", default: D.paused },
  },
  {
    required: ["workload", "replicas"],
    "x-kubernetes-validations": [
      cel<GenerationPoolSpec>(
        "self.schedules.all(s, !has(s.min) || has(s.max) || s.min <= self.replicas.max)",
        "a schedule that sets min without max must keep min <= replicas.max",
        (s) => s.schedules.every((x) => x.min === undefined || x.max !== undefined || x.min <= s.replicas.max),
        ".schedules",
      ),
      cel<GenerationPoolSpec>(
        "self.schedules.all(s, !has(s.max) || has(s.min) || self.replicas.min <= s.max)",
        "a schedule that sets max without min must keep replicas.min <= max",
        (s) => s.schedules.every((x) => x.max === undefined || x.min !== undefined || s.replicas.min <= x.max),
        ".schedules",
      ),
    ],
  },
);
