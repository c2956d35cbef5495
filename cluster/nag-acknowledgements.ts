import { CfnCondition, CfnResource, Validations, type Stack } from "aws-cdk-lib";
import { KubectlFunctions } from "./compute/kubectl-handler.ts";
import { at } from "./construct-path.ts";

/** One deliberate finding: the construct it sits on (path below the stack), the rule, and why. */
export interface NagAcknowledgement {
  readonly path: string;
  readonly id: string;
  readonly reason: string;
}

const NODE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly", "AmazonSSMManagedInstanceCore"];
const awsPolicy = (name: string): string => `AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${name}]`;
const SECRET_ROTATION =
  "Rotating this secret would invalidate the copy charts-src/ places in a Kubernetes Secret for running pods; rotation is a runbook step (docs/CLUSTER.md) until pods read it through the CSI driver.";

const KUBECTL_HANDLER = `Eks/Cluster/${KubectlFunctions.handler}`;
const KUBECTL_ON_EVENT = `Eks/Cluster/${KubectlFunctions.onEvent}`;
const LAMBDA_POLICY_REASON =
  "aws-eks-v2's kubectl provider attaches this AWS-maintained Lambda execution policy (CloudWatch Logs; ENI management for a function in the VPC); the function only runs during deploys to install the pinned load balancer controller chart.";
const ECR_READ_REASON =
  "aws-eks-v2 attaches ECR read-only to the kubectl provider so Helm can pull OCI charts from ECR; read-only, and the role is already cluster-admin inside Kubernetes, which is the larger grant.";

/** `Policy::…` part of the IAM4 finding for aws-eks-v2's partition-conditional ECR Public policy. */
function ecrPublicPolicy(stack: Stack): string {
  const condition = at(stack, `${KUBECTL_HANDLER}/HasEcrPublic`);
  if (!(condition instanceof CfnCondition)) throw new Error(`${KUBECTL_HANDLER}/HasEcrPublic is not a CfnCondition`);
  const arn = '{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]}';
  return `AwsSolutions::AwsSolutions-IAM4[Policy::{"Fn::If":["${stack.resolve(condition.logicalId) as string}",${arn},{"Ref":"AWS::NoValue"}]}]`;
}

/** Logical id of the CloudFormation resource behind the construct at `path`. */
function logicalIdAt(stack: Stack, path: string): string {
  const resource = at(stack, path).node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) throw new Error(`${path} has no CloudFormation resource`);
  return stack.resolve(resource.logicalId) as string;
}

