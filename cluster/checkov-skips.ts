import type { Stack } from "aws-cdk-lib";
import { type CheckovSkip, skipCheckov } from "./checkov.ts";
import { at } from "./construct-path.ts";

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
];

/** Writes {@link checkovSkips} into the template metadata of their resources. */
export function applyCheckovSkips(stack: Stack): void {
  for (const { path, id, comment } of checkovSkips) skipCheckov(at(stack, path), { id, comment });
}
