/**
 * The seam between the simulator and a scaling policy: at each of its ticks a policy sees what an
 * operator or autoscaler could observe and answers with the worker count and nodes per group it
 * wants. The simulator then acts like Kubernetes and the cloud would.
 */
import type { GroupConfig, SimConfig } from "./config.ts";

/** One node as a policy sees it. */
export interface NodeView {
  id: number;
  state: "booting" | "ready" | "noticed" | "draining";
  launchedS: number;
  /** Worker pods on the node (any state). */
  pods: number;
  busy: number;
  /** Since when the node has had no pod; undefined while it has one. */
  emptySinceS: number | undefined;
}

/** One node group as a policy sees it. */
export interface GroupView extends GroupConfig {
  /** Desired size last asked for. */
  desired: number;
  nodes: NodeView[];
}

/** What a policy observes at time `nowS`. */
export interface Observation {
  nowS: number;
  queue: { waiting: number; active: number; oldestWaitS: number };
  workers: {
    /** Worker count last asked for. */
    desired: number;
    /** Pods that count towards the Deployment's replicas (not finishing a last job). */
    live: number;
    pending: number;
    starting: number;
    ready: number;
    busy: number;
    /** When the oldest pod still pending was created; undefined when none is pending. */
    oldestPendingS: number | undefined;
  };
  groups: GroupView[];
}

/** What a policy asks for. */
export interface Desired {
  workers: number;
  /** Desired size per node group name; a group left out keeps its size. */
  nodes: Record<string, number>;
  /** Nodes to take away exactly (their group's size in `nodes` already excludes them). */
  remove?: number[];
}

/** A scaling policy under test. Policies are stateful objects; make a new one per run. */
export interface Policy {
  name: string;
  /** How often the simulator asks it, seconds. */
  tickS: number;
  step(obs: Observation): Desired;
}

/** Makes a fresh policy for one run. */
export type PolicyFactory = (config: SimConfig) => Policy;
