import { RemovalPolicy } from "aws-cdk-lib";
import type * as eks from "aws-cdk-lib/aws-eks-v2";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import { at } from "../construct-path.ts";
import { toRetention } from "../network/vpc.ts";

/** Construct paths (below the cluster) of the two Lambda functions behind aws-eks-v2's kubectl provider. */
export const KubectlFunctions = {
  /** Runs helm and kubectl against the cluster. */
  handler: "KubectlProvider/Handler",
  /** The custom-resource provider framework that calls the handler. */
  onEvent: "KubectlProvider/Provider/framework-onEvent",
} as const;

/**
 * Log groups for the kubectl provider's functions, created by the stack so they get a retention
 * (and the logs key through EncryptLogGroups) instead of the never-expiring group Lambda would
 * create on first use. The functions are pointed at them with LoggingConfig.
 */
export function kubectlProviderLogs(cluster: eks.Cluster, clusterName: string, retentionDays: number): logs.LogGroup[] {
  return Object.entries(KubectlFunctions).map(([name, path]) => {
    const group = new logs.LogGroup(cluster, `KubectlLogs-${name}`, {
      logGroupName: `/genpool/${clusterName}/kubectl-provider/${name}`,
      retention: toRetention(retentionDays),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const fn = at(cluster, path).node.defaultChild as lambda.CfnFunction;
    // The Ref also orders the log group before the function.
    fn.loggingConfig = { logGroup: group.logGroupName };
    return group;
  });
}
