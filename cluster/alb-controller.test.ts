// The AWS Load Balancer Controller is installed with the Helm command in docs/CLUSTER.md, on the
// Pod Identity role this stack creates. The chart version pinned there, the ServiceAccount it
// names and the IAM policy of the role must stay one release.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import test from "ava";
import * as eks from "aws-cdk-lib/aws-eks-v2";
import { AlbControllerWorkload } from "./compute/eks-cluster.ts";

const docs = readFileSync(join(import.meta.dirname, "..", "docs", "CLUSTER.md"), "utf8");
const install = /helm upgrade --install aws-load-balancer-controller eks\/aws-load-balancer-controller([^`]*)```/.exec(docs)?.[1] ?? "";
const ours: unknown = JSON.parse(readFileSync(join(import.meta.dirname, "compute", "alb-controller-iam-policy.json"), "utf8"));
const cdkLib = dirname(createRequire(import.meta.url).resolve("aws-cdk-lib/package.json"));

test("docs/CLUSTER.md pins the controller chart and installs it into the Pod Identity ServiceAccount", (t) => {
  t.not(install, "", "the helm install command is in docs/CLUSTER.md");
  t.regex(install, /--version \d+\.\d+\.\d+ /);
  t.regex(install, new RegExp(`--namespace ${AlbControllerWorkload.namespace} `));
  t.true(install.includes(`serviceAccount.name=${AlbControllerWorkload.serviceAccount}`));
  for (const value of ["clusterName", "region", "vpcId"]) t.regex(install, new RegExp(`--set ${value}=`), value);
});

test("the role's IAM policy is the published policy of the controller release the pinned chart installs", (t) => {
  const chart = /--version (\d+\.\d+\.\d+)/.exec(install)?.[1];
  const release = Object.values(eks.AlbControllerVersion).find(
    (v): v is eks.AlbControllerVersion => v instanceof eks.AlbControllerVersion && v.helmChartVersion === chart,
  );
  t.truthy(release, `aws-cdk-lib knows chart ${chart ?? "?"}`);
  const published: unknown = JSON.parse(readFileSync(join(cdkLib, "aws-eks-v2", "lib", "addons", `alb-iam_policy-${release?.version ?? "?"}.json`), "utf8"));
  t.deepEqual(ours, published);
});
