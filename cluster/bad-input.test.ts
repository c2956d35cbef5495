// Invalid configuration fails synth with a message that names the prop, the value and what is
// allowed. Each row builds the real stack with one bad prop (no synth: constructors validate).
import test from "ava";
import { App } from "aws-cdk-lib";
import { standaloneContext, UNSTAGED_ASSETS } from "./app.ts";
import { GenpoolClusterStack, type GenpoolClusterStackProps } from "./stack.ts";
import { InvalidPropError } from "./validate.ts";

const base: GenpoolClusterStackProps = { env: { account: "123456789012", region: "us-east-1" }, domainName: "genpool.example.com" };

function build(props: Partial<GenpoolClusterStackProps>): void {
  new GenpoolClusterStack(new App({ context: { ...standaloneContext(), ...UNSTAGED_ASSETS } }), "Bad", { ...base, ...props });
}

const cases: Array<{ why: string; props: Partial<GenpoolClusterStackProps>; message: RegExp }> = [
  // Node groups
  { why: "max below min", props: { gpuSpot: { minSize: 5, maxSize: 2 } }, message: /GenpoolNodeGroup\(GpuSpot\): prop "maxSize" is 2; allowed: at least minSize \(5\)/ },
  { why: "unknown instance type", props: { systemNodes: { instanceTypes: ["m9z.huge"] } }, message: /GenpoolNodeGroup\(SystemNodes\): prop "instanceTypes" is "m9z.huge"; allowed: instance types with a price in cluster\/prices.json: .*m6i.large/ },
  { why: "CPU type in a GPU group", props: { gpuOnDemand: { instanceTypes: ["m6i.large"] } }, message: /GpuOnDemand\): prop "instanceTypes" is "m6i.large"; allowed: GPU instance types .*g5.xlarge/ },
  { why: "spot group with no instance types", props: { gpuSpot: { instanceTypes: [] } }, message: /GpuSpot\): prop "instanceTypes" is \[\]; allowed: at least one instance type/ },
  { why: "negative minimum", props: { gpuOnDemand: { minSize: -1 } }, message: /GpuOnDemand\): prop "minSize" is -1; allowed: an integer from 0 to 100/ },
  { why: "root volume too small for GPU images", props: { gpuSpot: { rootVolumeGiB: 8 } }, message: /prop "rootVolumeGiB" is 8; allowed: an integer from 20/ },
  // Network
  { why: "overlapping subnet CIDRs", props: { network: { dataSubnetCidrs: ["10.0.11.0/24", "10.0.22.0/24"] } }, message: /GenpoolVpc: prop "subnet CIDRs" is \["10.0.11.0\/24","10.0.11.0\/24"\]; allowed: non-overlapping/ },
  { why: "subnet outside the VPC range", props: { network: { publicSubnetCidrs: ["10.1.1.0/24", "10.0.2.0/24"] } }, message: /GenpoolVpc: prop "publicSubnetCidrs" is "10.1.1.0\/24"; allowed: an IPv4 CIDR inside vpcCidr 10.0.0.0\/16/ },
  { why: "one subnet for two AZs", props: { network: { appSubnetCidrs: ["10.0.11.0/24"] } }, message: /prop "appSubnetCidrs" is \["10.0.11.0\/24"\]; allowed: exactly 2 CIDRs, one per availability zone/ },
  { why: "host bits in the VPC CIDR", props: { network: { vpcCidr: "10.0.0.1/16" } }, message: /prop "vpcCidr" is "10.0.0.1\/16"; allowed: an IPv4 CIDR with a prefix from \/16 to \/28/ },
  { why: "ALB open to a malformed CIDR", props: { albSourceCidrs: ["0.0.0.0"] }, message: /GenpoolSecurityGroups: prop "albSourceCidrs" is "0.0.0.0"; allowed: IPv4 CIDRs/ },
  { why: "API on the SSH port", props: { apiPort: 22 }, message: /GenpoolSecurityGroups: prop "apiPort" is 22; allowed: a TCP port from 1 to 65535 other than 22 \(no SSH\)/ },
  // HTTPS
  { why: "HTTPS without certificate or domain", props: { domainName: undefined }, message: /GenpoolClusterStack: prop "certificateArn" is undefined; allowed: an ACM certificate ARN, or a domainName to issue one for, when albProtocol is "HTTPS"/ },
  { why: "certificate ARN of another service", props: { certificateArn: "arn:aws:iam::123456789012:server-certificate/x" }, message: /prop "certificateArn" is "arn:aws:iam::123456789012:server-certificate\/x"; allowed: an ACM certificate ARN/ },
  { why: "domain that is not a DNS name", props: { domainName: "genpool example" }, message: /prop "domainName" is "genpool example"; allowed: a DNS name/ },
  { why: "unknown ALB protocol", props: { albProtocol: "TCP" as "HTTP" }, message: /prop "albProtocol" is "TCP"; allowed: one of "HTTPS", "HTTP"/ },
  // EKS
  { why: "Kubernetes version EKS does not offer", props: { eks: { kubernetesVersion: "1.29" } }, message: /GenpoolEksCluster: prop "kubernetesVersion" is "1.29"; allowed: one of "1.33", "1.34", "1.35", "1.36"/ },
  { why: "public CIDRs on a private endpoint", props: { eks: { endpointPublicAccess: false, endpointPublicAccessCidrs: ["203.0.113.0/24"] } }, message: /prop "endpointPublicAccessCidrs" is \["203.0.113.0\/24"\]; allowed: nothing when endpointPublicAccess is false/ },
  { why: "admin that is not an IAM ARN", props: { eks: { adminPrincipalArns: ["admin"] } }, message: /prop "adminPrincipalArns" is "admin"; allowed: IAM role or user ARNs/ },
  // Data tier
  { why: "unknown RDS class", props: { database: { instanceType: "db.x99.mega" } }, message: /GenpoolDatabase: prop "instanceType" is "db.x99.mega"; allowed: one of "db.t4g.medium"/ },
  { why: "backups kept too long", props: { database: { backupRetentionDays: 40 } }, message: /prop "backupRetentionDays" is 40; allowed: an integer from 1 to 35/ },
  { why: "Redis without a replica", props: { redis: { nodeCount: 1 } }, message: /GenpoolRedis: prop "nodeCount" is 1; allowed: an integer from 2 to 6/ },
  { why: "unknown Redis node type", props: { redis: { nodeType: "cache.r99.huge" } }, message: /prop "nodeType" is "cache.r99.huge"; allowed: one of "cache.t4g.small"/ },
  { why: "CORS origin with a path", props: { images: { corsAllowedOrigins: ["https://app.example.com/app"] } }, message: /GenpoolImageBucket: prop "corsAllowedOrigins" is "https:\/\/app.example.com\/app"; allowed: "\*" or an origin/ },
];

for (const c of cases) {
  test(`rejects ${c.why}`, (t) => {
    const err = t.throws(() => build(c.props), { instanceOf: InvalidPropError });
    t.regex(err?.message ?? "", c.message);
  });
}

test("accepts plain HTTP without a certificate, and a certificate ARN instead of a domain", (t) => {
  t.notThrows(() => build({ albProtocol: "HTTP", domainName: undefined }));
  t.notThrows(() => build({ domainName: undefined, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" }));
});
