import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { Workload } from "../../cluster/contract.ts";
import type { Settings } from "../config/settings.ts";
import { PART_OF } from "../lib/meta.ts";

/**
 * Pod Security Standard level per namespace. All three run "restricted": the worker pod starts
 * InvokeAI as uid 1000 directly instead of through its root entrypoint (see docs/CHARTS.md).
 */
export const POD_SECURITY_LEVEL = {
  [Workload.operator.namespace]: "restricted",
  [Workload.api.namespace]: "restricted",
  [Workload.worker.namespace]: "restricted",
} as const;

/** Pod Security policy version the labels pin; newer API servers keep evaluating with these rules. */
export const POD_SECURITY_VERSION = "v1.33";

/**
 * With an ALB, the AWS Load Balancer Controller injects a readiness gate into API pods: a new pod
 * counts as Ready only once its target is healthy, so rolling updates never empty the target group.
 */
export const ALB_READINESS_GATE_LABEL = "elbv2.k8s.aws/pod-readiness-gate-inject";

/** The Genpool namespaces with Pod Security admission labels. */
export class NamespacesChart extends Chart {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    for (const [name, level] of Object.entries(POD_SECURITY_LEVEL)) {
      const alb: Record<string, string> = settings.ingress && name === Workload.api.namespace ? { [ALB_READINESS_GATE_LABEL]: "enabled" } : {};
      new k8s.KubeNamespace(this, name, {
        metadata: {
          name,
          labels: {
            ...PART_OF,
            "pod-security.kubernetes.io/enforce": level,
            "pod-security.kubernetes.io/enforce-version": POD_SECURITY_VERSION,
            "pod-security.kubernetes.io/audit": level,
            "pod-security.kubernetes.io/audit-version": POD_SECURITY_VERSION,
            "pod-security.kubernetes.io/warn": level,
            "pod-security.kubernetes.io/warn-version": POD_SECURITY_VERSION,
            ...alb,
          },
        },
      });
    }
  }
}
