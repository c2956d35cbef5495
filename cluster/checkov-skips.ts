import type { Stack } from "aws-cdk-lib";
import { type CheckovSkip, skipCheckov } from "./checkov.ts";
import { KubectlFunctions } from "./compute/kubectl-handler.ts";
import { at } from "./construct-path.ts";

/** Skips for the two functions of aws-eks-v2's kubectl provider, which only run during deploys. */
const kubectlFunctionSkips = (fn: keyof typeof KubectlFunctions): Array<{ path: string } & CheckovSkip> => {
  const path = `Eks/Cluster/${KubectlFunctions[fn]}`;
  return [
    {
      path,
      id: "CKV_AWS_115",
      comment:
        "Runs only while CloudFormation installs or updates the controller chart, one event at a time; reserved concurrency would take capacity from the account pool and fails on accounts with a low concurrency quota",
    },
    {
      path,
      id: "CKV_AWS_116",
      comment:
        fn === "handler"
          ? "Invoked synchronously by the provider framework, which returns its error to CloudFormation; a DLQ applies to asynchronous invocations only"
          : "The provider framework reports every failure to CloudFormation's response URL and the stack operation fails; a DLQ would hold events that nothing replays",
    },
    {
      path,
      id: "CKV_AWS_173",
      comment: "Its environment holds no secrets (STS endpoint mode, the handler function ARN); Lambda encrypts it at rest with the AWS-managed key",
    },
  ];
};

/** Checkov checks that do not fit a resource of this stack: path below the stack, check, reason. */
export const checkovSkips: ReadonlyArray<{ path: string } & CheckovSkip> = [
  {
    path: "SecurityGroups/Alb",
    id: "CKV_AWS_260",
    comment: "Port 80 on the public ALB only answers with a redirect to HTTPS (ssl-redirect on the Ingress); clients are limited by albSourceCidrs",
  },
  {
    path: "Images/AccessLogs",
    id: "CKV_AWS_18",
    comment: "This is the access-log target bucket; logging it into itself would loop, into another bucket would need a third one",
  },
  {
    path: "Database/Instance/Secret",
    id: "CKV_AWS_149",
    comment: "Encrypted with the AWS-managed aws/secretsmanager key; read access is limited by IAM to the API and worker pod roles",
  },
  {
    path: "Redis/AuthToken",
    id: "CKV_AWS_149",
    comment: "Encrypted with the AWS-managed aws/secretsmanager key; read access is limited by IAM to the API, worker and operator pod roles",
  },
  {
    path: "Eks/AlbControllerRole",
    id: "CKV_AWS_111",
    comment: "The AWS Load Balancer Controller's published IAM policy, verbatim; its write actions are constrained by elbv2.k8s.aws/cluster tag conditions",
  },
  ...kubectlFunctionSkips("handler"),
  ...kubectlFunctionSkips("onEvent"),
];

/** Writes {@link checkovSkips} into the template metadata of their resources. */
export function applyCheckovSkips(stack: Stack): void {
  for (const { path, id, comment } of checkovSkips) skipCheckov(at(stack, path), { id, comment });
}
