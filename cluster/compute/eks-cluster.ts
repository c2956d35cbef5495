import { KubectlV35Layer } from "@aws-cdk/lambda-layer-kubectl-v35";
import { RemovalPolicy } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as eks from "aws-cdk-lib/aws-eks-v2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { parseCidr } from "../network/cidr.ts";
import { toRetention } from "../network/vpc.ts";
import { InvalidPropError, requireIntInRange, requireOneOf, withDefaults } from "../validate.ts";
import { AlbControllerWorkload, albControllerPolicy, installAlbController } from "./alb-controller.ts";
import { kubectlProviderLogs } from "./kubectl-handler.ts";

/** Kubernetes versions this construct accepts (EKS standard support, aws-cdk-lib 2.276). */
export const SUPPORTED_KUBERNETES_VERSIONS = ["1.33", "1.34", "1.35", "1.36"] as const;

/** Properties of {@link GenpoolEksCluster}. */
export interface GenpoolEksClusterProps {
  readonly vpc: ec2.IVpc;
  /** Subnets for the control-plane ENIs and the nodes (the private-app tier). */
  readonly subnets: ec2.SubnetSelection;
  /** @default "genpool" */
  readonly clusterName?: string;
  /** @default "1.35" */
  readonly kubernetesVersion?: string;
  /** Expose the API server endpoint on the internet (the private endpoint is always on). @default true */
  readonly endpointPublicAccess?: boolean;
  /** CIDRs allowed on the public endpoint; only with endpointPublicAccess. @default ["0.0.0.0/0"] */
  readonly endpointPublicAccessCidrs?: readonly string[];
  /**
   * IAM role or user ARNs granted cluster-admin through EKS access entries.
   * @default none: the principal that deploys the stack becomes the bootstrap admin
   */
  readonly adminPrincipalArns?: readonly string[];
  /** Retention of the control-plane log group and the kubectl provider's log groups, in days. @default 90 */
  readonly controlPlaneLogRetentionDays?: number;
  /** VPC CNI prefix delegation: each ENI slot carries a /28 of pod IPs instead of one IP. @default true */
  readonly prefixDelegation?: boolean;
}

const NAME = "GenpoolEksCluster";
const DEFAULTS = {
  clusterName: "genpool",
  kubernetesVersion: "1.35",
  endpointPublicAccess: true,
  adminPrincipalArns: [] as readonly string[],
  controlPlaneLogRetentionDays: 90,
  prefixDelegation: true,
};
/** Spare /28 prefixes the VPC CNI keeps on each node beyond the ones its pods use. */
const WARM_PREFIX_TARGET = 1;
const ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;

/**
 * EKS control plane (aws-eks-v2, native CloudFormation): all control-plane logs, secrets
 * envelope-encrypted with a KMS key, configurable endpoint access, access entries, the four
 * core add-ons plus metrics-server, and the AWS Load Balancer Controller (pinned Helm chart
 * installed by the kubectl provider, on a Pod Identity role).
 */
export class GenpoolEksCluster extends Construct {
  readonly cluster: eks.Cluster;
  readonly clusterName: string;
  readonly secretsKey: kms.Key;
  readonly albControllerRole: iam.Role;
  /**
   * The controller's Helm release. Like CoreDNS it is a Deployment (and `wait` is on): it
   * depends on the system node group and on CoreDNS.
   */
  readonly albController: eks.HelmChart;
  /** Node groups depend on it, so nodes join with prefix delegation already configured. */
  readonly vpcCni: eks.Addon;
  /** Node groups depend on it: without kube-proxy, Service traffic from new nodes fails. */
  readonly kubeProxy: eks.Addon;
  /** Depends on the system node group: a CoreDNS Deployment with no node to run on never turns ACTIVE. */
  readonly coreDns: eks.Addon;
  /**
   * Resource metrics for the API's HorizontalPodAutoscaler (the EKS community add-on). Like CoreDNS
   * it is a Deployment: it depends on the system node group.
   */
  readonly metricsServer: eks.Addon;
  /** /28 prefixes a node holds with prefix delegation (the one in use plus WARM_PREFIX_TARGET); 0 when it is off. */
  readonly prefixesPerNode: number;

