// The synthesized GenpoolCluster template, checked item by item against the three-tier design.
// The app is synthesized once, with the cdk-nag AwsSolutions plugin: reaching the assertions at all
// means the plugin found nothing unacknowledged.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { buildApp } from "./app.ts";
import { checkovSkips } from "./checkov-skips.ts";
import { GpuNode, OutputKey, Workload } from "./contract.ts";

type Resource = { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown>; DependsOn?: string[] };
type Json = Record<string, unknown>;

const outdir = mkdtempSync(join(tmpdir(), "genpool-cdk-"));
const { app, stack } = buildApp({ outdir, stageAssets: false });
// Assets stay unstaged (UNSTAGED_ASSETS); the folder still holds the template and manifest.
test.after.always(() => rmSync(outdir, { recursive: true, force: true }));
const assembly = app.synth();
const json = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, Resource>; Outputs: Record<string, Json> };
const template = Template.fromJSON(json);

function ofType(type: string): Array<[string, Json]> {
  return Object.entries(json.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id, r]) => [id, r.Properties ?? {}]);
}
const idOf = (prefix: string, type: string): string => {
  const hit = ofType(type).find(([id]) => id.startsWith(prefix));
  if (!hit) throw new Error(`no ${type} with logical id ${prefix}…`);
  return hit[0];
};
const getAtt = (v: unknown): string => ((v as { "Fn::GetAtt"?: [string] })["Fn::GetAtt"]?.[0] ?? JSON.stringify(v));
const str = (v: unknown): string => JSON.stringify(v);

test("VPC: 10.0.0.0/16 with exactly the six planned /24 subnets over two AZs", (t) => {
  template.hasResourceProperties("AWS::EC2::VPC", { CidrBlock: "10.0.0.0/16" });
  const subnets = ofType("AWS::EC2::Subnet").map(([id, p]) => ({ id, cidr: p.CidrBlock, az: p.AvailabilityZone, publicIp: p.MapPublicIpOnLaunch }));
  const byTier = (prefix: string): unknown[] => subnets.filter((s) => s.id.startsWith(prefix)).map((s) => [s.cidr, s.az]);
  t.deepEqual(byTier("NetworkVpcpublic"), [["10.0.1.0/24", "us-east-1a"], ["10.0.2.0/24", "us-east-1b"]]);
  t.deepEqual(byTier("NetworkVpcprivateapp"), [["10.0.11.0/24", "us-east-1a"], ["10.0.12.0/24", "us-east-1b"]]);
  t.deepEqual(byTier("NetworkVpcdata"), [["10.0.21.0/24", "us-east-1a"], ["10.0.22.0/24", "us-east-1b"]]);
  t.is(subnets.length, 6);
  t.true(subnets.every((s) => s.publicIp === false), "no subnet hands out public IPs on launch");
});

test("VPC: one internet gateway, one NAT gateway by default, data subnets have no default route", (t) => {
  template.resourceCountIs("AWS::EC2::InternetGateway", 1);
  template.resourceCountIs("AWS::EC2::NatGateway", 1);
  const routes = ofType("AWS::EC2::Route").map(([id, p]) => ({ id, igw: "GatewayId" in p, nat: "NatGatewayId" in p, dest: p.DestinationCidrBlock }));
  t.deepEqual(routes.filter((r) => r.igw).map((r) => r.id.slice(0, 20)), ["NetworkVpcpublicSubn", "NetworkVpcpublicSubn"]);
  t.deepEqual(routes.filter((r) => r.nat).map((r) => r.id.slice(0, 24)), ["NetworkVpcprivateappSubn", "NetworkVpcprivateappSubn"]);
  t.false(routes.some((r) => r.id.startsWith("NetworkVpcdata")), "data tier is isolated");
  template.hasResourceProperties("AWS::EC2::FlowLog", { TrafficType: "ALL", LogDestinationType: "cloud-watch-logs" });
  template.hasResourceProperties("AWS::EC2::Subnet", { CidrBlock: "10.0.1.0/24", Tags: Match.arrayWith([{ Key: "kubernetes.io/role/elb", Value: "1" }]) });
  template.hasResourceProperties("AWS::EC2::Subnet", { CidrBlock: "10.0.11.0/24", Tags: Match.arrayWith([{ Key: "kubernetes.io/role/internal-elb", Value: "1" }]) });
});

