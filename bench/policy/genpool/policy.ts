/**
 * Genpool on the replay: the operator's own decide() for the worker count and its own node
 * planner planNodes() for the node groups, imported, never copied. This file only translates the
 * simulated observation into their inputs (times in ms since an epoch that starts on a Monday at
 * 00:00 UTC, so schedules in a pool file line up with trace hours) and carries their memory
 * (history, idleSince, planner memory) from one tick to the next, as the operator does in memory.
 */
import type { GenerationPoolSpec } from "../../../operator/resource/index.ts";
import { decide } from "../../../operator/scaling/decide.ts";
import { initialHistory } from "../../../operator/scaling/history.ts";
import { planNodes } from "../../../operator/scaling/nodes/plan.ts";
import type { NodeGroupObservation, NodePlanMemory } from "../../../operator/scaling/nodes/types.ts";
import type { HistoryEntry, RateFigures } from "../../../operator/scaling/types.ts";
import { spotPerHour } from "../cost.ts";
import type { SimConfig } from "../config.ts";
import type { GroupView, Observation, Policy } from "../policy.ts";

/** Simulated second 0 (a Monday, 00:00 UTC). */
export const EPOCH_MS = Date.parse("2026-01-05T00:00:00Z");

/** How often the replay runs the operator's reconcile: it is event-driven, so it reacts within about this long. */
export const RECONCILE_S = 2;

const nodeName = (id: number): string => `node-${id}`;

/**
 * Cumulative queue counters an operator can read from BullMQ (the job id counter for jobs added;
 * completed jobs' processedOn -> finishedOn for service time). Optional: when the simulator's
 * observation carries them, Genpool gets the arrival-rate figures; otherwise the backlog alone.
 */
interface QueueCounters { addedTotal?: number; completedTotal?: number; completedServiceSTotal?: number }
interface CounterSample { atS: number; added: number; completed: number; serviceS: number }

/** Arrivals are counted over the last 15 s (a burst shows within seconds), service times over 2 min. */
const ARRIVAL_WINDOW_S = 15;
const SERVICE_WINDOW_S = 120;

/** The oldest sample at or after `fromS` (the window's start as far as the samples reach). */
const since = (samples: CounterSample[], fromS: number): CounterSample => samples.find((x) => x.atS >= fromS) ?? samples[samples.length - 1]!;

/** Rate figures from a trailing window of counter samples, as the operator would keep them in memory. */
function rateFigures(samples: CounterSample[]): RateFigures {
  const now = samples[samples.length - 1]!;
  const a = since(samples, now.atS - ARRIVAL_WINDOW_S);
  const s = since(samples, now.atS - SERVICE_WINDOW_S);
  const completed = now.completed - s.completed;
  return {
    arrivalsPerSecond: now.atS > a.atS ? (now.added - a.added) / (now.atS - a.atS) : undefined,
    meanServiceSeconds: completed > 0 ? (now.serviceS - s.serviceS) / completed : undefined,
  };
}

/**
 * A group as the cloud reports it: a noticed node is still in the group (marked for termination)
 * and its desired size, while the simulator has already launched its replacement.
 */
function groupObservation(view: GroupView): NodeGroupObservation {
  const nodes = view.nodes.filter((n) => n.state !== "draining");
  const noticed = nodes.filter((n) => n.state === "noticed").length;
  return {
    spec: { name: view.name, capacityType: view.capacityType, priority: 0, minNodes: view.minNodes, maxNodes: view.maxNodes + noticed },
    workersPerNode: view.workersPerNode,
    desiredSize: view.desired + noticed,
    healthIssues: [],
    nodes: nodes.map((n) => ({
      name: nodeName(n.id),
      ready: n.state === "ready",
      markedForTermination: n.state === "noticed",
      busyWorkers: n.busy,
      idleWorkerPods: Array.from({ length: n.pods - n.busy }, (_, i) => `${nodeName(n.id)}-pod-${i}`),
    })),
  };
}

/** One reconcile as the operator would have done it (for shadow mode). */
export interface ShadowDecision {
  nowS: number;
  waiting: number;
  busy: number;
  workers: number;
  reason: string;
  limitedBy: string;
  nodes: Record<string, number>;
  nodeReasons: Record<string, string>;
}

/** Genpool's policy with the pool spec `spec` (its node groups must match the simulated ones). */
export function genpool(config: SimConfig, spec: GenerationPoolSpec, onDecision?: (d: ShadowDecision) => void): Policy {
  const prices = Object.fromEntries(config.groups.map((g) => [g.name, g.capacityType === "spot" ? spotPerHour(config) : config.onDemandPerHour]));
  const priority = new Map(spec.nodeGroups.map((g) => [g.name, g.priority]));
  let history: HistoryEntry[] | undefined;
  let idleSince: number | null = null;
  let memory: NodePlanMemory = { groups: {}, idleSince: {} };
  let samples: CounterSample[] = [];
  const rates = (nowS: number, c: QueueCounters): RateFigures => {
    if (c.addedTotal === undefined || c.completedTotal === undefined || c.completedServiceSTotal === undefined) return {};
    samples = [...samples.filter((x) => x.atS >= nowS - SERVICE_WINDOW_S), { atS: nowS, added: c.addedTotal, completed: c.completedTotal, serviceS: c.completedServiceSTotal }];
    return rateFigures(samples);
  };
  return {
    name: "genpool",
    tickS: RECONCILE_S,
    step(obs: Observation) {
      const now = EPOCH_MS + obs.nowS * 1000;
      history ??= initialHistory(obs.workers.desired, now);
      const counters: Observation["queue"] & QueueCounters = obs.queue;
      const queue = { waiting: obs.queue.waiting, prioritized: 0, active: obs.queue.active, delayedSoon: 0, paused: false, oldestWaitingSeconds: obs.queue.oldestWaitS, ...rates(obs.nowS, counters) };
      const decision = decide({ spec, queue, workers: { current: obs.workers.desired, ready: obs.workers.ready, busy: obs.workers.busy }, idleSince, history, now });
      history = decision.history;
      idleSince = decision.idleSince;
      const groups = obs.groups.map((g) => {
        const o = groupObservation(g);
        return { ...o, spec: { ...o.spec, priority: priority.get(g.name) ?? 0 } };
      });
      const plan = planNodes({ now, desiredWorkers: decision.workers, policy: spec, groups, hourlyPricePerNode: prices, memory });
      memory = plan.memory;
      const noticed = new Map(obs.groups.map((g) => [g.name, g.nodes.filter((n) => n.state === "noticed").length]));
      const nodes = Object.fromEntries(plan.groups.map((g) => [g.name, g.desired - (noticed.get(g.name) ?? 0)]));
      onDecision?.({
        nowS: obs.nowS, waiting: obs.queue.waiting, busy: obs.workers.busy, workers: decision.workers, reason: decision.reason,
        limitedBy: decision.limitedBy, nodes, nodeReasons: Object.fromEntries(plan.groups.map((g) => [g.name, g.reason])),
      });
      return { workers: decision.workers, nodes, remove: plan.remove.map((r) => Number(r.node.slice("node-".length))) };
    },
  };
}
