import type { GenerationPool, GenerationPoolStatus, LastDecision } from "../resource/index.ts";
import type { Decision } from "../scaling/types.ts";
import type { QueueDemand } from "../queue/demand.ts";
import { mergeConditions, type ConditionInput } from "./conditions.ts";
import type { NodeStatus } from "./node-status.ts";

/** What one reconcile saw and decided, for the status. */
export interface StatusInput {
  pool: GenerationPool;
  queue: QueueDemand | undefined;
  queueError: string | undefined;
  current: number;
  ready: number;
  busy: number;
  decision: Decision;
  /** ms epoch of the last worker count change, if known. */
  lastScaleTime: number | undefined;
  now: number;
  /** The node plan's part, when the node step ran; otherwise the previous node fields and conditions are kept. */
  node?: NodeStatus | undefined;
  /** Why a decided scale-down was not carried out this time (planScale), if it was not. */
  held?: string | undefined;
}

/** RFC 3339 in whole seconds, as metav1.Time serializes. */
export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function conditionsOf(input: StatusInput): ConditionInput[] {
  const { decision, queueError, pool } = input;
  const reachable: ConditionInput = queueError === undefined
    ? { type: "QueueReachable", status: "True", reason: "QueueRead", message: `Read BullMQ queue ${pool.spec.queue.name}` }
    : { type: "QueueReachable", status: "False", reason: "RedisUnavailable", message: `Cannot read BullMQ queue ${pool.spec.queue.name}; holding the worker count: ${queueError}` };
  const paused: ConditionInput = pool.spec.paused
    ? { type: "Paused", status: "True", reason: "SpecPaused", message: "spec.paused is true; the worker count is frozen" }
    : { type: "Paused", status: "False", reason: "Running", message: "The operator sizes the pool" };
  const limited: ConditionInput = input.held !== undefined
    ? { type: "ScalingLimited", status: "True", reason: "ScaleDownHeld", message: `Decided ${decision.workers}, keeping ${input.current}: ${input.held}` }
    : decision.limitedBy === "none"
      ? { type: "ScalingLimited", status: "False", reason: "Unlimited", message: "The worker count follows the recommendation" }
      : { type: "ScalingLimited", status: "True", reason: camel(decision.limitedBy), message: `Recommended ${decision.recommended}, decided ${decision.workers} (limited by ${decision.limitedBy})` };
  const ready: ConditionInput = queueError === undefined
    ? { type: "Ready", status: "True", reason: "Reconciled", message: `Desired ${decision.workers} workers: ${decision.reason}` }
    : { type: "Ready", status: "False", reason: "QueueUnreachable", message: "The queue cannot be read; the pool holds its size" };
  const base = [ready, reachable, paused, limited];
  if (input.node !== undefined) return [...base, ...input.node.conditions];
  // Without a node step this time, keep the node conditions it wrote last time (while the pool has node groups).
  if (pool.spec.nodeGroups.length === 0) return base;
  const kept = (pool.status?.conditions ?? []).filter((c) => c.type === "SpotDegraded" || c.type === "CapacityLimited");
  return [...base, ...kept.map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message }))];
}

/** "busy-workers" -> "BusyWorkers". */
export function camel(s: string): string {
  return s.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

function lastDecisionOf(input: StatusInput, previous: LastDecision | undefined): LastDecision {
  const d = input.decision;
  const next: LastDecision = { workers: d.workers, reason: d.reason, limitedBy: d.limitedBy, at: iso(input.now), demand: d.demand, busy: input.busy, min: d.bounds.min, max: d.bounds.max };
  if (d.bounds.schedule !== undefined) next.schedule = d.bounds.schedule;
  // Keep the old time when nothing else changed, so a steady pool does not rewrite its status.
  if (previous !== undefined && sameExcept(previous, next, "at")) next.at = previous.at;
  return next;
}

/** The status to write for this reconcile. */
export function buildStatus(input: StatusInput): GenerationPoolStatus {
  const previous = input.pool.status;
  const queue = queueStatusOf(input.queue) ?? previous?.queue; // last known figures; QueueReachable=False says they are stale
  const lastScaleTime = input.lastScaleTime !== undefined ? iso(input.lastScaleTime) : previous?.lastScaleTime;
  return {
    // Node fields: from this reconcile's node step, else carried over untouched.
    ...nodeFieldsOf(input),
    observedGeneration: input.pool.metadata.generation ?? 0,
    ...(queue !== undefined ? { queue } : {}),
    replicas: { desired: input.decision.workers, current: input.current, ready: input.ready, busy: input.busy },
    ...(lastScaleTime !== undefined ? { lastScaleTime } : {}),
    lastDecision: lastDecisionOf(input, previous?.lastDecision),
    conditions: mergeConditions(previous?.conditions, conditionsOf(input), input.pool.metadata.generation, iso(input.now)),
  };
}

/** The node plan's fields when the node step ran, else the previous ones untouched. */
function nodeFieldsOf(input: StatusInput): Partial<GenerationPoolStatus> {
  return input.node?.fields ?? pick(input.pool.status, ["nodes", "nodeGroups", "estimatedHourlyCostUsd"]);
}

function queueStatusOf(q: QueueDemand | undefined): GenerationPoolStatus["queue"] {
  if (q === undefined) return undefined;
  // Whole seconds: a waiting job's age changes on every read and would rewrite the status each time.
  return { waiting: q.waiting, prioritized: q.prioritized, active: q.active, delayedSoon: q.delayedSoon, paused: q.paused, oldestWaitingSeconds: Math.round(q.oldestWaitingSeconds) };
}

function pick<T extends object, K extends keyof T>(o: T | undefined, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o?.[k] !== undefined) out[k] = o[k];
  return out;
}

function sameExcept(a: object, b: object, skip: string): boolean {
  const strip = (o: object): string => JSON.stringify(Object.entries(o).filter(([k]) => k !== skip).sort(([x], [y]) => x.localeCompare(y)));
  return strip(a) === strip(b);
}

/** True when writing `next` would change what the API server holds. */
export function statusChanged(previous: GenerationPoolStatus | undefined, next: GenerationPoolStatus): boolean {
  return canonical(previous ?? {}) !== canonical(next);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}