test("security groups: exactly the tier-to-tier ingress rules, nothing else, no SSH", (t) => {
  const sg = (prefix: string): string => idOf(prefix, "AWS::EC2::SecurityGroup");
  const [alb, sys, gpu, db, redis] = ["SecurityGroupsAlb", "SecurityGroupsSystemNodes", "SecurityGroupsGpuNodes", "SecurityGroupsDatabase", "SecurityGroupsRedis"].map(sg);
  const rules: string[] = [];
  for (const [id, p] of ofType("AWS::EC2::SecurityGroup")) {
    for (const r of (p.SecurityGroupIngress as Json[] | undefined) ?? []) rules.push(`${id} <- ${String(r.CidrIp)}:${String(r.FromPort)}-${String(r.ToPort)}`);
  }
  for (const [, p] of ofType("AWS::EC2::SecurityGroupIngress")) {
    rules.push(`${getAtt(p.GroupId)} <- ${getAtt(p.SourceSecurityGroupId)}:${String(p.FromPort)}-${String(p.ToPort)}`);
  }
  t.deepEqual(rules.sort(), [
    `${alb} <- 0.0.0.0/0:443-443`,
    `${alb} <- 0.0.0.0/0:80-80`,
    `${db} <- ${gpu}:5432-5432`,
    `${db} <- ${sys}:5432-5432`,
    `${redis} <- ${gpu}:6379-6379`,
    `${redis} <- ${sys}:6379-6379`,
    `${sys} <- ${alb}:9090-9090`,
  ].sort());
  const egress = ofType("AWS::EC2::SecurityGroupEgress").map(([, p]) => `${getAtt(p.GroupId)} -> ${getAtt(p.DestinationSecurityGroupId)}:${String(p.FromPort)}`);
  t.deepEqual(egress, [`${alb} -> ${sys}:9090`], "the ALB only talks to the API port");
  for (const id of [db, redis]) {
    const out = (json.Resources[id ?? ""]?.Properties?.SecurityGroupEgress as Json[])[0];
    t.is(out?.CidrIp, "255.255.255.255/32", `${id ?? ""} has no real egress`);
  }
  t.false(str(json.Resources).includes('"FromPort":22,'), "no rule opens port 22");
  for (const [, lt] of ofType("AWS::EC2::LaunchTemplate")) t.false("KeyName" in (lt.LaunchTemplateData as Json), "no SSH key on nodes");
  for (const [, ng] of ofType("AWS::EKS::Nodegroup")) t.false("RemoteAccess" in ng, "no SSH remote access on node groups");
});

test("RDS PostgreSQL: data subnets, encrypted, Multi-AZ, protected, backed up, TLS-only, secret in Secrets Manager", (t) => {
  template.hasResourceProperties("AWS::RDS::DBInstance", {
    Engine: "postgres",
    DBInstanceClass: "db.t4g.medium",
    StorageEncrypted: true,
    MultiAZ: true,
    DeletionProtection: true,
    BackupRetentionPeriod: 7,
    EnableIAMDatabaseAuthentication: true,
    PubliclyAccessible: false,
    Port: "5432",
    DBName: "genpool",
    StorageType: "gp3",
    EnableCloudwatchLogsExports: ["postgresql", "upgrade"],
  });
  template.hasResourceProperties("AWS::RDS::DBParameterGroup", { Parameters: Match.objectLike({ "rds.force_ssl": "1" }) });
  const subnetGroup = ofType("AWS::RDS::DBSubnetGroup")[0]?.[1];
  t.deepEqual(str(subnetGroup?.SubnetIds), str([{ Ref: idOf("NetworkVpcdataSubnet1Subnet", "AWS::EC2::Subnet") }, { Ref: idOf("NetworkVpcdataSubnet2Subnet", "AWS::EC2::Subnet") }]));
  template.hasResourceProperties("AWS::SecretsManager::SecretTargetAttachment", { TargetType: "AWS::RDS::DBInstance" });
  const db = ofType("AWS::RDS::DBInstance")[0]?.[1];
  t.regex(str(db?.MasterUserPassword), /resolve:secretsmanager:/, "the password is a dynamic reference, not a literal");
});

