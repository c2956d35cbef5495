/**
 * What one node group holds right now, in node counts, and whether its outstanding requests can
 * be trusted. Booting nodes count as capacity (so a burst is ordered once, not on every reconcile
 * while instances boot) unless the group is degraded: then only Ready nodes count and the rest of
 * the demand goes to the next group.
 */
import { launchBlockingIssues } from "./launch-blocking.ts";
import type { GroupMemory, HealthIssue, NodeGroupObservation, NodePolicy } from "./types.ts";

/** Counts and health of one group, derived from its observation and memory. */
export interface GroupState {
  obs: NodeGroupObservation;
  /** Registered, Ready, not leaving. */
  ready: number;
  /** Requested but not Ready yet: instances not registered plus registered nodes not Ready. */
  booting: number;
  /** Registered nodes marked for termination. */
  leaving: number;
  /** Outstanding requests are not trusted; no new demand is placed here. */
  degraded: boolean;
  /** Issues that block launches (for the condition message). */
  blockingIssues: HealthIssue[];
  /** Nodes this plan may add at most (slow start after a spot recovery); null = no limit. */
  growthLimit: number | null;
  memory: GroupMemory;
}

const emptyMemory: GroupMemory = { shortfallSince: null, degradedSince: null, recoveredAt: null };

/** Node counts of a group: Ready, booting (requested, not Ready) and leaving. */
function counts(obs: NodeGroupObservation): { ready: number; booting: number; leaving: number } {
  const live = obs.nodes.filter((n) => !n.markedForTermination);
  const ready = live.filter((n) => n.ready).length;
  const unregistered = Math.max(0, obs.desiredSize - obs.nodes.length);
  return { ready, booting: unregistered + (live.length - ready), leaving: obs.nodes.length - live.length };
}

/** Inputs of the health step of one group. */
interface HealthInput {
  spot: boolean;
  booting: number;
  blocked: boolean;
  prev: GroupMemory;
  delayMs: number;
  now: number;
}

/** Advances the group's timers and says whether it is degraded now. */
function health({ spot, booting, blocked, prev, delayMs, now }: HealthInput): { degraded: boolean; memory: GroupMemory } {
  const shortfallSince = booting > 0 ? (prev.shortfallSince ?? now) : null;
  // Only spot waits out the delay: an on-demand node that boots slowly has no cheaper fallback.
  const timedOut = spot && shortfallSince !== null && now - shortfallSince >= delayMs;
  const degraded = blocked || timedOut;
  // Recovered = the requested nodes turned Ready in time and nothing blocks launches.
  const recovered = !degraded && prev.degradedSince !== null;
  return {
    degraded,
    memory: {
      shortfallSince,
      degradedSince: degraded ? (prev.degradedSince ?? now) : null,
      recoveredAt: recovered ? now : prev.recoveredAt,
    },
  };
}

/** Derives the state of `obs` at `now` from the previous `memory`. */
export function groupState(
  obs: NodeGroupObservation,
  previous: GroupMemory | undefined,
  policy: NodePolicy,
  now: number,
): GroupState {
  const { ready, booting, leaving } = counts(obs);
  const blockingIssues = launchBlockingIssues(obs.healthIssues);
  const spot = obs.spec.capacityType === "spot";
  const delayMs = policy.spotFallbackDelaySeconds * 1000;
  const { degraded, memory } = health({
    spot, booting, blocked: blockingIssues.length > 0, prev: previous ?? emptyMemory, delayMs, now,
  });
  // Slow start after a recovery, for one fallback delay: no more nodes in flight than are Ready
  // (at least one), so a pool that is still short of spot cannot swallow a whole burst.
  const slowStart = spot && memory.recoveredAt !== null && now - memory.recoveredAt < delayMs;
  const growthLimit = slowStart ? Math.max(0, Math.max(1, ready) - booting) : null;
  return { obs, ready, booting, leaving, degraded, blockingIssues, growthLimit, memory };
}

/** Nodes of the group that count as capacity: Ready ones, plus booting ones when trusted. */
export function trustedNodes(state: GroupState): number {
  return state.ready + (state.degraded ? 0 : state.booting);
}
