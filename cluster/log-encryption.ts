import { type IAspect, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import type { IConstruct } from "constructs";

/**
 * Encrypts every CloudWatch log group of the stack with one customer-managed key, so flow logs,
 * control-plane logs, database logs and container logs share one key policy and one rotation.
 */
export class EncryptLogGroups implements IAspect {
  constructor(private readonly key: kms.IKey) {}

  visit(node: IConstruct): void {
    if (node instanceof logs.CfnLogGroup && node.kmsKeyId === undefined) node.kmsKeyId = this.key.keyArn;
  }
}

/** The key for {@link EncryptLogGroups}: CloudWatch Logs of this account and region may use it for log groups only. */
export function logsKey(stack: Stack): kms.Key {
  const key = new kms.Key(stack, "LogsKey", { description: "Genpool CloudWatch log groups", enableKeyRotation: true });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      resources: ["*"],
      conditions: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
    }),
  );
  return key;
}
