import { Annotations, ArnFormat, Aspects, CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import * as eks from "aws-cdk-lib/aws-eks-v2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { GenpoolEksCluster, type GenpoolEksClusterProps } from "./compute/eks-cluster.ts";
import { GenpoolNodeGroup } from "./compute/node-group.ts";
import { applyCheckovSkips } from "./checkov-skips.ts";
import { GpuNode, OutputKey, Workload } from "./contract.ts";
import { GenpoolDatabase, type GenpoolDatabaseProps } from "./data/database.ts";
import { GenpoolImageBucket, ImagePrefix, type GenpoolImageBucketProps } from "./data/image-bucket.ts";
import { GenpoolRedis, REDIS_PORT, type GenpoolRedisProps } from "./data/redis.ts";
import { apiPolicy, operatorPolicy, workerPolicy, type PolicyTargets } from "./identity/workload-policies.ts";
import { EncryptLogGroups, logsKey } from "./log-encryption.ts";
import { parseCidr } from "./network/cidr.ts";
import { nodesInSubnets } from "./network/pod-room.ts";
import { GenpoolSecurityGroups } from "./network/security-groups.ts";
import { GenpoolVpc, SubnetGroup, toRetention, type GenpoolVpcProps } from "./network/vpc.ts";
import { GenpoolRepositories, type GenpoolRepositoriesProps } from "./registry/repositories.ts";
import { InvalidPropError, requireIntInRange, requireOneOf, withDefaults } from "./validate.ts";

/** Size and shape of one node group. */
export interface NodeGroupSettings {
  readonly instanceTypes?: readonly string[];
  readonly minSize?: number;
  readonly maxSize?: number;
  /** Encrypted gp3 root volume, GiB. */
  readonly rootVolumeGiB?: number;
  readonly nodegroupName?: string;
}

/** Properties of {@link GenpoolClusterStack}; every group is optional and defaults to the design. */
export interface GenpoolClusterStackProps extends StackProps {
  /** @default the three-tier plan of GenpoolVpc */
  readonly network?: GenpoolVpcProps;
  /** Port the API pods listen on; only the ALB reaches it. @default 9090 */
  readonly apiPort?: number;
  /** Client CIDRs allowed to reach the ALB. @default ["0.0.0.0/0"] */
  readonly albSourceCidrs?: readonly string[];
  /** "HTTPS" (443, with 80 redirecting) needs certificateArn or domainName; "HTTP" opens 80 only. @default "HTTPS" */
  readonly albProtocol?: "HTTPS" | "HTTP";
  /** An existing ACM certificate for the ALB. @default none: issued for domainName */
  readonly certificateArn?: string;
  /** Domain to issue a DNS-validated ACM certificate for, when no certificateArn is given. @default none */
  readonly domainName?: string;
  /** @default GenpoolEksCluster defaults (cluster "genpool", Kubernetes 1.35) */
  readonly eks?: Omit<GenpoolEksClusterProps, "vpc" | "subnets">;
  /** System nodes for the API and the operator. @default m6i.large, 2–4 nodes, 50 GiB */
  readonly systemNodes?: NodeGroupSettings;
  /** On-demand GPU base capacity. @default g5.xlarge, 1–4 nodes, 200 GiB */
  readonly gpuOnDemand?: NodeGroupSettings;
  /** Spot GPU capacity, scaled by the operator. @default g5.xlarge + g4dn.2xlarge, 0–20 nodes, 200 GiB */
  readonly gpuSpot?: NodeGroupSettings;
  /** @default GenpoolDatabase defaults */
  readonly database?: Omit<GenpoolDatabaseProps, "vpc" | "subnets" | "securityGroup">;
  /** @default GenpoolRedis defaults */
  readonly redis?: Omit<GenpoolRedisProps, "subnets" | "securityGroup">;
  /** @default GenpoolImageBucket defaults */
  readonly images?: GenpoolImageBucketProps;
  /** @default GenpoolRepositories defaults */
  readonly repositories?: GenpoolRepositoriesProps;
  /** Retention of the container log group, in days. @default 30 */
  readonly applicationLogRetentionDays?: number;
}

const NAME = "GenpoolClusterStack";
/**
 * Addresses per private-app subnet that are neither node primaries nor pod prefixes: the EKS
 * control-plane ENIs (two to four over the cluster's subnets) and the kubectl provider's Lambda ENI.
 */
const OTHER_APP_SUBNET_ADDRESSES = 3;

/** Everything the three-tier design asks for on AWS, with the outputs charts-src/ reads. */
export class GenpoolClusterStack extends Stack {
  constructor(scope: Construct, id: string, props: GenpoolClusterStackProps = {}) {
    super(scope, id, props);
    const protocol = props.albProtocol ?? "HTTPS";
    const logDays = props.applicationLogRetentionDays ?? 30;
    requireOneOf(NAME, "albProtocol", protocol, ["HTTPS", "HTTP"] as const);
    requireIntInRange(NAME, "applicationLogRetentionDays", logDays, [1, 3653]);
    const certificateArn = this.certificate(protocol, props.certificateArn, props.domainName);

    const network = new GenpoolVpc(this, "Network", props.network);
    const vpc = network.vpc;
    const appSubnets: ec2.SubnetSelection = { subnetGroupName: SubnetGroup.app };
    const dataSubnets: ec2.SubnetSelection = { subnetGroupName: SubnetGroup.data };
    const sg = new GenpoolSecurityGroups(this, "SecurityGroups", {
      vpc,
      albSourceCidrs: props.albSourceCidrs,
      albListenerPorts: protocol === "HTTPS" ? [443, 80] : [80],
      apiPort: props.apiPort,
      redisPort: REDIS_PORT,
    });

    const images = new GenpoolImageBucket(this, "Images", props.images);
    const db = new GenpoolDatabase(this, "Database", { ...props.database, vpc, subnets: dataSubnets, securityGroup: sg.database });
    const redis = new GenpoolRedis(this, "Redis", { ...props.redis, subnets: vpc.selectSubnets(dataSubnets).subnets, securityGroup: sg.redis });
    const repos = new GenpoolRepositories(this, "Repositories", props.repositories);
    const eksc = new GenpoolEksCluster(this, "Eks", { ...props.eks, vpc, subnets: appSubnets });
    const clusterName = eksc.clusterName;
    new logs.LogGroup(this, "ContainerLogs", { logGroupName: `/genpool/${clusterName}/containers`, retention: toRetention(logDays) });

    const { system, onDemand, spot } = this.addNodeGroups(eksc, sg, props);
    this.checkPodAddressRoom(network, eksc, [system, onDemand, spot]);

    const dbSecret = db.instance.secret;
    if (!dbSecret) throw new Error("GenpoolDatabase always generates its secret");
    const nodegroupArn = (name: string): string =>
      this.formatArn({ service: "eks", resource: "nodegroup", resourceName: `${clusterName}/${name}/*` });
    const targets: PolicyTargets = {
      bucketArn: images.bucket.bucketArn,
      gpuNodegroupArns: [onDemand, spot].map((g) => nodegroupArn(g.nodegroupName)),
      clusterName,
      gpuNodegroupNames: [onDemand, spot].map((g) => g.nodegroupName),
      autoScalingGroupsArn: this.formatArn({
        service: "autoscaling",
        resource: "autoScalingGroup",
        resourceName: "*:autoScalingGroupName/*",
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
      dbSecretArn: dbSecret.secretArn,
      redisSecretArn: redis.authSecret.secretArn,
    };
    const operatorRole = eksc.podIdentityRole("Operator", Workload.operator, operatorPolicy(targets));
    const apiRole = eksc.podIdentityRole("Api", Workload.api, apiPolicy(targets));
    const workerRole = eksc.podIdentityRole("Worker", Workload.worker, workerPolicy(targets));

    const out: Record<OutputKey, string> = {
      [OutputKey.Region]: this.region,
      [OutputKey.ClusterName]: eksc.cluster.clusterName,
      [OutputKey.VpcId]: vpc.vpcId,
      [OutputKey.ImageBucketName]: images.bucket.bucketName,
      [OutputKey.ModelsS3Uri]: images.bucket.s3UrlForObject(ImagePrefix.models),
      [OutputKey.DbEndpoint]: db.instance.dbInstanceEndpointAddress,
      [OutputKey.DbPort]: db.instance.dbInstanceEndpointPort,
      [OutputKey.DbName]: db.databaseName,
      [OutputKey.DbSecretArn]: dbSecret.secretArn,
      [OutputKey.RedisEndpoint]: redis.replicationGroup.attrPrimaryEndPointAddress,
      [OutputKey.RedisPort]: redis.replicationGroup.attrPrimaryEndPointPort,
      [OutputKey.RedisAuthSecretArn]: redis.authSecret.secretArn,
      [OutputKey.CertificateArn]: certificateArn,
      [OutputKey.AlbSourceCidrs]: sg.albSourceCidrs.join(","),
      [OutputKey.AlbSecurityGroupId]: sg.alb.securityGroupId,
      [OutputKey.GpuOnDemandNodegroupName]: onDemand.nodegroupName,
      [OutputKey.GpuSpotNodegroupName]: spot.nodegroupName,
      [OutputKey.OperatorRoleArn]: operatorRole.roleArn,
      [OutputKey.ApiRoleArn]: apiRole.roleArn,
      [OutputKey.WorkerRoleArn]: workerRole.roleArn,
      [OutputKey.ApiRepositoryUri]: repos.api.repositoryUri,
      [OutputKey.WorkerRepositoryUri]: repos.worker.repositoryUri,
      [OutputKey.OperatorRepositoryUri]: repos.operator.repositoryUri,
    };
    for (const [key, value] of Object.entries(out)) new CfnOutput(this, key, { value });
    Aspects.of(this).add(new EncryptLogGroups(logsKey(this)));
    applyCheckovSkips(this);
  }

  /** The system group and the two GPU groups the operator resizes. */
  private addNodeGroups(
    eksc: GenpoolEksCluster,
    sg: GenpoolSecurityGroups,
    props: GenpoolClusterStackProps,
  ): { system: GenpoolNodeGroup; onDemand: GenpoolNodeGroup; spot: GenpoolNodeGroup } {
    const clusterName = eksc.clusterName;
    const nodeRole = new iam.Role(this, "NodeRole", {
      assumedBy: new iam.ServicePrincipal("ec2.amazonaws.com"),
      description: "Genpool EKS nodes; SSM Session Manager replaces SSH",
      managedPolicies: ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"].map((n) =>
        iam.ManagedPolicy.fromAwsManagedPolicyName(n),
      ),
    });
    const common = { cluster: eksc.cluster, nodeRole, subnets: { subnetGroupName: SubnetGroup.app } };
    const sys = withDefaults({ nodegroupName: `${clusterName}-system`, instanceTypes: ["m6i.large"] as readonly string[], minSize: 2, maxSize: 4, rootVolumeGiB: 50 }, props.systemNodes ?? {});
    const system = new GenpoolNodeGroup(this, "SystemNodes", {
      ...common,
      ...sys,
      securityGroups: [sg.systemNodes],
      capacityType: eks.CapacityType.ON_DEMAND,
      amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
    });
    const gpu = (id: string, capacityType: eks.CapacityType, settings: Required<NodeGroupSettings>): GenpoolNodeGroup =>
      new GenpoolNodeGroup(this, id, {
        ...common,
        ...settings,
        securityGroups: [sg.gpuNodes],
        capacityType,
        amiType: eks.NodegroupAmiType.AL2023_X86_64_NVIDIA,
        gpu: true,
        labels: { [GpuNode.roleLabel]: "true" },
        taints: [{ key: GpuNode.taint.key, value: GpuNode.taint.value, effect: eks.TaintEffect.NO_SCHEDULE }],
      });
    const onDemand = gpu(
      "GpuOnDemand",
      eks.CapacityType.ON_DEMAND,
      withDefaults({ nodegroupName: `${clusterName}-gpu-ondemand`, instanceTypes: ["g5.xlarge"] as readonly string[], minSize: 1, maxSize: 4, rootVolumeGiB: 200 }, props.gpuOnDemand ?? {}),
    );
    const spot = gpu(
      "GpuSpot",
      eks.CapacityType.SPOT,
      withDefaults({ nodegroupName: `${clusterName}-gpu-spot`, instanceTypes: ["g5.xlarge", "g4dn.2xlarge"] as readonly string[], minSize: 0, maxSize: 20, rootVolumeGiB: 200 }, props.gpuSpot ?? {}),
    );
    for (const g of [system, onDemand, spot]) g.nodegroup.node.addDependency(eksc.vpcCni, eksc.kubeProxy);
    eksc.coreDns.node.addDependency(system.nodegroup);
    eksc.metricsServer.node.addDependency(system.nodegroup);
    eksc.albController.node.addDependency(system.nodegroup);
    return { system, onDemand, spot };
  }

  /**
   * Warns at synth when the node groups' maximums may not fit the pod addresses of the
   * private-app subnets (docs/CLUSTER.md, "Room for pods"). Checked with prefix delegation only:
   * without it the need depends on each instance type's ENI limits.
   */
  private checkPodAddressRoom(network: GenpoolVpc, eksc: GenpoolEksCluster, groups: readonly GenpoolNodeGroup[]): void {
    if (eksc.prefixesPerNode === 0) return;
    const lengths = network.vpc.selectSubnets({ subnetGroupName: SubnetGroup.app }).subnets.map((s) => parseCidr(s.ipv4CidrBlock)?.prefix);
    if (lengths.some((l) => l === undefined)) return;
    const room = nodesInSubnets(lengths as number[], { prefixesPerNode: eksc.prefixesPerNode, otherAddresses: OTHER_APP_SUBNET_ADDRESSES });
    const maxNodes = groups.reduce((sum, g) => sum + g.maxSize, 0);
    if (maxNodes <= room.worst) return;
    Annotations.of(this).addWarningV2(
      "genpool:podAddressRoom",
      `The node groups may grow to ${maxNodes} nodes (${groups.map((g) => `${g.nodegroupName} ${g.maxSize}`).join(", ")}), but with prefix delegation ` +
        `the private-app subnets (/${lengths.join(", /")}) hold ${room.worst} to ${room.best} nodes; pods on further nodes get no address. ` +
        "Widen network.appSubnetCidrs before the first deploy or lower the maxSize values (docs/CLUSTER.md, Room for pods).",
    );
  }

  /** The ALB certificate ARN, "none" for plain HTTP. */
  private certificate(protocol: "HTTPS" | "HTTP", arn: string | undefined, domainName: string | undefined): string {
    if (protocol === "HTTP") return "none";
    if (arn !== undefined) {
      if (!/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/.test(arn)) {
        throw new InvalidPropError(NAME, "certificateArn", arn, "an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/<uuid>");
      }
      return arn;
    }
    if (domainName === undefined) {
      throw new InvalidPropError(NAME, "certificateArn", arn, 'an ACM certificate ARN, or a domainName to issue one for, when albProtocol is "HTTPS"');
    }
    if (!/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)) {
      throw new InvalidPropError(NAME, "domainName", domainName, "a DNS name such as genpool.example.com");
    }
    return new acm.Certificate(this, "Certificate", { domainName, validation: acm.CertificateValidation.fromDns() }).certificateArn;
  }
}

