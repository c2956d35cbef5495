// The non-default options, synthesized once in one variant stack: NAT per AZ, private-only API
// endpoint, plain HTTP, admin access entries, single-AZ database, no prefix delegation, and
// custom ALB source CIDRs.
import test from "ava";
import { App } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { standaloneContext, UNSTAGED_ASSETS } from "./app.ts";
import { OutputKey } from "./contract.ts";
import { GenpoolClusterStack } from "./stack.ts";

const admin = "arn:aws:iam::123456789012:role/PlatformAdmin";
const stack = new GenpoolClusterStack(new App({ context: { ...standaloneContext(), ...UNSTAGED_ASSETS } }), "Variant", {
  env: { account: "123456789012", region: "us-east-1" },
  albProtocol: "HTTP",
  albSourceCidrs: ["203.0.113.0/24"],
  network: { natGatewayPerAz: true },
  eks: { endpointPublicAccess: false, adminPrincipalArns: [admin], prefixDelegation: false, kubernetesVersion: "1.34" },
  database: { multiAz: false, deletionProtection: false },
  gpuSpot: { instanceTypes: ["g5.xlarge", "g4dn.2xlarge", "g5.2xlarge"], maxSize: 8 },
});
const template = Template.fromStack(stack);

test("natGatewayPerAz puts one NAT gateway in each AZ", (t) => {
  template.resourceCountIs("AWS::EC2::NatGateway", 2);
  t.pass();
});

test("endpointPublicAccess false leaves only the private endpoint", (t) => {
  template.hasResourceProperties("AWS::EKS::Cluster", {
    Version: "1.34",
    ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: false }),
    AccessConfig: { AuthenticationMode: "API", BootstrapClusterCreatorAdminPermissions: false },
  });
  t.pass();
});

test("adminPrincipalArns become cluster-admin access entries, beside the kubectl provider's", (t) => {
  type Entry = { Properties: { PrincipalArn: unknown; AccessPolicies: Array<{ AccessScope: unknown; PolicyArn: unknown }> } };
  const entries = Object.values(template.findResources("AWS::EKS::AccessEntry")).map((e) => (e as Entry).Properties);
  t.deepEqual(
    entries.map((e) => (typeof e.PrincipalArn === "string" ? e.PrincipalArn : JSON.stringify(e.PrincipalArn).replace(/^.*"(EksClusterKubectlProvider[A-Za-z]+)[0-9A-F]{8}".*$/, "$1"))).sort(),
    [admin, "EksClusterKubectlProviderHandlerServiceRole"].sort(),
    "the admin, and the role of the handler that installs the load balancer controller chart",
  );
  for (const props of entries) {
    t.deepEqual(props.AccessPolicies[0]?.AccessScope, { Type: "cluster" });
    t.regex(JSON.stringify(props.AccessPolicies[0]?.PolicyArn), /AmazonEKSClusterAdminPolicy"/);
  }
});

test("with the public endpoint off, the kubectl provider still reaches the API server from inside the VPC", (t) => {
  const fns = Object.values(template.findResources("AWS::Lambda::Function")).map((f) => JSON.stringify((f as { Properties: { VpcConfig?: unknown } }).Properties.VpcConfig));
  t.is(fns.length, 2);
  for (const vpc of fns) {
    t.regex(vpc, /NetworkVpcprivateappSubnet1/);
    t.regex(vpc, /ClusterSecurityGroupId/);
  }
});

test("plain HTTP opens port 80 only, to the given CIDRs, and outputs no certificate", (t) => {
  const groups = template.findResources("AWS::EC2::SecurityGroup", { Properties: { GroupDescription: Match.stringLikeRegexp("ALB") } });
  const ingress = Object.values(groups).flatMap((g) => (g as { Properties: { SecurityGroupIngress: unknown[] } }).Properties.SecurityGroupIngress);
  t.deepEqual(ingress, [{ CidrIp: "203.0.113.0/24", Description: "Clients to the ALB listener", FromPort: 80, IpProtocol: "tcp", ToPort: 80 }]);
  template.resourceCountIs("AWS::CertificateManager::Certificate", 0);
  template.hasOutput(OutputKey.CertificateArn, { Value: "none" });
  template.hasOutput(OutputKey.AlbSourceCidrs, { Value: "203.0.113.0/24" });
});

test("database options reach the instance; prefix delegation can be turned off", (t) => {
  template.hasResourceProperties("AWS::RDS::DBInstance", { MultiAZ: false, DeletionProtection: false });
  template.hasResourceProperties("AWS::EKS::Addon", { AddonName: "vpc-cni", ConfigurationValues: JSON.stringify({ enableNetworkPolicy: "true", env: {} }) });
  // Without prefix delegation the address need depends on each instance type's ENIs: no room warning.
  t.deepEqual(Annotations.fromStack(stack).findWarning("*", Match.stringLikeRegexp("private-app subnets")), []);
  template.hasResourceProperties("AWS::EKS::Nodegroup", { NodegroupName: "genpool-gpu-spot", InstanceTypes: ["g5.xlarge", "g4dn.2xlarge", "g5.2xlarge"], ScalingConfig: { MinSize: 0, MaxSize: 8, DesiredSize: 0 } });
  t.pass();
});
