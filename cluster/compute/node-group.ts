import { Fn } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as eks from "aws-cdk-lib/aws-eks-v2";
import type * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import { prices } from "../prices.ts";
import { InvalidPropError, requireIntInRange, requireMinNotAboveMax } from "../validate.ts";

/** Properties of {@link GenpoolNodeGroup}. */
export interface GenpoolNodeGroupProps {
  readonly cluster: eks.ICluster;
  readonly nodegroupName: string;
  readonly nodeRole: iam.IRole;
  readonly subnets: ec2.SubnetSelection;
  /** Security groups added to the cluster security group on every node. */
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  readonly instanceTypes: readonly string[];
  readonly capacityType: eks.CapacityType;
  readonly amiType: eks.NodegroupAmiType;
  readonly minSize: number;
  readonly maxSize: number;
  /** Encrypted gp3 root volume size in GiB. */
  readonly rootVolumeGiB: number;
  /** Require GPU instance types (NVIDIA AMI). @default false */
  readonly gpu?: boolean;
  /** @default no labels */
  readonly labels?: Readonly<Record<string, string>>;
  /** @default no taints */
  readonly taints?: readonly eks.TaintSpec[];
}

/**
 * An EKS managed node group behind a launch template: encrypted gp3 root, IMDSv2 only, no SSH key.
 *
 * The template's DesiredSize is pinned to minSize and never derived from anything that changes,
 * so CloudFormation has no diff on it and a later deploy leaves the size the operator set alone.
 * (EKS ignores a DesiredSize that CloudFormation does not send; it would resend it only if
 * minSize or maxSize changed, see docs/CLUSTER.md.)
 */
export class GenpoolNodeGroup extends Construct {
  readonly nodegroup: eks.Nodegroup;
  readonly launchTemplate: ec2.CfnLaunchTemplate;
  readonly nodegroupName: string;
  /** Most nodes the group may run. */
  readonly maxSize: number;

  constructor(scope: Construct, id: string, props: GenpoolNodeGroupProps) {
    super(scope, id);
    validate(id, props);
    this.nodegroupName = props.nodegroupName;
    this.maxSize = props.maxSize;
    this.launchTemplate = new ec2.CfnLaunchTemplate(this, "LaunchTemplate", {
      launchTemplateData: {
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { volumeSize: props.rootVolumeGiB, volumeType: "gp3", encrypted: true, deleteOnTermination: true } },
        ],
        // Hop limit 2: a pod off the host network is one hop further from IMDS than the host.
        // Credentials come from Pod Identity, but SDK region discovery in pods still reads IMDS.
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2, httpEndpoint: "enabled" },
        securityGroupIds: [props.cluster.clusterSecurityGroupId, ...props.securityGroups.map((g) => g.securityGroupId)],
        tagSpecifications: [{ resourceType: "instance", tags: [{ key: "Name", value: props.nodegroupName }] }],
      },
    });
    this.nodegroup = new eks.Nodegroup(this, "Nodegroup", {
      cluster: props.cluster,
      nodegroupName: props.nodegroupName,
      nodeRole: props.nodeRole,
      subnets: props.subnets,
      amiType: props.amiType,
      capacityType: props.capacityType,
      instanceTypes: props.instanceTypes.map((t) => new ec2.InstanceType(t)),
      minSize: props.minSize,
      maxSize: props.maxSize,
      desiredSize: props.minSize,
      labels: props.labels ? { ...props.labels } : undefined,
      taints: props.taints ? [...props.taints] : undefined,
      launchTemplateSpec: { id: this.launchTemplate.ref, version: Fn.getAtt(this.launchTemplate.logicalId, "LatestVersionNumber").toString() },
    });
  }
}

function validate(id: string, props: GenpoolNodeGroupProps): void {
  const name = `GenpoolNodeGroup(${id})`;
  if (props.instanceTypes.length === 0) {
    throw new InvalidPropError(name, "instanceTypes", props.instanceTypes, "at least one instance type from cluster/prices.json");
  }
  for (const type of props.instanceTypes) {
    const known = props.gpu ? prices.gpuInstanceTypes : Object.keys(prices.ec2PerHour);
    if (!known.includes(type)) {
      throw new InvalidPropError(name, "instanceTypes", type, `${props.gpu ? "GPU " : ""}instance types with a price in cluster/prices.json: ${known.join(", ")}`);
    }
  }
  requireIntInRange(name, "minSize", props.minSize, [0, 100]);
  requireIntInRange(name, "maxSize", props.maxSize, [1, 100]);
  requireMinNotAboveMax(name, props.minSize, props.maxSize);
  requireIntInRange(name, "rootVolumeGiB", props.rootVolumeGiB, [20, 16384]);
}
