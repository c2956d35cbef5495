import { Stack } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { InvalidPropError, requireIntInRange, withDefaults } from "../validate.ts";
import { contains, firstOverlap, parseCidr } from "./cidr.ts";
import { FixedSubnetCidrs } from "./fixed-subnet-cidrs.ts";

/** Subnet group names; the EKS, RDS and ElastiCache constructs select subnets by these. */
export const SubnetGroup = { public: "public", app: "private-app", data: "data" } as const;

/** Properties of {@link GenpoolVpc}. */
export interface GenpoolVpcProps {
  /** @default "10.0.0.0/16" */
  readonly vpcCidr?: string;
  /** One public subnet per AZ (ALB, NAT gateways). @default ["10.0.1.0/24", "10.0.2.0/24"] */
  readonly publicSubnetCidrs?: readonly string[];
  /** One private application subnet per AZ (EKS nodes and pods), routed through NAT. @default ["10.0.11.0/24", "10.0.12.0/24"] */
  readonly appSubnetCidrs?: readonly string[];
  /** One isolated data subnet per AZ (RDS, ElastiCache), no route to the internet. @default ["10.0.21.0/24", "10.0.22.0/24"] */
  readonly dataSubnetCidrs?: readonly string[];
  /** Availability zones, one per subnet of each tier. @default the first two zones of the stack's region */
  readonly availabilityZones?: readonly string[];
  /** One NAT gateway per AZ (survives an AZ outage) instead of one shared gateway. @default false: one NAT gateway */
  readonly natGatewayPerAz?: boolean;
  /** Retention of the VPC flow log group, in days. @default 30 */
  readonly flowLogRetentionDays?: number;
}

const NAME = "GenpoolVpc";
const DEFAULTS = {
  vpcCidr: "10.0.0.0/16",
  publicSubnetCidrs: ["10.0.1.0/24", "10.0.2.0/24"] as readonly string[],
  appSubnetCidrs: ["10.0.11.0/24", "10.0.12.0/24"] as readonly string[],
  dataSubnetCidrs: ["10.0.21.0/24", "10.0.22.0/24"] as readonly string[],
  natGatewayPerAz: false,
  flowLogRetentionDays: 30,
};

/** The three-tier VPC: public, private-app and data subnets over two AZs, with exact CIDRs. */
export class GenpoolVpc extends Construct {
  readonly vpc: ec2.Vpc;
  readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: GenpoolVpcProps = {}) {
    super(scope, id);
    const p = withDefaults(DEFAULTS, props);
    const vpcCidr = p.vpcCidr;
    const tiers = { [SubnetGroup.public]: p.publicSubnetCidrs, [SubnetGroup.app]: p.appSubnetCidrs, [SubnetGroup.data]: p.dataSubnetCidrs };
    const azs = props.availabilityZones ?? Stack.of(this).availabilityZones.slice(0, 2);
    const retention = p.flowLogRetentionDays;
    validateCidrPlan(vpcCidr, tiers, azs.length);
    requireIntInRange(NAME, "flowLogRetentionDays", retention, [1, 3653]);

    this.flowLogGroup = new logs.LogGroup(this, "FlowLogs", { retention: toRetention(retention) });
    this.vpc = new ec2.Vpc(this, "Vpc", {
      ipAddresses: new FixedSubnetCidrs(vpcCidr, tiers),
      availabilityZones: [...azs],
      natGateways: p.natGatewayPerAz ? azs.length : 1,
      natGatewaySubnets: { subnetGroupName: SubnetGroup.public },
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: SubnetGroup.public, subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        { name: SubnetGroup.app, subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 24 },
        { name: SubnetGroup.data, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      flowLogs: {
        all: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.ALL,
          maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.TEN_MINUTES,
        },
      },
    });
    // Subnet tags the AWS Load Balancer Controller uses to discover where to place ALBs.
    for (const s of this.vpc.publicSubnets) tagSubnet(s, "kubernetes.io/role/elb");
    for (const s of this.vpc.privateSubnets) tagSubnet(s, "kubernetes.io/role/internal-elb");
  }
}

function tagSubnet(subnet: ec2.ISubnet, key: string): void {
  const cfn = subnet.node.defaultChild as ec2.CfnSubnet;
  cfn.tags.setTag(key, "1");
}

/** Throws unless every tier has one valid CIDR per AZ inside the VPC range and none overlap. */
function validateCidrPlan(vpcCidr: string, tiers: Record<string, readonly string[]>, azCount: number): void {
  const vpcBlock = parseCidr(vpcCidr);
  if (!vpcBlock || vpcBlock.prefix < 16 || vpcBlock.prefix > 28) {
    throw new InvalidPropError(NAME, "vpcCidr", vpcCidr, "an IPv4 CIDR with a prefix from /16 to /28 and no host bits set");
  }
  requireIntInRange(NAME, "availabilityZones.length", azCount, [2, 3]);
  for (const [tier, cidrs] of Object.entries(tiers)) {
    const prop = propName(tier);
    if (cidrs.length !== azCount) {
      throw new InvalidPropError(NAME, prop, cidrs, `exactly ${azCount} CIDRs, one per availability zone`);
    }
    for (const cidr of cidrs) {
      const block = parseCidr(cidr);
      if (!block || !contains(vpcBlock, block)) {
        throw new InvalidPropError(NAME, prop, cidr, `an IPv4 CIDR inside vpcCidr ${vpcCidr}`);
      }
    }
  }
  const overlap = firstOverlap(Object.values(tiers).flat());
  if (overlap) {
    throw new InvalidPropError(NAME, "subnet CIDRs", overlap, "non-overlapping CIDRs across publicSubnetCidrs, appSubnetCidrs and dataSubnetCidrs");
  }
}

function propName(tier: string): string {
  if (tier === SubnetGroup.public) return "publicSubnetCidrs";
  return tier === SubnetGroup.app ? "appSubnetCidrs" : "dataSubnetCidrs";
}

/** Maps a day count to the nearest CloudWatch retention that keeps logs at least that long. */
export function toRetention(days: number): logs.RetentionDays {
  const allowed = (Object.values(logs.RetentionDays).filter((v) => typeof v === "number") as logs.RetentionDays[]).sort((a, b) => a - b);
  return allowed.find((d) => Number(d) >= days) ?? logs.RetentionDays.TEN_YEARS;
}
