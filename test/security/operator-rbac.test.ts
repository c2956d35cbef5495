// The operator's ServiceAccount can do exactly its grants and nothing more, asked with the real
// `kubectl auth can-i --as=system:serviceaccount:...` of the sandbox's API server.
//
// The RBAC objects are dist/local/30-operator.yaml as written (rules untouched); only their
// namespaces are moved to namespaces of this test (genpool-system -> <t>-system, genpool-gpu ->
// <t>-gpu, the ClusterRole and its binding renamed), because other test files apply and delete
// dist/local in the shared sandbox. The expected "yes" set is OPERATOR_GRANTS, the table the chart
// is built from; the "no" list is fixed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "ava";
import { parseAllDocuments } from "yaml";
import { OPERATOR_GRANTS, type Grant } from "../../charts-src/charts/operator-rbac.ts";
import { Workload } from "../../cluster/contract.ts";
import { kubectl, useNamespace } from "../support/sandbox.ts";

const repo = join(import.meta.dirname, "..", "..");
const RBAC_KINDS = new Set(["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]);
const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

type Doc = { kind: string; metadata: { name: string; namespace?: string }; subjects?: { namespace?: string }[]; roleRef?: { kind: string; name: string } };

/** The RBAC objects of dist/local with namespaces mapped and cluster-scoped names suffixed. */
function isolatedRbac(namespaces: Record<string, string>, suffix: string): Doc[] {
  const text = readFileSync(join(repo, "dist", "local", "30-operator.yaml"), "utf8");
  const docs = parseAllDocuments(text).map((d) => d.toJS() as Doc).filter((d) => RBAC_KINDS.has(d.kind));
  const move = (ns: string): string => {
    const to = namespaces[ns];
    if (!to) throw new Error(`dist/local/30-operator.yaml names namespace ${ns}, which this test does not map`);
    return to;
  };
  return docs.map((d) => {
    const copy = structuredClone(d);
    if (copy.metadata.namespace) copy.metadata.namespace = move(copy.metadata.namespace);
    if (copy.kind.startsWith("Cluster")) copy.metadata.name = `${copy.metadata.name}-${suffix}`;
    if (copy.roleRef?.kind === "ClusterRole") copy.roleRef.name = `${copy.roleRef.name}-${suffix}`;
    for (const s of copy.subjects ?? []) if (s.namespace) s.namespace = move(s.namespace);
    return copy;
  });
}

/** `resource.group` as kubectl prints and accepts it, with the subresource apart. */
function resourceOf(g: Pick<Grant, "apiGroup" | "resource">): { resource: string; subresource?: string; printed: string } {
  const [base = "", sub] = g.resource.split("/");
  const resource = g.apiGroup ? `${base}.${g.apiGroup}` : base;
  return { resource, ...(sub ? { subresource: sub } : {}), printed: sub ? `${resource}/${sub}` : resource };
}

/** One question to `kubectl auth can-i`. */
interface Question {
  verb: string;
  resource: string;
  subresource?: string;
  /** A namespace, or "*" for --all-namespaces, or undefined for a cluster-scoped resource. */
  namespace?: string;
}

const describe = (q: Question): string =>
  `${q.verb} ${q.resource}${q.subresource ? `/${q.subresource}` : ""} ${q.namespace === "*" ? "in all namespaces" : q.namespace ? `in ${q.namespace}` : "(cluster)"}`;

async function canI(as: string, q: Question): Promise<boolean> {
  const args = ["auth", "can-i", q.verb, q.resource, `--as=${as}`];
  if (q.subresource) args.push(`--subresource=${q.subresource}`);
  if (q.namespace === "*") args.push("--all-namespaces");
  else if (q.namespace) args.push("-n", q.namespace);
  const r = await kubectl(args);
  const answer = r.stdout.trim();
  if (answer !== "yes" && answer !== "no") throw new Error(`kubectl ${args.join(" ")}: exit ${r.code}, ${r.stdout} ${r.stderr}`);
  return answer === "yes";
}

/** Runs the questions a few at a time (each is one kubectl process). */
async function askAll(as: string, questions: Question[]): Promise<Map<Question, boolean>> {
  const answers = new Map<Question, boolean>();
  for (let i = 0; i < questions.length; i += 6) {
    const batch = questions.slice(i, i + 6);
    const results = await Promise.all(batch.map((q) => canI(as, q)));
    batch.forEach((q, j) => answers.set(q, results[j]!));
  }
  return answers;
}

/** Resource rules of `kubectl auth can-i --list` in a namespace, as "resource verb" strings. */
async function listed(as: string, namespace: string): Promise<string[]> {
  const r = await kubectl(["auth", "can-i", "--list", `--as=${as}`, "-n", namespace]);
  if (r.code !== 0) throw new Error(`kubectl auth can-i --list: ${r.stderr}`);
  const rows = r.stdout.split("\n").slice(1).filter((line) => line.trim() && !line.startsWith(" "));
  return rows.flatMap((line) => {
    const [resource = "", , , verbs = ""] = line.trim().split(/\s{2,}/);
    return verbs.replace(/^\[|\]$/g, "").split(" ").filter(Boolean).map((verb) => `${resource} ${verb}`);
  });
}

/** What every authenticated identity may do (system:basic-user): not the chart's doing. */
const EVERYONE = ["selfsubjectreviews.authentication.k8s.io create", "selfsubjectaccessreviews.authorization.k8s.io create", "selfsubjectrulesreviews.authorization.k8s.io create"];

test("[integration] the operator's ServiceAccount can do exactly OPERATOR_GRANTS from dist/local, nothing more", async (t) => {
  t.timeout(180_000);
  const [system, gpu, other] = await Promise.all([useNamespace(t), useNamespace(t), useNamespace(t)]);
  const suffix = system;
  const docs = isolatedRbac({ [Workload.operator.namespace]: system, [Workload.worker.namespace]: gpu }, suffix);
  t.teardown(async () => {
    await kubectl(["delete", "--ignore-not-found", "--wait=false", "clusterrole,clusterrolebinding", `${docs.find((d) => d.kind === "ClusterRole")?.metadata.name}`]);
  });
  // The GenerationPool CRD (shared by every test file, never deleted) so can-i resolves the resource.
  const crd = await kubectl(["apply", "--server-side", "-f", join(repo, "dist", "local", "00-crds.yaml")]);
  t.is(crd.code, 0, crd.stderr);
  const established = await kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd/generationpools.genpool.io"], { timeoutMs: 70_000 });
  t.is(established.code, 0, established.stderr);
  const applied = await kubectl(["apply", "--server-side", "-f", "-"], { input: docs.map((d) => JSON.stringify(d)).join("\n---\n") });
  t.is(applied.code, 0, applied.stderr);
  const as = `system:serviceaccount:${system}:${Workload.operator.serviceAccount}`;
  const scopeNs: Record<Grant["scope"], string | undefined> = { "worker-namespace": gpu, "operator-namespace": system, cluster: undefined };

  // Every granted verb: yes.
  const granted: Question[] = OPERATOR_GRANTS.flatMap((g) => g.verbs.map((verb) => ({ verb, ...resourceOf(g), namespace: scopeNs[g.scope] })));
  // The granted verbs outside their namespace (the other Genpool one, an unrelated one, all of
  // them), and the verbs a grant leaves out of its resource: no. (`--list` below covers the rest.)
  const isGranted = (q: Question): boolean => granted.some((y) => y.verb === q.verb && y.resource === q.resource && y.subresource === q.subresource && y.namespace === q.namespace);
  const around: Question[] = OPERATOR_GRANTS.flatMap((g) => [
    ...(g.scope === "cluster" ? [] : [gpu, system, other, "*"].flatMap((namespace) => g.verbs.map((verb) => ({ verb, ...resourceOf(g), namespace })))),
    ...VERBS.filter((verb) => !g.verbs.includes(verb)).map((verb) => ({ verb, ...resourceOf(g), namespace: scopeNs[g.scope] })),
  ]).filter((q) => !isGranted(q));
  // A fixed list of what the operator must never do.
  const never: Question[] = [
    ...[system, gpu, other, "*"].flatMap((namespace) => ["get", "list", "watch"].map((verb) => ({ verb, resource: "secrets", namespace }))),
    { verb: "get", resource: "configmaps", namespace: gpu },
    ...["create", "update", "patch", "delete"].map((verb) => ({ verb, resource: "deployments.apps", namespace: gpu })),
    { verb: "create", resource: "pods", namespace: gpu },
    { verb: "create", resource: "pods", subresource: "exec", namespace: gpu },
    { verb: "create", resource: "pods", subresource: "eviction", namespace: gpu },
    { verb: "create", resource: "serviceaccounts", subresource: "token", namespace: system },
    { verb: "delete", resource: "nodes" },
    { verb: "create", resource: "nodes" },
    { verb: "create", resource: "namespaces" },
    { verb: "delete", resource: "namespaces" },
    { verb: "create", resource: "generationpools.genpool.io", namespace: gpu },
    { verb: "update", resource: "generationpools.genpool.io", namespace: gpu },
    { verb: "delete", resource: "generationpools.genpool.io", namespace: gpu },
    { verb: "update", resource: "leases.coordination.k8s.io", namespace: "kube-system" },
    { verb: "create", resource: "rolebindings.rbac.authorization.k8s.io", namespace: gpu },
    { verb: "create", resource: "clusterroles.rbac.authorization.k8s.io" },
    { verb: "escalate", resource: "roles.rbac.authorization.k8s.io", namespace: gpu },
    { verb: "bind", resource: "clusterroles.rbac.authorization.k8s.io" },
    { verb: "update", resource: "customresourcedefinitions.apiextensions.k8s.io" },
    { verb: "create", resource: "validatingwebhookconfigurations.admissionregistration.k8s.io" },
    { verb: "impersonate", resource: "users" },
    { verb: "impersonate", resource: "serviceaccounts", namespace: system },
    // Cluster-wide writes: every namespaced grant stays in its namespace.
    { verb: "patch", resource: "pods", namespace: "*" },
    { verb: "delete", resource: "pods", namespace: "*" },
    { verb: "update", resource: "deployments.apps", subresource: "scale", namespace: "*" },
    { verb: "create", resource: "events", namespace: "*" },
  ];
  t.deepEqual(never.filter(isGranted).map(describe), [], "the fixed no-list contradicts OPERATOR_GRANTS");

  const answers = await askAll(as, [...granted, ...around, ...never]);
  const wrong = [...answers].filter(([q, yes]) => yes !== isGranted(q)).map(([q, yes]) => `${describe(q)}: ${yes ? "yes" : "no"}, want ${isGranted(q) ? "yes" : "no"}`);
  t.deepEqual(wrong, []);

  // Nothing beyond the table in any namespace: the API server's own list of rules.
  for (const namespace of [gpu, system, other]) {
    const want = [
      ...OPERATOR_GRANTS.filter((g) => g.scope === "cluster" || scopeNs[g.scope] === namespace).flatMap((g) => g.verbs.map((verb) => `${resourceOf(g).printed} ${verb}`)),
      ...EVERYONE,
    ].sort();
    t.deepEqual((await listed(as, namespace)).sort(), want, `kubectl auth can-i --list -n ${namespace}`);
  }
  t.log(`${granted.length} granted, ${around.length + never.length} refused questions to kubectl auth can-i, plus --list in 3 namespaces`);
});
