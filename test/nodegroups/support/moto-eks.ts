/**
 * EKS fixtures in the sandbox's moto: a cluster and managed node groups. moto keeps them as
 * metadata only (no Auto Scaling group, no instances); the node mirror turns desired sizes into
 * fake Nodes.
 */
import { CreateClusterCommand, CreateNodegroupCommand, EKSClient } from "@aws-sdk/client-eks";
import { sandboxEnv } from "../../support/sandbox.ts";

const role = "arn:aws:iam::123456789012:role/genpool-test";

/** An EKS client for moto, from the sandbox environment. */
export function motoEks(endpoint = sandboxEnv().AWS_ENDPOINT_URL): EKSClient {
  return new EKSClient({ endpoint, region: sandboxEnv().AWS_REGION });
}

/** A node group to create. */
export interface TestNodeGroup {
  name: string;
  capacityType: "SPOT" | "ON_DEMAND";
  instanceTypes?: string[];
  min?: number;
  max: number;
  desired?: number;
  labels?: Record<string, string>;
}

/** Creates a cluster and its node groups in moto (scalingConfig always given: see STACK-NOTES). */
export async function createMotoCluster(eks: EKSClient, clusterName: string, groups: readonly TestNodeGroup[]): Promise<void> {
  await eks.send(new CreateClusterCommand({ name: clusterName, roleArn: role, resourcesVpcConfig: { subnetIds: ["subnet-test"] } }));
  for (const g of groups) {
    await eks.send(new CreateNodegroupCommand({
      clusterName,
      nodegroupName: g.name,
      nodeRole: role,
      subnets: ["subnet-test"],
      capacityType: g.capacityType,
      instanceTypes: g.instanceTypes ?? ["g5.xlarge"],
      scalingConfig: { minSize: g.min ?? 0, maxSize: g.max, desiredSize: g.desired ?? g.min ?? 0 },
      labels: g.labels ?? {},
    }));
  }
}
