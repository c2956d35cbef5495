/**
 * From what the adapters report to the planner's per-group input: which Nodes belong to which
 * group (the EKS node group label), which are Ready or leaving, and which hold a busy worker.
 * Pure: the runtime lists Nodes and worker pods, describes the groups, and calls this.
 */
import { GpuNode } from "../../../cluster/contract.ts";
import { parseProviderId } from "../../aws/provider-id.ts";
import { isMarkedForTermination, type NodeMarks } from "../../interruption/marked-for-termination.ts";
import type { HealthIssue, NodeGroupObservation, NodeGroupSpec, NodeObservation } from "./types.ts";

/** The parts of a Kubernetes Node read here (a `V1Node` fits). */
export interface NodeLike extends NodeMarks {
  metadata?: NodeMarks["metadata"] & { name?: string; labels?: Record<string, string> };
  spec?: NodeMarks["spec"] & { providerID?: string };
  status?: { conditions?: readonly { type: string; status: string }[] };
}

/** A worker pod: where it runs and whether it is processing a job. */
export interface WorkerPodLike {
  name: string;
  nodeName?: string | undefined;
  busy: boolean;
}

/** What the cloud says about one group. */
export interface GroupCloudState {
  desiredSize: number;
  healthIssues: readonly HealthIssue[];
}

/** Everything observeNodeGroups() reads. */
export interface ObserveInput {
  specs: readonly NodeGroupSpec[];
  cloud: ReadonlyMap<string, GroupCloudState>;
  /** Workers per node of each group (instance GPU count or the spec's value). */
  workersPerNode: ReadonlyMap<string, number>;
  nodes: readonly NodeLike[];
  workers: readonly WorkerPodLike[];
}

function toNode(node: NodeLike, workers: readonly WorkerPodLike[]): NodeObservation {
  const name = node.metadata?.name ?? "";
  const here = workers.filter((w) => w.nodeName === name);
  return {
    name,
    ready: node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
    markedForTermination: isMarkedForTermination(node),
    busyWorkers: here.filter((w) => w.busy).length,
    idleWorkerPods: here.filter((w) => !w.busy).map((w) => w.name),
    instanceId: parseProviderId(node.spec?.providerID)?.instanceId,
  };
}

/** Builds one observation per spec'd group; a group the cloud did not describe is an error naming it. */
export function observeNodeGroups(input: ObserveInput): NodeGroupObservation[] {
  return input.specs.map((spec) => {
    const cloud = input.cloud.get(spec.name);
    if (!cloud) throw new Error(`node group ${spec.name}: no cloud description (does the EKS node group exist?)`);
    const members = input.nodes.filter((n) => n.metadata?.labels?.[GpuNode.nodegroupLabel] === spec.name);
    return {
      spec,
      workersPerNode: input.workersPerNode.get(spec.name) ?? 1,
      desiredSize: cloud.desiredSize,
      healthIssues: cloud.healthIssues,
      nodes: members.map((n) => toNode(n, input.workers)),
    };
  });
}
