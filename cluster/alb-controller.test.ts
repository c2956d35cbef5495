// `cdk deploy` installs the AWS Load Balancer Controller: a pinned Helm release through the
// cluster's kubectl provider, into the ServiceAccount that the Pod Identity association binds to
// a role carrying the controller release's published IAM policy. One release, one role.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import test from "ava";
import * as eks from "aws-cdk-lib/aws-eks-v2";
import { buildApp } from "./app.ts";
import { ALB_CONTROLLER_RELEASE, AlbControllerChart, AlbControllerWorkload } from "./compute/alb-controller.ts";

type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] };

const outdir = mkdtempSync(join(tmpdir(), "genpool-alb-"));
const { app, stack } = buildApp({ outdir, stageAssets: false });
const resources = (app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, Resource> }).Resources;
rmSync(outdir, { recursive: true, force: true });

const ofType = (type: string): Array<[string, Resource]> => Object.entries(resources).filter(([, r]) => r.Type === type);
const idOf = (prefix: string, type: string): string => {
  const hit = ofType(type).find(([id]) => id.startsWith(prefix));
  if (!hit) throw new Error(`no ${type} with logical id ${prefix}…`);
  return hit[0];
};
const charts = ofType("Custom::AWSCDK-EKS-HelmChart");
const [chartId, chart] = charts[0] ?? ["", { Type: "", Properties: {} }];
const props = chart.Properties ?? {};
/** The Helm values with the CloudFormation references replaced by their logical ids. */
const values = JSON.parse(
  ((props.Values as { "Fn::Join": [string, unknown[]] })["Fn::Join"][1] ?? [])
    .map((part) => (typeof part === "string" ? part : `<${(part as { Ref: string }).Ref}>`))
    .join(""),
) as Record<string, unknown>;
/** Every (effect, action, resource, condition) a policy document grants or denies, sorted. */
function grants(doc: unknown): string[] {
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
  const statements = list((doc as { Statement: unknown }).Statement) as Array<{ Effect: string; Action: unknown; Resource: unknown; Condition?: unknown }>;
  return statements
    .flatMap((st) => list(st.Action).flatMap((a) => list(st.Resource).map((r) => JSON.stringify([st.Effect, a, r, st.Condition ?? null]))))
    .sort();
}
const cdkLib = dirname(createRequire(import.meta.url).resolve("aws-cdk-lib/package.json"));

test("one Helm release: the pinned controller chart from the eks-charts repository into kube-system", (t) => {
  t.is(charts.length, 1);
  t.is(AlbControllerChart.version, "3.2.2");
  t.like(props, {
    Chart: "aws-load-balancer-controller",
    Repository: "https://aws.github.io/eks-charts",
    Release: "aws-load-balancer-controller",
    Version: "3.2.2",
    Namespace: AlbControllerWorkload.namespace,
    Wait: true,
    Atomic: true,
    Timeout: "600s",
  });
  t.is(ALB_CONTROLLER_RELEASE.version, "v3.2.2", "the chart installs controller v3.2.2 (its appVersion)");
});

test("Helm values: the chart creates the Pod Identity ServiceAccount; cluster, region and VPC are given", (t) => {
  t.deepEqual(values, {
    clusterName: `<${idOf("EksCluster", "AWS::EKS::Cluster")}>`,
    region: "us-east-1",
    vpcId: `<${idOf("NetworkVpc", "AWS::EC2::VPC")}>`,
    serviceAccount: { create: true, name: AlbControllerWorkload.serviceAccount },
  });
});