test("ElastiCache Redis 7: primary + replica, failover, Multi-AZ, encrypted, AUTH from Secrets Manager, snapshots and windows, noeviction", (t) => {
  template.hasResourceProperties("AWS::ElastiCache::ReplicationGroup", {
    Engine: "redis",
    EngineVersion: Match.stringLikeRegexp("^7\\."),
    NumCacheClusters: 2,
    AutomaticFailoverEnabled: true,
    MultiAZEnabled: true,
    AtRestEncryptionEnabled: true,
    TransitEncryptionEnabled: true,
    SnapshotRetentionLimit: 5,
    SnapshotWindow: "03:00-05:00",
    PreferredMaintenanceWindow: "sun:05:00-sun:07:00",
    Port: 6379,
  });
  template.hasResourceProperties("AWS::ElastiCache::ParameterGroup", { CacheParameterGroupFamily: "redis7", Properties: { "maxmemory-policy": "noeviction" } });
  const rg = ofType("AWS::ElastiCache::ReplicationGroup")[0]?.[1];
  t.regex(str(rg?.AuthToken), /\{\{resolve:secretsmanager:/);
  t.true(str(rg?.AuthToken).includes(idOf("RedisAuthToken", "AWS::SecretsManager::Secret")));
  const subnets = ofType("AWS::ElastiCache::SubnetGroup")[0]?.[1];
  t.true(str(subnets?.SubnetIds).includes("NetworkVpcdataSubnet1"), "Redis lives in the data tier");
  t.false(str(subnets?.SubnetIds).includes("privateapp"));
});

test("S3 image bucket: versioned, encrypted, private, TLS-only, lifecycle, CORS, access logs", (t) => {
  const images = ofType("AWS::S3::Bucket").find(([, b]) => "CorsConfiguration" in b)?.[0] ?? "";
  const logs = idOf("ImagesAccessLogs", "AWS::S3::Bucket");
  const p = json.Resources[images]?.Properties ?? {};
  t.deepEqual(p.VersioningConfiguration, { Status: "Enabled" });
  t.deepEqual(p.BucketEncryption, { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] });
  t.deepEqual(p.PublicAccessBlockConfiguration, { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
  t.deepEqual(p.LoggingConfiguration, { DestinationBucketName: { Ref: logs }, LogFilePrefix: "images/" });
  const rules = (p.LifecycleConfiguration as { Rules: Json[] }).Rules;
  t.deepEqual(rules.find((r) => r.Prefix === "temp/"), { Id: "expire-temp", Prefix: "temp/", ExpirationInDays: 1, Status: "Enabled" });
  t.deepEqual(rules.find((r) => r.Prefix === "users/")?.Transitions, [{ StorageClass: "GLACIER_IR", TransitionInDays: 90 }]);
  t.is((rules.find((r) => r.Id === "expire-noncurrent")?.NoncurrentVersionExpiration as Json).NoncurrentDays, 30);
  t.deepEqual((p.CorsConfiguration as { CorsRules: Json[] }).CorsRules, [
    { AllowedHeaders: ["*"], AllowedMethods: ["GET", "PUT", "POST", "DELETE"], AllowedOrigins: ["*"], ExposedHeaders: ["ETag"], MaxAge: 3000 },
  ]);
  const policies = ofType("AWS::S3::BucketPolicy").filter(([, bp]) => str(bp.Bucket).includes(images));
  t.regex(str(policies), /"aws:SecureTransport":"false"/, "enforceSSL denies plain HTTP");
  t.is(str(p).includes("models/"), false, "models/ is a prefix workers read, not a lifecycle target");
  t.regex(str(json.Outputs[OutputKey.ModelsS3Uri]), /models\//);
});

test("EKS: Kubernetes 1.35, all control-plane logs, KMS secrets, public+private endpoint with allow-list, access via API", (t) => {
  const [, c] = ofType("AWS::EKS::Cluster")[0] ?? ["", {}];
  t.is(c.Version, "1.35");
  t.deepEqual(c.Logging, { ClusterLogging: { EnabledTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"].map((Type) => ({ Type })) } });
  t.deepEqual((c.EncryptionConfig as Json[])[0]?.Resources, ["secrets"]);
  t.is(getAtt((c.EncryptionConfig as Array<{ Provider: { KeyArn: unknown } }>)[0]?.Provider.KeyArn), idOf("EksSecretsKey", "AWS::KMS::Key"));
  t.like(c.ResourcesVpcConfig, { EndpointPrivateAccess: true, EndpointPublicAccess: true, PublicAccessCidrs: ["0.0.0.0/0"] });
  t.true(str((c.ResourcesVpcConfig as Json).SubnetIds).includes("NetworkVpcprivateapp"));
  t.false(str((c.ResourcesVpcConfig as Json).SubnetIds).includes("NetworkVpcpublic"), "control-plane ENIs stay in private subnets");
  t.is((c.AccessConfig as Json).AuthenticationMode, "API");
  template.hasResourceProperties("AWS::Logs::LogGroup", { LogGroupName: "/aws/eks/genpool/cluster", RetentionInDays: 90 });
});

test("EKS add-ons: vpc-cni with prefix delegation and network policy, coredns, kube-proxy, pod identity agent, metrics-server", (t) => {
  const addons = ofType("AWS::EKS::Addon").map(([, p]) => p.AddonName).sort();
  t.deepEqual(addons, ["coredns", "eks-pod-identity-agent", "kube-proxy", "metrics-server", "vpc-cni"]);
  const cni = ofType("AWS::EKS::Addon").find(([, p]) => p.AddonName === "vpc-cni")?.[1];
  t.deepEqual(JSON.parse(String(cni?.ConfigurationValues)), { enableNetworkPolicy: "true", env: { ENABLE_PREFIX_DELEGATION: "true", WARM_PREFIX_TARGET: "1" } });
});

test("pod addresses: the default maximums (28 nodes) may outgrow the two /24 app subnets, and synth says so", (t) => {
  const warnings = Annotations.fromStack(stack).findWarning("*", Match.stringLikeRegexp("private-app subnets")).map((w) => w.entry.data as string);
  t.deepEqual(warnings, [
    "The node groups may grow to 28 nodes (genpool-system 4, genpool-gpu-ondemand 4, genpool-gpu-spot 20), but with prefix delegation the private-app subnets (/24, /24) hold 6 to 14 nodes; pods on further nodes get no address. Widen network.appSubnetCidrs before the first deploy or lower the maxSize values (docs/CLUSTER.md, Room for pods). [ack: genpool:podAddressRoom]",
  ]);
});

test("creation order: nodes join after the VPC CNI is configured; CoreDNS and metrics-server wait for a node to run on", (t) => {
  const cni = idOf("EksVpcCni", "AWS::EKS::Addon");
  const proxy = idOf("EksKubeProxy", "AWS::EKS::Addon");
  for (const [id] of ofType("AWS::EKS::Nodegroup")) {
    t.true(json.Resources[id]?.DependsOn?.includes(cni), `${id} depends on vpc-cni`);
    t.true(json.Resources[id]?.DependsOn?.includes(proxy), `${id} depends on kube-proxy`);
  }
  const [, c] = ofType("AWS::EKS::Cluster")[0] ?? ["", {}];
  t.false(c.BootstrapSelfManagedAddons, "no self-managed copies to conflict with the managed add-ons");
  for (const name of ["vpc-cni", "coredns", "kube-proxy", "metrics-server"]) {
    t.is(ofType("AWS::EKS::Addon").find(([, p]) => p.AddonName === name)?.[1].ResolveConflicts, "OVERWRITE", name);
  }
  for (const addon of ["EksCoreDns", "EksMetricsServer"]) {
    t.true(json.Resources[idOf(addon, "AWS::EKS::Addon")]?.DependsOn?.includes(idOf("SystemNodesNodegroup", "AWS::EKS::Nodegroup")), `${addon} waits for the system nodes`);
  }
});

test("node groups: system on-demand in both AZs; GPU on-demand base and GPU spot with NVIDIA AMI, taint and label", (t) => {
  const groups = Object.fromEntries(ofType("AWS::EKS::Nodegroup").map(([, p]) => [String(p.NodegroupName), p]));
  t.deepEqual(Object.keys(groups).sort(), ["genpool-gpu-ondemand", "genpool-gpu-spot", "genpool-system"]);
  const sys = groups["genpool-system"] ?? {};
  t.like(sys, { CapacityType: "ON_DEMAND", AmiType: "AL2023_x86_64_STANDARD", InstanceTypes: ["m6i.large"], ScalingConfig: { MinSize: 2, MaxSize: 4, DesiredSize: 2 } });
  t.is((sys.Subnets as unknown[]).length, 2);
  t.false("Taints" in sys);
  const taint = [{ Key: GpuNode.taint.key, Value: GpuNode.taint.value, Effect: "NO_SCHEDULE" }];
  const labels = { [GpuNode.roleLabel]: "true" };
  t.like(groups["genpool-gpu-ondemand"] ?? {}, { CapacityType: "ON_DEMAND", AmiType: "AL2023_x86_64_NVIDIA", InstanceTypes: ["g5.xlarge"], ScalingConfig: { MinSize: 1, MaxSize: 4, DesiredSize: 1 } });
  t.like(groups["genpool-gpu-spot"] ?? {}, { CapacityType: "SPOT", AmiType: "AL2023_x86_64_NVIDIA", InstanceTypes: ["g5.xlarge", "g4dn.2xlarge"], ScalingConfig: { MinSize: 0, MaxSize: 20, DesiredSize: 0 } });
  for (const name of ["genpool-gpu-ondemand", "genpool-gpu-spot"]) {
    t.deepEqual(groups[name]?.Taints, taint);
    t.deepEqual(groups[name]?.Labels, labels);
  }
  for (const g of Object.values(groups)) t.false("DiskSize" in g, "disk comes from the launch template");
});

test("launch templates: encrypted gp3 root (200 GiB on GPU nodes), IMDSv2 required with hop limit 2, cluster + tier security groups", (t) => {
  const byGroup = Object.fromEntries(ofType("AWS::EC2::LaunchTemplate").map(([id, p]) => [id.replace(/LaunchTemplate.*/, ""), p.LaunchTemplateData as Json]));
  t.deepEqual(Object.keys(byGroup).sort(), ["GpuOnDemand", "GpuSpot", "SystemNodes"]);
  for (const [group, data] of Object.entries(byGroup)) {
    const size = group === "SystemNodes" ? 50 : 200;
    t.deepEqual(data.BlockDeviceMappings, [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: size, VolumeType: "gp3", Encrypted: true, DeleteOnTermination: true } }]);
    t.deepEqual(data.MetadataOptions, { HttpTokens: "required", HttpPutResponseHopLimit: 2, HttpEndpoint: "enabled" });
    const sgs = str(data.SecurityGroupIds);
    t.true(sgs.includes("ClusterSecurityGroupId"), `${group} keeps the EKS cluster security group`);
    t.true(sgs.includes(group === "SystemNodes" ? "SecurityGroupsSystemNodes" : "SecurityGroupsGpuNodes"));
  }
});

test("node role: EKS worker policies plus SSM Session Manager, no SSH", (t) => {
  const role = json.Resources[idOf("NodeRole", "AWS::IAM::Role")]?.Properties ?? {};
  const names = str(role.ManagedPolicyArns).match(/policy\/[A-Za-z0-9_]+/g)?.sort();
  t.deepEqual(names, ["policy/AmazonEC2ContainerRegistryPullOnly", "policy/AmazonEKSWorkerNodePolicy", "policy/AmazonEKS_CNI_Policy", "policy/AmazonSSMManagedInstanceCore"]);
});

function inlineStatements(rolePrefix: string): Json[] {
  const role = json.Resources[idOf(rolePrefix, "AWS::IAM::Role")]?.Properties ?? {};
  return (role.Policies as Array<{ PolicyDocument: { Statement: Json[] } }>).flatMap((p) => p.PolicyDocument.Statement);
}

test("pod identities: one association per workload from contract.ts plus the load balancer controller", (t) => {
  const assoc = ofType("AWS::EKS::PodIdentityAssociation").map(([, p]) => `${String(p.Namespace)}/${String(p.ServiceAccount)}`).sort();
  const expected = [...Object.values(Workload).map((w) => `${w.namespace}/${w.serviceAccount}`), "kube-system/aws-load-balancer-controller"].sort();
  t.deepEqual(assoc, expected);
  for (const prefix of ["EksOperatorRole", "EksApiRole", "EksWorkerRole", "EksAlbControllerRole"]) {
    const trust = json.Resources[idOf(prefix, "AWS::IAM::Role")]?.Properties?.AssumeRolePolicyDocument;
    t.regex(str(trust), /pods\.eks\.amazonaws\.com/);
    t.regex(str(trust), /sts:TagSession/);
  }
});

test("operator policy: resizes only the two GPU node groups by ARN; EC2 describes need Resource *", (t) => {
  const statements = inlineStatements("EksOperatorRole");
  const eksStmt = statements.find((s) => s.Sid === "ResizeGpuNodegroups");
  t.deepEqual(eksStmt?.Action, ["eks:DescribeNodegroup", "eks:UpdateNodegroupConfig"]);
  const resources = str(eksStmt?.Resource);
  t.true(resources.includes(":nodegroup/genpool/genpool-gpu-ondemand/*"));
  t.true(resources.includes(":nodegroup/genpool/genpool-gpu-spot/*"));
  t.false(resources.includes("genpool-system"), "the system group is not the operator's to resize");
  t.is((eksStmt?.Resource as unknown[]).length, 2);
  t.deepEqual(statements.find((s) => s.Sid === "DescribeCapacity"), {
    Sid: "DescribeCapacity",
    Effect: "Allow",
    Action: ["ec2:DescribeInstanceTypes", "ec2:DescribeInstances", "ec2:DescribeSpotPriceHistory"],
    Resource: "*",
  });
  t.deepEqual(statements.map((s) => s.Sid), ["ResizeGpuNodegroups", "ExactScaleIn", "DescribeCapacity", "ReadOwnSecrets"]);
});

test("operator policy: exact scale-in through Auto Scaling only in groups EKS tagged as this cluster's GPU node groups", (t) => {
  const scaleIn = inlineStatements("EksOperatorRole").find((s) => s.Sid === "ExactScaleIn");
  t.deepEqual(scaleIn, {
    Sid: "ExactScaleIn",
    Effect: "Allow",
    // The calls of operator/aws/auto-scaling.ts; it makes no Auto Scaling Describe call.
    Action: ["autoscaling:SetInstanceProtection", "autoscaling:TerminateInstanceInAutoScalingGroup"],
    Resource: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/*"]] },
    Condition: {
      StringEquals: {
        "autoscaling:ResourceTag/eks:cluster-name": "genpool",
        "autoscaling:ResourceTag/eks:nodegroup-name": ["genpool-gpu-ondemand", "genpool-gpu-spot"],
      },
    },
  });
  const allActions = inlineStatements("EksOperatorRole").flatMap((s) => [s.Action].flat() as string[]);
  t.deepEqual(allActions.filter((a) => a.startsWith("autoscaling:")), ["autoscaling:SetInstanceProtection", "autoscaling:TerminateInstanceInAutoScalingGroup"]);
});

test("no pod role has a wildcard action", (t) => {
  const podRoles = ofType("AWS::IAM::Role").filter(([, p]) => str(p.AssumeRolePolicyDocument).includes("pods.eks.amazonaws.com"));
  t.deepEqual(podRoles.map(([id]) => id.replace(/[0-9A-F]{8}$/, "")).sort(), ["EksAlbControllerRole", "EksApiRole", "EksOperatorRole", "EksWorkerRole"]);
  for (const [id] of podRoles) {
    const actions = inlineStatements(id).flatMap((s) => [s.Action].flat() as string[]);
    t.true(actions.length > 0, id);
    t.deepEqual(actions.filter((a) => a.includes("*")), [], `${id} names every action`);
  }
});

test("API and worker policies: least privilege on the image bucket prefixes and their secrets", (t) => {
  const api = inlineStatements("EksApiRole");
  t.deepEqual(api.map((s) => [s.Sid, s.Action]), [
    ["UserImages", ["s3:GetObject", "s3:DeleteObject"]],
    ["ReadOwnSecrets", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]],
  ]);
  t.regex(str(api[0]?.Resource), /\/users\/\*"/);
  const worker = inlineStatements("EksWorkerRole");
  t.deepEqual(worker.map((s) => [s.Sid, s.Action]), [
    ["WriteUserImages", "s3:PutObject"],
    ["ReadModels", "s3:GetObject"],
    ["ListModels", "s3:ListBucket"],
    ["ReadOwnSecrets", ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]],
  ]);
  t.regex(str(worker[0]?.Resource), /\/users\/\*"/);
  t.regex(str(worker[1]?.Resource), /\/models\/\*"/);
  t.deepEqual(worker[2]?.Condition, { StringLike: { "s3:prefix": ["models/*"] } });
  for (const s of [...api, ...worker].filter((x) => x.Sid === "ReadOwnSecrets")) t.is((s.Resource as unknown[]).length, 2);
});

test("ECR: api, worker and operator repositories, scan on push, immutable tags", (t) => {
  const repos = ofType("AWS::ECR::Repository").map(([, p]) => p);
  t.deepEqual(repos.map((r) => r.RepositoryName).sort(), ["genpool/api", "genpool/operator", "genpool/worker"]);
  for (const r of repos) t.like(r, { ImageScanningConfiguration: { ScanOnPush: true }, ImageTagMutability: "IMMUTABLE", EncryptionConfiguration: { EncryptionType: "KMS" } });
});

test("log groups: every one has a retention and the logs KMS key", (t) => {
  const groups = ofType("AWS::Logs::LogGroup");
  t.true(groups.length >= 6);
  const key = idOf("LogsKey", "AWS::KMS::Key");
  for (const [id, p] of groups) {
    t.true(typeof p.RetentionInDays === "number", `${id} has a retention`);
    t.is(getAtt(p.KmsKeyId), key, `${id} is encrypted with the logs key`);
  }
});

test("outputs: exactly the keys of contract.ts", (t) => {
  t.deepEqual(Object.keys(json.Outputs).sort(), Object.values(OutputKey).sort());
  // The bare node group name the operator passes to eks:UpdateNodegroupConfig (Ref would be "cluster/name").
  t.is(json.Outputs[OutputKey.GpuSpotNodegroupName]?.Value, "genpool-gpu-spot");
  t.is(json.Outputs[OutputKey.GpuOnDemandNodegroupName]?.Value, "genpool-gpu-ondemand");
  t.is(json.Outputs[OutputKey.AlbSourceCidrs]?.Value, "0.0.0.0/0");
});

test("checkov skips sit on their resources with a reason, and only there", (t) => {
  const skipped = Object.entries(json.Resources).flatMap(([id, r]) =>
    ((r.Metadata?.checkov as { skip?: Array<{ id: string; comment: string }> } | undefined)?.skip ?? []).map((s) => ({ id, check: s.id, comment: s.comment })),
  );
  t.is(skipped.length, checkovSkips.length);
  for (const s of skipped) t.true(s.comment.length >= 60, `${s.id} ${s.check} says why`);
  t.deepEqual(skipped.map((s) => s.check).sort(), [
    "CKV_AWS_111",
    "CKV_AWS_115",
    "CKV_AWS_115",
    "CKV_AWS_116",
    "CKV_AWS_116",
    "CKV_AWS_149",
    "CKV_AWS_149",
    "CKV_AWS_173",
    "CKV_AWS_173",
    "CKV_AWS_18",
    "CKV_AWS_260",
  ]);
  const lambdaSkips = skipped.filter((s) => ["CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_173"].includes(s.check));
  t.true(lambdaSkips.every((s) => json.Resources[s.id]?.Type === "AWS::Lambda::Function" && s.id.startsWith("EksClusterKubectlProvider")), "only the kubectl provider's functions");
});
