/**
 * Builders for planner inputs, shared by the table tests, the property tests and the benchmark
 * replay. Defaults follow PoolDefaults except where a row says otherwise.
 */
import type {
  CapacityType, GroupMemory, NodeGroupObservation, NodeObservation, NodePlanInput, NodePolicy,
} from "./types.ts";

/** A fixed instant so rows can state times relative to it. */
export const T0 = Date.parse("2026-01-05T10:00:00Z");
/** Seconds before T0, as an epoch in ms. */
export const ago = (seconds: number): number => T0 - seconds * 1000;

export const policy: NodePolicy = { onDemandBaseNodes: 1, spotFallbackDelaySeconds: 180, nodeScaleDownDelaySeconds: 600 };

/** Options of a fake node. */
export interface NodeOpts { ready?: boolean; busy?: number; marked?: boolean; idlePods?: string[] }

/** `count` nodes named `${prefix}-0..`, all with the same options. */
export function nodes(prefix: string, count: number, opts: NodeOpts = {}): NodeObservation[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${i}`,
    ready: opts.ready ?? true,
    markedForTermination: opts.marked ?? false,
    busyWorkers: opts.busy ?? 0,
    idleWorkerPods: opts.idlePods ?? [],
    instanceId: `i-${prefix}-${i}`,
  }));
}

/** Options of a fake group. */
export interface GroupOpts {
  priority?: number; min?: number; max?: number; perNode?: number; desired?: number;
  nodes?: NodeObservation[]; issues?: { code: string; message: string }[];
}

/** A node group observation; desired defaults to the number of nodes given. */
export function group(name: string, capacityType: CapacityType, o: GroupOpts = {}): NodeGroupObservation {
  const list = o.nodes ?? [];
  return {
    spec: { name, capacityType, priority: o.priority ?? 0, minNodes: o.min ?? 0, maxNodes: o.max ?? 50 },
    workersPerNode: o.perNode ?? 1,
    desiredSize: o.desired ?? list.length,
    healthIssues: o.issues ?? [],
    nodes: list,
  };
}

/** Options of a whole input. */
export interface InputOpts {
  workers: number;
  groups: NodeGroupObservation[];
  policy?: Partial<NodePolicy>;
  groupMemory?: Record<string, Partial<GroupMemory>>;
  idleSince?: Record<string, number>;
  prices?: Record<string, number>;
  now?: number;
}

/** A planner input at T0 (unless `now` is given). */
export function input(o: InputOpts): NodePlanInput {
  const groups: Record<string, GroupMemory> = {};
  for (const [name, m] of Object.entries(o.groupMemory ?? {})) {
    groups[name] = { shortfallSince: null, degradedSince: null, recoveredAt: null, ...m };
  }
  return {
    now: o.now ?? T0,
    desiredWorkers: o.workers,
    policy: { ...policy, ...o.policy },
    groups: o.groups,
    hourlyPricePerNode: o.prices ?? {},
    memory: { groups, idleSince: o.idleSince ?? {} },
  };
}

/** idleSince entries for every node in `list`, all idle since `at`. */
export function idle(list: NodeObservation[], at: number): Record<string, number> {
  return Object.fromEntries(list.map((n) => [n.name, at]));
}
