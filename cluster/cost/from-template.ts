import type { InfraConfig, NodeGroupConfig } from "./estimate.ts";

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const num = (v: unknown, fallback = 0): number => (typeof v === "number" ? v : typeof v === "string" && v !== "" ? Number(v) : fallback);

function propsOf(resources: Resources, type: string): Array<Record<string, unknown>> {
  return Object.values(resources)
    .filter((r) => r.Type === type)
    .map((r) => r.Properties ?? {});
}

function rootVolume(resources: Resources, launchTemplate: unknown): number {
  const ref = (launchTemplate as { Id?: { Ref?: string } } | undefined)?.Id?.Ref;
  const data = ref ? (resources[ref]?.Properties?.LaunchTemplateData as { BlockDeviceMappings?: Array<{ Ebs?: { VolumeSize?: number } }> } | undefined) : undefined;
  return num(data?.BlockDeviceMappings?.[0]?.Ebs?.VolumeSize, 20);
}

/** Reads the cost-relevant configuration out of a synthesized CloudFormation template. Pure. */
export function configFromTemplate(template: { Resources: Resources }): InfraConfig {
  const r = template.Resources;
  const nodeGroups: NodeGroupConfig[] = propsOf(r, "AWS::EKS::Nodegroup").map((p) => {
    const scaling = p.ScalingConfig as { MinSize?: number; MaxSize?: number } | undefined;
    return {
      name: typeof p.NodegroupName === "string" ? p.NodegroupName : "nodegroup",
      capacityType: p.CapacityType === "SPOT" ? "SPOT" : "ON_DEMAND",
      instanceTypes: (p.InstanceTypes as string[] | undefined) ?? [],
      minSize: num(scaling?.MinSize),
      maxSize: num(scaling?.MaxSize),
      rootVolumeGiB: rootVolume(r, p.LaunchTemplate),
    };
  });
  return {
    eksClusters: propsOf(r, "AWS::EKS::Cluster").length,
    nodeGroups,
    databases: propsOf(r, "AWS::RDS::DBInstance").map((p) => ({ instanceClass: String(p.DBInstanceClass), multiAz: p.MultiAZ === true, storageGiB: num(p.AllocatedStorage, 20) })),
    redisGroups: propsOf(r, "AWS::ElastiCache::ReplicationGroup").map((p) => ({ nodeType: String(p.CacheNodeType), nodes: num(p.NumCacheClusters, 1) })),
    natGateways: propsOf(r, "AWS::EC2::NatGateway").length,
    secrets: propsOf(r, "AWS::SecretsManager::Secret").length,
    kmsKeys: propsOf(r, "AWS::KMS::Key").length,
  };
}
