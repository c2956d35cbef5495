/** OpenAPI v3 schema of GenerationPool.status, written only by the operator through the status subresource. */
import { PoolLimits as L } from "./defaults.ts";
import { int, list, obj, str, type SchemaNode } from "./schema-node.ts";
import { ConditionTypes } from "./types.ts";

const count = (description: string): SchemaNode => int(description, 0);
const time = (description: string): SchemaNode => str(description, { format: "date-time" });

const queue = obj("Queue figures at the last read.", {
  waiting: count("Jobs waiting."),
  prioritized: count("Jobs waiting with a priority."),
  active: count("Jobs being processed."),
  delayedSoon: count("Delayed jobs due within the operator's lead time."),
  paused: { type: "boolean", description: "The BullMQ queue is paused; workers take nothing." },
  oldestWaitingSeconds: { type: "number", minimum: 0, description: "Age of the oldest waiting job, seconds." },
});

const replicas = obj("Worker counts.", {
  desired: count("Workers the operator asked for."),
  current: count("Deployment spec replicas."),
  ready: count("Ready worker pods."),
  busy: count("Workers running a job."),
});

const nodeGroupStatus = obj(
  "One node group's sizes.",
  { name: str("Node group name.", { maxLength: L.maxNameLength }), desired: count("Desired nodes."), ready: count("Ready nodes."), booting: count("Nodes not ready yet.") },
  { required: ["name"] },
);

const lastDecision = obj("The last scaling decision and what it was based on.", {
  workers: count("Desired workers."),
  reason: str("Why this number (backlog, warm-pool, min-bound, stabilizing, idle-to-zero, ...)."),
  limitedBy: str("What held the number back (none, max, step, stabilization, busy-workers, idle-delay)."),
  at: time("When the decision was made."),
  demand: count("waiting + prioritized + active + delayedSoon (queued part 0 while the queue is paused)."),
  busy: count("Workers running a job."),
  min: count("Effective floor."),
  max: count("Effective ceiling."),
  schedule: str("Schedule that set the bounds, if any."),
});

const condition = obj(
  "metav1.Condition.",
  {
    type: str("Condition type.", { enum: ConditionTypes }),
    status: str("True, False or Unknown.", { enum: ["True", "False", "Unknown"] }),
    observedGeneration: count("Generation the condition was computed from."),
    lastTransitionTime: time("Last change of status."),
    reason: str("CamelCase reason.", { maxLength: 1024, minLength: 1, pattern: "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$" }),
    message: str("Human-readable detail.", { maxLength: 32768 }),
  },
  { required: ["type", "status", "lastTransitionTime", "reason", "message"] },
);

/** Schema of GenerationPool.status. */
export const statusSchema: SchemaNode = obj("Observed state, written by the operator.", {
  observedGeneration: count("Generation of the spec the operator last acted on."),
  queue,
  replicas,
  nodes: obj("Totals across node groups.", { desired: count("Desired nodes."), ready: count("Ready nodes.") }),
  nodeGroups: list("Per node group sizes.", nodeGroupStatus, L.maxNodeGroups, { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] }),
  estimatedHourlyCostUsd: { type: "number", description: "Estimated cost of the pool's nodes per hour, USD." },
  lastScaleTime: time("Last time the worker count changed."),
  lastDecision,
  conditions: list("Ready, QueueReachable, ScalingLimited, Paused, SpotDegraded, CapacityLimited.", condition, 16, {
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
  }),
});