test("role binding: the Pod Identity association of kube-system/aws-load-balancer-controller names the controller role, and the release waits for it", (t) => {
  const associations = ofType("AWS::EKS::PodIdentityAssociation").filter(([, r]) => r.Properties?.ServiceAccount === AlbControllerWorkload.serviceAccount);
  t.is(associations.length, 1);
  const [assocId, assoc] = associations[0] ?? ["", { Type: "" }];
  t.deepEqual(assoc.Properties, {
    ClusterName: { Ref: idOf("EksCluster", "AWS::EKS::Cluster") },
    Namespace: AlbControllerWorkload.namespace,
    ServiceAccount: AlbControllerWorkload.serviceAccount,
    RoleArn: { "Fn::GetAtt": [idOf("EksAlbControllerRole", "AWS::IAM::Role"), "Arn"] },
  });
  const deps = chart.DependsOn ?? [];
  t.true(deps.includes(assocId), "pods are created after the association, so the webhook injects credentials");
  t.true(deps.includes(idOf("SystemNodesNodegroup", "AWS::EKS::Nodegroup")), "Helm waits for pods: a node must exist");
  t.true(deps.includes(idOf("EksCoreDns", "AWS::EKS::Addon")), "the controller resolves AWS endpoints through CoreDNS");
});

test("one IAM mechanism: no IRSA ServiceAccount, no OIDC provider, no second controller role", (t) => {
  t.deepEqual(ofType("Custom::AWSCDK-EKS-KubernetesResource"), [], "no ServiceAccount manifest from aws-eks-v2's AlbController");
  t.deepEqual(ofType("Custom::AWSCDKOpenIdConnectProvider"), []);
  t.deepEqual(ofType("AWS::IAM::OIDCProvider"), []);
  const withElbv2 = ofType("AWS::IAM::Role").filter(([, r]) => JSON.stringify(r.Properties).includes("elasticloadbalancing:CreateLoadBalancer"));
  t.deepEqual(withElbv2.map(([id]) => id), [idOf("EksAlbControllerRole", "AWS::IAM::Role")]);
  t.true(chartId.length > 0);
});

test("the role's policy is the published IAM policy of the pinned controller release", (t) => {
  const release = Object.values(eks.AlbControllerVersion).find(
    (v): v is eks.AlbControllerVersion => v instanceof eks.AlbControllerVersion && v.helmChartVersion === props.Version,
  );
  t.is(release?.version, ALB_CONTROLLER_RELEASE.version);
  const published: unknown = JSON.parse(readFileSync(join(cdkLib, "aws-eks-v2", "lib", "addons", `alb-iam_policy-${release?.version ?? "?"}.json`), "utf8"));
  const role = resources[idOf("EksAlbControllerRole", "AWS::IAM::Role")]?.Properties as { Policies: Array<{ PolicyDocument: unknown }> };
  t.is(role.Policies.length, 1);
  // CDK may merge statements with equal conditions when it renders the document: compare the grants.
  t.deepEqual(grants(role.Policies[0]?.PolicyDocument), grants(published));
  t.true(grants(published).length > 50, "the comparison covers the whole published policy");
  const ours: unknown = JSON.parse(readFileSync(join(import.meta.dirname, "compute", "alb-controller-iam-policy.json"), "utf8"));
  t.deepEqual(ours, published, "the copy in cluster/compute is the published file");
});

test("the kubectl provider runs inside the VPC with the cluster security group and logs with a retention", (t) => {
  const fns = ofType("AWS::Lambda::Function");
  t.is(fns.length, 2, "the handler and the provider framework, nothing else");
  for (const [id, fn] of fns) {
    const p = fn.Properties ?? {};
    t.true(JSON.stringify(p.VpcConfig).includes("NetworkVpcprivateapp"), `${id} runs in the private-app subnets`);
    t.true(JSON.stringify(p.VpcConfig).includes("ClusterSecurityGroupId"), `${id} reaches the private endpoint through the cluster security group`);
    const group = (p.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    t.is(resources[group]?.Properties?.RetentionInDays, 90, `${id} logs to a log group with a retention`);
  }
  const layer = ofType("AWS::Lambda::LayerVersion").find(([id]) => id.startsWith("EksKubectlLayer"))?.[1];
  t.regex(String(layer?.Properties?.Description), /kubectl 1\.35\.\d+; \/opt\/helm\/helm 4\./);
});
