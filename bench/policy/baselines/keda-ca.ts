/**
 * Baseline 2: KEDA + HPA + Cluster Autoscaler with their defaults. KEDA polls the queue length
 * every 30 s; the HPA syncs every 15 s towards ceil(queued / 5) replicas (10 % tolerance, scale-up
 * by max(100 %, 4 pods) per sync, scale-down to the highest recommendation of the last 300 s);
 * the Cluster Autoscaler scans every 10 s, adds spot nodes for unschedulable pods (the on-demand
 * group is pinned at its base) and removes a node that has been empty for 10 min, not within
 * 10 min of a scale-up. minReplicaCount is the base's worker count, so the base node is used.
 */
import type { SimConfig } from "../config.ts";
import type { Observation, Policy } from "../policy.ts";

/** Knobs of the KEDA + CA baseline (upstream defaults). */
export const KEDA_CA_DEFAULTS = {
  kedaPollingS: 30,
  hpaSyncS: 15,
  targetPerReplica: 5,
  tolerance: 0.1,
  scaleDownStabilizationS: 300,
  caScanS: 10,
  caUnneededS: 600,
  caDelayAfterAddS: 600,
} as const;

/** The KEDA + HPA + Cluster Autoscaler policy. */
export function kedaCa(config: SimConfig, options: Partial<typeof KEDA_CA_DEFAULTS> = {}): Policy {
  const o = { ...KEDA_CA_DEFAULTS, ...options };
  const groups = config.groups;
  const minReplicas = groups.filter((g) => g.capacityType === "on-demand").reduce((s, g) => s + g.minNodes * g.workersPerNode, 0);
  const maxReplicas = groups.reduce((s, g) => s + g.maxNodes * g.workersPerNode, 0);
  const spot = groups.find((g) => g.capacityType === "spot");
  let metric = 0;
  let replicas = minReplicas;
  let lastAdd = -Infinity;
  const recommendations: { t: number; r: number }[] = [];
  const nodes: Record<string, number> = Object.fromEntries(groups.map((g) => [g.name, g.minNodes]));
  const due = (t: number, every: number): boolean => Math.round(t) % every === 0;

  const hpa = (t: number): void => {
    const ratio = metric / (o.targetPerReplica * Math.max(1, replicas));
    let want = Math.ceil(metric / o.targetPerReplica);
    if (Math.abs(ratio - 1) <= o.tolerance) want = replicas;
    want = Math.min(maxReplicas, Math.max(minReplicas, want));
    recommendations.push({ t, r: want });
    while (recommendations[0] !== undefined && recommendations[0].t < t - o.scaleDownStabilizationS) recommendations.shift();
    const stable = Math.max(...recommendations.map((x) => x.r));
    if (want > replicas) replicas = Math.min(want, replicas + Math.max(replicas, 4));
    else replicas = Math.min(replicas, stable);
  };

  const clusterAutoscaler = (obs: Observation): void => {
    if (spot === undefined) return;
    const view = obs.groups.find((g) => g.name === spot.name)!;
    const upcomingSlots = obs.groups.flatMap((g) => g.nodes.filter((n) => n.state === "booting").map(() => g.workersPerNode)).reduce((s, x) => s + x, 0);
    const short = obs.workers.pending - upcomingSlots;
    if (short > 0) {
      nodes[spot.name] = Math.min(spot.maxNodes, view.desired + Math.ceil(short / spot.workersPerNode));
      if (nodes[spot.name]! > view.desired) lastAdd = obs.nowS;
      return;
    }
    if (obs.nowS - lastAdd < o.caDelayAfterAddS) return;
    const unneeded = view.nodes.filter((n) => n.state === "ready" && n.emptySinceS !== undefined && obs.nowS - n.emptySinceS >= o.caUnneededS);
    if (unneeded.length > 0) nodes[spot.name] = Math.max(spot.minNodes, view.desired - unneeded.length);
  };

  return {
    name: "keda-ca",
    tickS: 5,
    step(obs: Observation) {
      if (due(obs.nowS, o.kedaPollingS)) metric = obs.queue.waiting;
      if (due(obs.nowS, o.hpaSyncS)) hpa(obs.nowS);
      if (due(obs.nowS, o.caScanS)) clusterAutoscaler(obs);
      return { workers: replicas, nodes: { ...nodes } };
    },
  };
}
