import * as iam from "aws-cdk-lib/aws-iam";
import { ImagePrefix } from "../data/image-bucket.ts";

/** What the policies below are scoped to. */
export interface PolicyTargets {
  readonly bucketArn: string;
  /** ARNs of the node groups the operator may resize (the GPU groups only), ending in `/*`. */
  readonly gpuNodegroupArns: readonly string[];
  /** The EKS cluster name, as EKS tags it on node-group Auto Scaling groups (`eks:cluster-name`). */
  readonly clusterName: string;
  /** Names of the GPU node groups, as EKS tags them on their Auto Scaling groups (`eks:nodegroup-name`). */
  readonly gpuNodegroupNames: readonly string[];
  /** Every Auto Scaling group of this account and region (EKS names the groups at creation). */
  readonly autoScalingGroupsArn: string;
  readonly dbSecretArn: string;
  readonly redisSecretArn: string;
}

function readSecrets(arns: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ sid: "ReadOwnSecrets", actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: [...arns] });
}

/** Auto Scaling calls of the operator's exact scale-in (operator/aws/auto-scaling.ts). */
export const OPERATOR_AUTO_SCALING_ACTIONS = ["autoscaling:SetInstanceProtection", "autoscaling:TerminateInstanceInAutoScalingGroup"] as const;

/**
 * Operator: reads and resizes the two GPU node groups by ARN, and reads instance types, instances
 * and spot prices. The three EC2 Describe* calls do not support resource-level permissions, so
 * IAM only accepts Resource "*" for them; they are read-only. It removes one chosen empty node by
 * terminating its instance through Auto Scaling (and may protect busy instances from scale-in),
 * only in Auto Scaling groups that EKS tagged as one of the two GPU node groups of this cluster;
 * it makes no Auto Scaling Describe call. Redis secret: it reads queue depth.
 */
export function operatorPolicy(t: PolicyTargets): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({ sid: "ResizeGpuNodegroups", actions: ["eks:DescribeNodegroup", "eks:UpdateNodegroupConfig"], resources: [...t.gpuNodegroupArns] }),
      new iam.PolicyStatement({
        sid: "ExactScaleIn",
        actions: [...OPERATOR_AUTO_SCALING_ACTIONS],
        resources: [t.autoScalingGroupsArn],
        conditions: {
          StringEquals: {
            "autoscaling:ResourceTag/eks:cluster-name": t.clusterName,
            "autoscaling:ResourceTag/eks:nodegroup-name": [...t.gpuNodegroupNames],
          },
        },
      }),
      new iam.PolicyStatement({
        sid: "DescribeCapacity",
        actions: ["ec2:DescribeInstanceTypes", "ec2:DescribeInstances", "ec2:DescribeSpotPriceHistory"],
        resources: ["*"],
      }),
      readSecrets([t.redisSecretArn]),
    ],
  });
}

/** API: presigns GETs of user images and deletes them; reads DB and Redis secrets. */
export function apiPolicy(t: PolicyTargets): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({ sid: "UserImages", actions: ["s3:GetObject", "s3:DeleteObject"], resources: [`${t.bucketArn}/${ImagePrefix.users}*`] }),
      readSecrets([t.dbSecretArn, t.redisSecretArn]),
    ],
  });
}

/** Worker: writes user images, reads and lists models; reads DB and Redis secrets. */
export function workerPolicy(t: PolicyTargets): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({ sid: "WriteUserImages", actions: ["s3:PutObject"], resources: [`${t.bucketArn}/${ImagePrefix.users}*`] }),
      new iam.PolicyStatement({ sid: "ReadModels", actions: ["s3:GetObject"], resources: [`${t.bucketArn}/${ImagePrefix.models}*`] }),
      new iam.PolicyStatement({
        sid: "ListModels",
        actions: ["s3:ListBucket"],
        resources: [t.bucketArn],
        conditions: { StringLike: { "s3:prefix": [`${ImagePrefix.models}*`] } },
      }),
      readSecrets([t.dbSecretArn, t.redisSecretArn]),
    ],
  });
}
