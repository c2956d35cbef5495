/** NodeGroupCloud on AWS: EKS for node groups, EC2 for instances and prices, Auto Scaling for exact scale-in. */
import { setScaleInProtection, terminateInstance } from "./auto-scaling.ts";
import { createAwsClients, destroyAwsClients, type AwsClientOptions } from "./clients.ts";
import { EksNodeGroups } from "./eks-node-groups.ts";
import { InstanceTypeGpus } from "./instance-types.ts";
import { describeInstances } from "./instances.ts";
import type { NodeGroupCloud } from "./node-group-cloud.ts";
import { SpotPriceCache } from "./spot-prices.ts";

/** Settings of the AWS node-group cloud. */
export interface AwsNodeGroupCloudOptions extends AwsClientOptions {
  /** The EKS cluster the node groups belong to. */
  clusterName: string;
  /** Time source for price queries and their cache. @default Date.now */
  now?: () => number;
  /** How long a spot price is reused. @default SPOT_PRICE_TTL_MS (5 minutes) */
  spotPriceTtlMs?: number;
}

/** A NodeGroupCloud plus `close()` for its sockets. */
export type AwsNodeGroupCloud = NodeGroupCloud & { close(): void };

/** Builds the AWS implementation of NodeGroupCloud for one cluster. */
export function createAwsNodeGroupCloud(options: AwsNodeGroupCloudOptions): AwsNodeGroupCloud {
  if (!options.clusterName) throw new Error("createAwsNodeGroupCloud: clusterName is empty; give the EKS cluster name");
  const clients = createAwsClients(options);
  const groups = new EksNodeGroups(clients.eks, options.clusterName);
  const gpus = new InstanceTypeGpus(clients.ec2);
  const spot = new SpotPriceCache(clients.ec2, options.now ?? Date.now, options.spotPriceTtlMs);
  return {
    describe: (name) => groups.describe(name),
    setDesiredSize: (name, size, token) => groups.setDesiredSize(name, size, token),
    instanceTypeGpus: (type) => gpus.gpus(type),
    describeInstances: (ids) => describeInstances(clients.ec2, ids),
    spotPrice: (type) => spot.price(type),
    terminateInstance: (id) => terminateInstance(clients.autoScaling, id),
    setScaleInProtection: (group, ids, protect) => setScaleInProtection(clients.autoScaling, group, ids, protect),
    close: () => destroyAwsClients(clients),
  };
}
