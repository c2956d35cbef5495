import type * as ec2 from "aws-cdk-lib/aws-ec2";

/**
 * An IpAddresses strategy that hands the L2 Vpc exact, pre-planned subnet CIDRs
 * (the three-tier plan: 10.0.1.0/24, 10.0.11.0/24, 10.0.21.0/24, …) instead of letting
 * it carve the VPC range itself. `cidrsByGroup` maps a subnet group name to one CIDR per AZ,
 * in AZ order.
 */
export class FixedSubnetCidrs implements ec2.IIpAddresses {
  constructor(
    private readonly vpcCidr: string,
    private readonly cidrsByGroup: Readonly<Record<string, readonly string[]>>,
  ) {}

  allocateVpcCidr(): ec2.VpcIpamOptions {
    return { cidrBlock: this.vpcCidr };
  }

  allocateSubnetsCidr(input: ec2.AllocateCidrRequest): ec2.SubnetIpamOptions {
    const seen = new Map<string, number>();
    const allocatedSubnets = input.requestedSubnets.map((req) => {
      const group = req.configuration.name;
      const index = seen.get(group) ?? 0;
      seen.set(group, index + 1);
      const cidr = this.cidrsByGroup[group]?.[index];
      if (cidr === undefined) {
        // Reaching this means the Vpc asked for more subnets than GenpoolVpc planned: a bug here, not bad input.
        throw new Error(`FixedSubnetCidrs: no CIDR planned for subnet group "${group}" #${index}`);
      }
      return { cidr };
    });
    return { allocatedSubnets };
  }
}