  constructor(scope: Construct, id: string, props: GenpoolEksClusterProps) {
    super(scope, id);
    const p = withDefaults(DEFAULTS, props);
    this.clusterName = p.clusterName;
    const version = p.kubernetesVersion;
    const publicAccess = p.endpointPublicAccess;
    const admins = p.adminPrincipalArns;
    const logDays = p.controlPlaneLogRetentionDays;
    validate(this.clusterName, version, { publicAccess, cidrs: props.endpointPublicAccessCidrs, admins });
    requireIntInRange(NAME, "controlPlaneLogRetentionDays", logDays, [1, 3653]);

    this.secretsKey = new kms.Key(this, "SecretsKey", { description: "Genpool EKS secrets envelope encryption", enableKeyRotation: true, removalPolicy: RemovalPolicy.RETAIN });
    // EKS writes here once logging is on; creating it first gives it a retention.
    const controlPlaneLogs = new logs.LogGroup(this, "ControlPlaneLogs", {
      logGroupName: `/aws/eks/${this.clusterName}/cluster`,
      retention: toRetention(logDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cidrs = props.endpointPublicAccessCidrs ?? ["0.0.0.0/0"];
    this.cluster = new eks.Cluster(this, "Cluster", {
      clusterName: this.clusterName,
      version: eks.KubernetesVersion.of(version),
      vpc: props.vpc,
      vpcSubnets: [props.subnets],
      endpointAccess: publicAccess ? eks.EndpointAccess.PUBLIC_AND_PRIVATE.onlyFrom(...cidrs) : eks.EndpointAccess.PRIVATE,
      secretsEncryptionKey: this.secretsKey,
      clusterLogging: [
        eks.ClusterLoggingTypes.API,
        eks.ClusterLoggingTypes.AUDIT,
        eks.ClusterLoggingTypes.AUTHENTICATOR,
        eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
        eks.ClusterLoggingTypes.SCHEDULER,
      ],
      defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
      defaultCapacity: 0,
      bootstrapClusterCreatorAdminPermissions: admins.length === 0,
      // The managed add-ons below install vpc-cni, coredns and kube-proxy; self-managed copies
      // installed at creation would conflict with them.
      bootstrapSelfManagedAddons: false,
      outputConfigCommand: false,
      // kubectl/helm handler for the controller chart. With the private endpoint on, aws-eks-v2
      // runs it in the cluster's private subnets with the cluster security group, so it reaches
      // the API server even when the public endpoint is restricted or off.
      // The layer ships kubectl 1.35 and Helm 4.1; Helm, which installs the chart, supports
      // Kubernetes 1.32-1.35 (1.36 is one minor newer, inside kubectl's skew).
      kubectlProviderOptions: { kubectlLayer: new KubectlV35Layer(this, "KubectlLayer") },
    });
    this.cluster.node.addDependency(controlPlaneLogs);
    kubectlProviderLogs(this.cluster, this.clusterName, logDays);
    admins.forEach((arn, i) => this.cluster.grantClusterAdmin(`Admin${i}`, arn));
    const prefixDelegation = p.prefixDelegation;
    this.vpcCni = new eks.Addon(this, "VpcCni", {
      cluster: this.cluster,
      addonName: "vpc-cni",
      configurationValues: {
        // Network policy enforcement lets charts-src/ NetworkPolicies narrow pod-to-pod traffic.
        enableNetworkPolicy: "true",
        env: prefixDelegation ? { ENABLE_PREFIX_DELEGATION: "true", WARM_PREFIX_TARGET: String(WARM_PREFIX_TARGET) } : {},
      },
    });
    this.prefixesPerNode = prefixDelegation ? 1 + WARM_PREFIX_TARGET : 0;
    this.coreDns = new eks.Addon(this, "CoreDns", { cluster: this.cluster, addonName: "coredns" });
    this.kubeProxy = new eks.Addon(this, "KubeProxy", { cluster: this.cluster, addonName: "kube-proxy" });
    this.metricsServer = new eks.Addon(this, "MetricsServer", { cluster: this.cluster, addonName: "metrics-server" });
    // Later deploys win over hand edits of the add-on configuration instead of failing.
    for (const addon of [this.vpcCni, this.coreDns, this.kubeProxy, this.metricsServer]) (addon.node.defaultChild as eks.CfnAddon).resolveConflicts = "OVERWRITE";
    const alb = this.podIdentity("AlbController", AlbControllerWorkload, albControllerPolicy());
    this.albControllerRole = alb.role;
    this.albController = installAlbController(this.cluster, alb.association);
    this.albController.node.addDependency(this.coreDns);
  }

  /** A role that pods of one ServiceAccount assume through EKS Pod Identity. */
  podIdentityRole(id: string, workload: { namespace: string; serviceAccount: string }, policy: iam.PolicyDocument): iam.Role {
    return this.podIdentity(id, workload, policy).role;
  }

  private podIdentity(
    id: string,
    workload: { namespace: string; serviceAccount: string },
    policy: iam.PolicyDocument,
  ): { role: iam.Role; association: eks.CfnPodIdentityAssociation } {
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal("pods.eks.amazonaws.com"),
      description: `Genpool pod identity ${workload.namespace}/${workload.serviceAccount}`,
      inlinePolicies: { access: policy },
    });
    role.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({ principals: [new iam.ServicePrincipal("pods.eks.amazonaws.com")], actions: ["sts:TagSession"] }),
    );
    const association = new eks.CfnPodIdentityAssociation(this, `${id}PodIdentity`, {
      clusterName: this.cluster.clusterName,
      namespace: workload.namespace,
      serviceAccount: workload.serviceAccount,
      roleArn: role.roleArn,
    });
    // The agent add-on must run before pods can exchange their token for the role.
    association.node.addDependency(this.cluster.eksPodIdentityAgent ?? this.cluster);
    return { role, association };
  }
}

function validate(
  name: string,
  version: string,
  { publicAccess, cidrs, admins }: { publicAccess: boolean; cidrs: readonly string[] | undefined; admins: readonly string[] },
): void {
  if (!/^[a-zA-Z][a-zA-Z0-9-]{0,99}$/.test(name)) {
    throw new InvalidPropError(NAME, "clusterName", name, "1-100 letters, digits and hyphens, starting with a letter");
  }
  requireOneOf(NAME, "kubernetesVersion", version, SUPPORTED_KUBERNETES_VERSIONS);
  if (!publicAccess && cidrs !== undefined) {
    throw new InvalidPropError(NAME, "endpointPublicAccessCidrs", cidrs, "nothing when endpointPublicAccess is false (the endpoint is private only)");
  }
  for (const cidr of cidrs ?? []) {
    if (!parseCidr(cidr)) throw new InvalidPropError(NAME, "endpointPublicAccessCidrs", cidr, "IPv4 CIDRs such as 203.0.113.0/24");
  }
  for (const arn of admins) {
    if (!ARN.test(arn)) throw new InvalidPropError(NAME, "adminPrincipalArns", arn, "IAM role or user ARNs such as arn:aws:iam::123456789012:role/Admin");
  }
}
