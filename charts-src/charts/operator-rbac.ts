import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { Workload } from "../../cluster/contract.ts";
import { meta } from "../lib/meta.ts";

/** One RBAC rule as the table in docs/CHARTS.md lists it. */
export interface Grant {
  readonly scope: "worker-namespace" | "operator-namespace" | "cluster";
  readonly apiGroup: string;
  readonly resource: string;
  readonly verbs: readonly string[];
}

/**
 * Everything the operator may do, and nothing else: read and report on pools, scale the worker
 * Deployment, mark idle pods cheap to delete, delete worker pods (idle ones on a scale-down and on a node it removes,
 * any on a node marked for termination), read, watch and cordon GPU nodes, hold its Lease and
 * record Events. The node and pod rows are exactly the calls of operator/kube/nodes.ts and
 * operator/kube/pods.ts. No Secrets anywhere (the Redis token reaches it through the kubelet).
 */
export const OPERATOR_GRANTS: readonly Grant[] = [
  { scope: "worker-namespace", apiGroup: "genpool.io", resource: "generationpools", verbs: ["get", "list", "watch"] },
  { scope: "worker-namespace", apiGroup: "genpool.io", resource: "generationpools/status", verbs: ["update", "patch"] },
  { scope: "worker-namespace", apiGroup: "apps", resource: "deployments", verbs: ["get", "list", "watch"] },
  { scope: "worker-namespace", apiGroup: "apps", resource: "deployments/scale", verbs: ["get", "update", "patch"] },
  { scope: "worker-namespace", apiGroup: "", resource: "pods", verbs: ["list", "patch", "delete"] },
  { scope: "worker-namespace", apiGroup: "", resource: "events", verbs: ["create", "patch"] },
  { scope: "worker-namespace", apiGroup: "events.k8s.io", resource: "events", verbs: ["create", "patch"] },
  { scope: "operator-namespace", apiGroup: "coordination.k8s.io", resource: "leases", verbs: ["get", "create", "update"] },
  { scope: "cluster", apiGroup: "", resource: "nodes", verbs: ["list", "watch", "patch"] },
];

const NAME = "genpool-operator";

function rules(scope: Grant["scope"]): k8s.PolicyRule[] {
  return OPERATOR_GRANTS.filter((g) => g.scope === scope).map((g) => ({
    apiGroups: [g.apiGroup],
    resources: [g.resource],
    verbs: [...g.verbs],
  }));
}

/** Role + RoleBinding per namespace and a ClusterRole for nodes (list, watch, cordon). */
export function operatorRbac(scope: Construct, labels: Record<string, string>): void {
  const subjects = [{ kind: "ServiceAccount", name: Workload.operator.serviceAccount, namespace: Workload.operator.namespace }];
  const namespaced = [
    { id: "worker", namespace: Workload.worker.namespace, scope: "worker-namespace" as const },
    { id: "leader-election", namespace: Workload.operator.namespace, scope: "operator-namespace" as const },
  ];
  for (const n of namespaced) {
    new k8s.KubeRole(scope, `role-${n.id}`, { metadata: meta(NAME, n.namespace, labels), rules: rules(n.scope) });
    new k8s.KubeRoleBinding(scope, `binding-${n.id}`, {
      metadata: meta(NAME, n.namespace, labels),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: NAME },
      subjects,
    });
  }
  new k8s.KubeClusterRole(scope, "cluster-role", { metadata: meta(`${NAME}-nodes`, undefined, labels), rules: rules("cluster") });
  new k8s.KubeClusterRoleBinding(scope, "cluster-binding", {
    metadata: meta(`${NAME}-nodes`, undefined, labels),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${NAME}-nodes` },
    subjects,
  });
}