/** The findings acknowledged in this stack; the nag test asserts every reason is specific. */
export function nagAcknowledgements(stack: Stack): NagAcknowledgement[] {
  const region = stack.region;
  const account = stack.account;
  const ngArn = (name: string): string => `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:eks:${region}:${account}:nodegroup/${name}/*]`;
  const albControllerWildcards = [
    "*",
    "arn:aws:ec2:*:*:security-group/*",
    "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*",
    "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*",
    "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
    "arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*",
    "arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*",
    "arn:aws:elasticloadbalancing:*:*:listener-rule/net/*/*/*",
    "arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*",
  ];
  const clusterName = (stack.node.tryFindChild("Eks") as { clusterName?: string } | undefined)?.clusterName ?? "genpool";
  const operatorNodegroups = ["GpuOnDemand", "GpuSpot"].map((id) => (stack.node.tryFindChild(id) as { nodegroupName?: string } | undefined)?.nodegroupName ?? "");
  return [
    {
      path: "SecurityGroups/Alb",
      id: "AwsSolutions::AwsSolutions-EC23",
      reason: "The ALB is the public entry point of the service; its clients are set by albSourceCidrs (default the internet) and it only forwards to the API port.",
    },
    { path: "Database", id: "AwsSolutions::AwsSolutions-SMG4", reason: SECRET_ROTATION },
    { path: "Redis", id: "AwsSolutions::AwsSolutions-SMG4", reason: `${SECRET_ROTATION} Redis AUTH rotation also needs the ROTATE/SET auth-token strategy on the replication group.` },
    {
      path: "Database",
      id: "AwsSolutions::AwsSolutions-RDS11",
      reason: "5432 is part of the contract with charts-src/ (DbPort output); the instance is reachable only from the API and worker node security groups in isolated subnets, so a non-default port adds no protection.",
    },
    {
      path: "Redis",
      id: "AwsSolutions::AwsSolutions-AEC5",
      reason: "6379 is what BullMQ clients expect (RedisPort output); the group is reachable only from node security groups in isolated subnets, with TLS and AUTH.",
    },
    {
      path: "Database/Instance/MonitoringRole",
      id: awsPolicy("service-role/AmazonRDSEnhancedMonitoringRole"),
      reason: "Enhanced Monitoring requires this AWS-maintained service-role policy; it only allows writing to the RDSOSMetrics log group.",
    },
    {
      path: "Eks/Cluster/Role",
      id: awsPolicy("AmazonEKSClusterPolicy"),
      reason: "The EKS cluster service role must carry AmazonEKSClusterPolicy; AWS maintains it alongside new EKS features.",
    },
    ...NODE_POLICIES.map((p) => ({
      path: "NodeRole",
      id: awsPolicy(p),
      reason: `${p} is the AWS-maintained policy EKS documents for managed node roles (kubelet, VPC CNI, image pulls, SSM Session Manager instead of SSH).`,
    })),
    ...albControllerWildcards.map((r) => ({
      path: "Eks/AlbControllerRole",
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::${r}]`,
      reason: "Verbatim the AWS Load Balancer Controller's published IAM policy; it names load balancers it creates at run time, scoped by the elbv2.k8s.aws/cluster tag conditions.",
    })),
    {
      path: "Eks/OperatorRole",
      id: "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
      reason: "ec2:DescribeInstanceTypes, DescribeInstances and DescribeSpotPriceHistory support no resource-level permissions; IAM accepts only Resource * for them, and they are read-only.",
    },
    {
      path: "Eks/OperatorRole",
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:autoscaling:${region}:${account}:autoScalingGroup:*:autoScalingGroupName/*]`,
      reason: `EKS creates and names the node groups' Auto Scaling groups (random suffix), so their ARNs are unknown at deploy time; SetInstanceProtection and TerminateInstanceInAutoScalingGroup are allowed only where the group carries the tags eks:cluster-name=${clusterName} and eks:nodegroup-name=${operatorNodegroups.join(" or ")}.`,
    },
    ...operatorNodegroups.map((ng) => ({
      path: "Eks/OperatorRole",
      id: ngArn(`${clusterName}/${ng}`),
      reason: `The trailing segment of a node group ARN is a UUID EKS assigns at creation; the cluster and node group names are fixed, so this matches only ${ng}.`,
    })),
    ...["Api", "Worker"].map((w) => ({
      path: `Eks/${w}Role`,
      id: "AwsSolutions::AwsSolutions-IAM5[Resource::<ImagesB45AD88B.Arn>/users/*]",
      reason: "Object keys are users/{userId}/images/...; users are created at run time, so the grant is scoped to the users/ prefix of one bucket.",
    })),
    {
      path: "Eks/WorkerRole",
      id: "AwsSolutions::AwsSolutions-IAM5[Resource::<ImagesB45AD88B.Arn>/models/*]",
      reason: "Workers sync whatever model files the platform engineer uploads under models/ at start; read-only and scoped to that prefix.",
    },
    ...[KUBECTL_HANDLER, KUBECTL_ON_EVENT].flatMap((path) =>
      ["service-role/AWSLambdaBasicExecutionRole", "service-role/AWSLambdaVPCAccessExecutionRole"].map((p) => ({ path, id: awsPolicy(p), reason: LAMBDA_POLICY_REASON })),
    ),
    { path: KUBECTL_HANDLER, id: awsPolicy("AmazonEC2ContainerRegistryReadOnly"), reason: ECR_READ_REASON },
    { path: KUBECTL_HANDLER, id: ecrPublicPolicy(stack), reason: ECR_READ_REASON },
    {
      path: KUBECTL_HANDLER,
      id: "AwsSolutions::AwsSolutions-L1",
      reason: "The kubectl handler's Python runtime is chosen by aws-cdk-lib (the newest it validates against the kubectl/Helm layer); a newer runtime than it ships is not supported by its handler code.",
    },
    {
      path: KUBECTL_ON_EVENT,
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalIdAt(stack, KUBECTL_HANDLER)}.Arn>:*]`,
      reason: "The custom-resource provider framework may invoke any version or alias of the one kubectl handler function; the function ARN itself is fixed, only its qualifier is a wildcard.",
    },
    {
      path: "Eks/Cluster",
      id: "CloudFormation-Validate::W9009",
      reason: "aws-eks-v2 still emits EncryptionConfig.Resources [secrets], which EKS requires for envelope encryption; the deprecation is in the schema, not the API.",
    },
  ];
}

/** Records the acknowledgements on their constructs, where the AwsSolutions plugin reads them. */
export function acknowledgeNagFindings(stack: Stack): void {
  for (const a of nagAcknowledgements(stack)) Validations.of(at(stack, a.path)).acknowledge({ id: a.id, reason: a.reason });
}
