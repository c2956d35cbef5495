/** EKS managed node groups: read sizes and health, set the desired size. */
import {
  DescribeNodegroupCommand, UpdateNodegroupConfigCommand, type EKSClient, type Nodegroup,
} from "@aws-sdk/client-eks";
import type { NodeGroupDescription, NodeGroupIssue, ResizeResult } from "./node-group-cloud.ts";
import { clampDesired } from "./resize-request.ts";

function scalingOf(name: string, ng: Nodegroup): { minSize: number; maxSize: number; desiredSize: number } {
  const { minSize, maxSize, desiredSize } = ng.scalingConfig ?? {};
  if (minSize === undefined || maxSize === undefined || desiredSize === undefined) {
    throw new Error(`EKS node group ${name}: DescribeNodegroup returned no complete scalingConfig`);
  }
  return { minSize, maxSize, desiredSize };
}

function issuesOf(ng: Nodegroup): NodeGroupIssue[] {
  return (ng.health?.issues ?? []).map((i) => ({ code: i.code ?? "Unknown", message: i.message ?? "", resourceIds: i.resourceIds ?? [] }));
}

function toDescription(name: string, ng: Nodegroup | undefined): NodeGroupDescription {
  if (!ng) throw new Error(`EKS node group ${name}: DescribeNodegroup returned no node group`);
  return {
    name,
    // CAPACITY_BLOCK is reserved capacity: it is paid for like on-demand and never interrupted.
    capacityType: ng.capacityType === "SPOT" ? "spot" : "on-demand",
    status: ng.status ?? "UNKNOWN",
    ...scalingOf(name, ng),
    instanceTypes: ng.instanceTypes ?? [],
    healthIssues: issuesOf(ng),
    autoScalingGroups: (ng.resources?.autoScalingGroups ?? []).flatMap((g) => (g.name ? [g.name] : [])),
    labels: ng.labels ?? {},
  };
}

/** One cluster's managed node groups. */
export class EksNodeGroups {
  constructor(private readonly eks: EKSClient, private readonly clusterName: string) {}

  /** DescribeNodegroup, as plain data. */
  async describe(name: string): Promise<NodeGroupDescription> {
    const out = await this.eks.send(new DescribeNodegroupCommand({ clusterName: this.clusterName, nodegroupName: name }));
    return toDescription(name, out.nodegroup);
  }

  /**
   * Sets the desired size, clamped to the group's own bounds. No call is made when the group
   * already has that size, so a repeated reconcile does not queue EKS updates.
   */
  async setDesiredSize(name: string, size: number, token: string): Promise<ResizeResult> {
    const current = await this.describe(name);
    const to = clampDesired(size, current);
    const result = { from: current.desiredSize, to, clamped: to !== size };
    if (to === current.desiredSize) return result;
    const out = await this.eks.send(new UpdateNodegroupConfigCommand({
      clusterName: this.clusterName,
      nodegroupName: name,
      scalingConfig: { desiredSize: to },
      clientRequestToken: token,
    }));
    return { ...result, ...(out.update?.id ? { updateId: out.update.id } : {}) };
  }
}
