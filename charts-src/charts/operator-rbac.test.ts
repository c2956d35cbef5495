import test from "ava";
import { Workload } from "../../cluster/contract.ts";
import { localSettings } from "../config/local.ts";
import { exampleProductionSettings } from "../lib/fixtures.ts";
import { allManifests, type Manifest } from "../lib/manifests.ts";

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** Exactly what the operator may do, one row per (where, group, resource). */
const expected: [where: string, apiGroup: string, resource: string, verbs: string[]][] = [
  // Read pools and report on them; spec changes are the user's.
  [Workload.worker.namespace, "genpool.io", "generationpools", ["get", "list", "watch"]],
  [Workload.worker.namespace, "genpool.io", "generationpools/status", ["update", "patch"]],
  // Observe the worker Deployment and change only its size.
  [Workload.worker.namespace, "apps", "deployments", ["get", "list", "watch"]],
  [Workload.worker.namespace, "apps", "deployments/scale", ["get", "update", "patch"]],
  // List worker pods, set pod-deletion-cost on idle ones, and delete worker pods: idle ones on a scale-down, the idle ones of
  // a node it removes, and any on a node marked for termination (interruption rescue).
  [Workload.worker.namespace, "", "pods", ["list", "patch", "delete"]],
  [Workload.worker.namespace, "", "events", ["create", "patch"]],
  [Workload.worker.namespace, "events.k8s.io", "events", ["create", "patch"]],
  // Leader election between the two replicas.
  [Workload.operator.namespace, "coordination.k8s.io", "leases", ["get", "create", "update"]],
  // GPU nodes for node-group sizing (list, and a watch for wake-ups) and cordoning a node before
  // its instance is terminated (patch spec.unschedulable); cluster-wide: nodes are not namespaced.
  ["cluster", "", "nodes", ["list", "watch", "patch"]],
];

function grantedRules(objects: Manifest[]): [string, string, string, string[]][] {
  const roles = objects.filter((o) => o.kind === "Role" || o.kind === "ClusterRole");
  return roles.flatMap((role) =>
    ((role as unknown as { rules: Rule[] }).rules ?? []).flatMap((r) =>
      r.apiGroups.flatMap((g) => r.resources.map((res): [string, string, string, string[]] => [role.metadata.namespace ?? "cluster", g, res, r.verbs])),
    ),
  );
}

test("the operator's RBAC grants exactly the table, nothing more", (t) => {
  const key = (row: [string, string, string, string[]]): string => `${row[0]} ${row[1]}/${row[2]}: ${[...row[3]].sort().join(",")}`;
  t.deepEqual(grantedRules(allManifests(localSettings())).map(key).sort(), expected.map(key).sort());
});

test("no rule names Secrets or wildcards; the only cluster-wide write is patching nodes (cordon)", (t) => {
  for (const [where, group, resource, verbs] of grantedRules(allManifests(localSettings()))) {
    t.false(resource === "secrets" || resource === "*" || group === "*" || verbs.includes("*"), `${where} ${group}/${resource}`);
    const writes = verbs.filter((v) => !["get", "list", "watch"].includes(v));
    if (where === "cluster") t.deepEqual(writes, resource === "nodes" ? ["patch"] : [], `${group}/${resource}`);
  }
});

test("the RBAC is the same in both environments", (t) => {
  const key = (row: [string, string, string, string[]]): string => `${row[0]} ${row[1]}/${row[2]}: ${[...row[3]].sort().join(",")}`;
  t.deepEqual(grantedRules(allManifests(exampleProductionSettings())).map(key).sort(), grantedRules(allManifests(localSettings())).map(key).sort());
});

test("every role is bound to the operator's ServiceAccount only", (t) => {
  const bindings = allManifests(localSettings()).filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding");
  t.is(bindings.length, 3);
  for (const b of bindings) {
    t.deepEqual((b as unknown as { subjects: unknown[] }).subjects, [
      { kind: "ServiceAccount", name: Workload.operator.serviceAccount, namespace: Workload.operator.namespace },
    ]);
  }
});

test("the operator watches only the namespace its Role covers", (t) => {
  const config = allManifests(localSettings()).find((o) => o.kind === "ConfigMap" && o.metadata.name === "genpool-operator") as unknown as { data: Record<string, string> };
  t.is(config.data.WATCH_NAMESPACES, Workload.worker.namespace);
  t.is(config.data.LEADER_ELECTION_NAMESPACE, Workload.operator.namespace);
});
