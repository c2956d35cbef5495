import { readFileSync } from "node:fs";
import { Duration, Stack } from "aws-cdk-lib";
import * as eks from "aws-cdk-lib/aws-eks-v2";
import * as iam from "aws-cdk-lib/aws-iam";

/** Namespace and ServiceAccount of the AWS Load Balancer Controller; its Pod Identity association names them. */
export const AlbControllerWorkload = { namespace: "kube-system", serviceAccount: "aws-load-balancer-controller" } as const;

/**
 * The controller release: chart 3.2.2 installs controller v3.2.2, and the role carries that
 * release's published IAM policy (`alb-controller-iam-policy.json`). Bump both together;
 * aws-cdk-lib's `AlbControllerVersion` lists the chart/controller pairs.
 */
export const ALB_CONTROLLER_RELEASE = eks.AlbControllerVersion.V3_2_2;

/** Where the Helm chart comes from and the release name it gets in the cluster. */
export const AlbControllerChart = {
  repository: "https://aws.github.io/eks-charts",
  chart: "aws-load-balancer-controller",
  release: "aws-load-balancer-controller",
  version: ALB_CONTROLLER_RELEASE.helmChartVersion,
} as const;

/** The controller's published IAM policy (iam_policy.json of the release above, as shipped in aws-cdk-lib). */
export function albControllerPolicy(): iam.PolicyDocument {
  const json: unknown = JSON.parse(readFileSync(new URL("./alb-controller-iam-policy.json", import.meta.url), "utf8"));
  return iam.PolicyDocument.fromJson(json);
}

/**
 * Installs the pinned controller chart with the cluster's kubectl provider. The chart creates the
 * ServiceAccount without a role annotation: the Pod Identity association for
 * `kube-system/aws-load-balancer-controller` already binds it to the role, so the install must
 * wait for that association (the Pod Identity webhook injects credentials when a pod is created).
 * `region` and `vpcId` are set so the controller does not depend on instance metadata.
 */
export function installAlbController(cluster: eks.Cluster, association: eks.CfnPodIdentityAssociation): eks.HelmChart {
  const chart = cluster.addHelmChart("AlbController", {
    ...AlbControllerChart,
    namespace: AlbControllerWorkload.namespace,
    createNamespace: false,
    wait: true,
    atomic: true,
    // Below the kubectl handler's 15-minute Lambda timeout, so a slow install fails as a Helm error, not a killed function.
    timeout: Duration.minutes(10),
    values: {
      clusterName: cluster.clusterName,
      region: Stack.of(cluster).region,
      vpcId: cluster.vpc.vpcId,
      serviceAccount: { create: true, name: AlbControllerWorkload.serviceAccount },
    },
  });
  chart.node.addDependency(association);
  return chart;
}
