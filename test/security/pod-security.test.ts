// Pod Security and NetworkPolicies of what dist/ installs, in both environments.
//
// Every namespace dist/ creates enforces (and audits and warns) Pod Security `restricted`, and the
// pod of every workload dist/ runs there is admitted by the sandbox's API server in a namespace
// labelled exactly like its dist/ namespace (server-side dry run: the PodSecurity admission
// plugin runs, nothing is scheduled). The one exception is the NVIDIA device plugin DaemonSet
// (production only) in kube-system: it creates its socket in the kubelet's hostPath directory as
// root, which `restricted` (and `baseline`, for hostPath) forbids; the test shows it is refused.
//
// NetworkPolicies: every dist/ namespace has a default deny of ingress and egress and a DNS-only
// egress, and every workload is selected by a policy of its own listing its flows (the flows
// themselves are pinned in charts-src/charts/network-policies.test.ts). The sandbox has no
// network plugin, so enforcement is not checkable here; the API server validates the objects.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import test from "ava";
import { parseAllDocuments } from "yaml";
import { kubectl, useNamespace } from "../support/sandbox.ts";

const repo = join(import.meta.dirname, "..", "..");
const ENVIRONMENTS = ["local", "production"] as const;
const PSA = "pod-security.kubernetes.io/";

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
}

function objects(env: string): K8sObject[] {
  const dir = join(repo, "dist", env);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .flatMap((f) => parseAllDocuments(readFileSync(join(dir, f), "utf8")).map((d) => d.toJS() as K8sObject))
    .filter((o) => o?.kind);
}

const WORKLOAD_KINDS = new Set(["Deployment", "DaemonSet", "StatefulSet", "Job", "CronJob", "ReplicaSet", "Pod"]);
/** Workloads outside the restricted namespaces, and why. */
const EXCEPTIONS: Record<string, string> = {
  "kube-system/nvidia-device-plugin": "runs as root with a hostPath volume to put its socket in the kubelet's device-plugin directory",
};

for (const env of ENVIRONMENTS) {
  test(`dist/${env}: every namespace enforces, audits and warns Pod Security restricted; every workload runs in one, or is a named exception`, (t) => {
    const all = objects(env);
    const namespaces = all.filter((o) => o.kind === "Namespace");
    t.true(namespaces.length >= 3);
    for (const ns of namespaces) {
      for (const mode of ["enforce", "audit", "warn"]) t.is(ns.metadata.labels?.[`${PSA}${mode}`], "restricted", `${ns.metadata.name} ${mode}`);
    }
    const restricted = new Set(namespaces.map((n) => n.metadata.name));
    const outside = all
      .filter((o) => WORKLOAD_KINDS.has(o.kind) && !restricted.has(o.metadata.namespace ?? "default"))
      .map((o) => `${o.metadata.namespace ?? "default"}/${o.metadata.name}`);
    t.deepEqual(outside.filter((w) => !EXCEPTIONS[w]), [], "workloads outside a restricted namespace without a reason");
  });

  test(`dist/${env}: every namespace denies all ingress and egress by default, allows DNS egress, and every workload has a policy of its own`, (t) => {
    const all = objects(env);
    const policies = all.filter((o) => o.kind === "NetworkPolicy");
    for (const ns of all.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name)) {
      const here = policies.filter((p) => p.metadata.namespace === ns);
      const deny = here.find((p) => JSON.stringify(p.spec) === JSON.stringify({ podSelector: {}, policyTypes: ["Ingress", "Egress"] }));
      t.truthy(deny, `${ns}: a default deny (empty podSelector, Ingress and Egress, no rules)`);
      const dns = here.find((p) => JSON.stringify(p.spec?.podSelector) === "{}" && JSON.stringify(p.spec).includes('"k8s-app":"kube-dns"'));
      t.truthy(dns, `${ns}: DNS egress to kube-dns`);
      for (const workload of all.filter((o) => o.kind === "Deployment" && o.metadata.namespace === ns)) {
        const labels = ((workload.spec?.template as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {});
        const own = here.filter((p) => {
          const match = (p.spec?.podSelector as { matchLabels?: Record<string, string> }).matchLabels ?? {};
          return Object.keys(match).length > 0 && Object.entries(match).every(([k, v]) => labels[k] === v);
        });
        t.is(own.length, 1, `${ns}/${workload.metadata.name}: one policy selecting its pods`);
        t.deepEqual((own[0]?.spec?.policyTypes as string[] | undefined)?.slice().sort(), ["Egress", "Ingress"], `${ns}/${workload.metadata.name}: the policy governs both directions`);
      }
    }
  });
}

/** The pod a workload would create, moved to `namespace`. */
function podOf(workload: K8sObject, namespace: string): object {
  const template = workload.spec?.template as { metadata?: { labels?: Record<string, string> }; spec: Record<string, unknown> };
  return { apiVersion: "v1", kind: "Pod", metadata: { name: `psa-${workload.metadata.name}`.slice(0, 63), namespace, labels: template.metadata?.labels ?? {} }, spec: template.spec };
}

test("[integration] the API server admits every dist/ workload's pod under its namespace's Pod Security labels, and refuses the device plugin under restricted", async (t) => {
  t.timeout(180_000);
  const checked: string[] = [];
  for (const env of ENVIRONMENTS) {
    const all = objects(env);
    const namespaces = new Map(all.filter((o) => o.kind === "Namespace").map((n) => [n.metadata.name, n]));
    for (const workload of all.filter((o) => WORKLOAD_KINDS.has(o.kind) && o.kind !== "Pod")) {
      const source = namespaces.get(workload.metadata.namespace ?? "");
      const psaLabels = Object.fromEntries(Object.entries(source?.metadata.labels ?? { [`${PSA}enforce`]: "restricted", [`${PSA}enforce-version`]: "latest" }).filter(([k]) => k.startsWith(PSA)));
      const namespace = await useNamespace(t, psaLabels);
      const sa = (workload.spec?.template as { spec: { serviceAccountName?: string } }).spec.serviceAccountName;
      if (sa) t.is((await kubectl(["create", "serviceaccount", sa, "-n", namespace])).code, 0);
      const r = await kubectl(["create", "--dry-run=server", "-f", "-"], { input: JSON.stringify(podOf(workload, namespace)) });
      const name = `${env}: ${workload.metadata.namespace}/${workload.metadata.name}`;
      if (source) {
        t.is(r.code, 0, `${name} refused under ${JSON.stringify(psaLabels)}: ${r.stderr}`);
        t.notRegex(r.stderr, /PodSecurity|would violate/, `${name}: no Pod Security warning`);
      } else {
        t.truthy(EXCEPTIONS[`${workload.metadata.namespace}/${workload.metadata.name}`], `${name} is a named exception`);
        t.not(r.code, 0, `${name} is not admitted under restricted`);
        t.regex(r.stderr, /violates PodSecurity "restricted:latest".*(hostPath|runAsNonRoot)/s, `${name}: ${r.stderr}`);
      }
      checked.push(name);
    }
  }
  t.log(`pods checked against Pod Security admission: ${checked.join("; ")}`);
  t.true(checked.length >= 7);
});

test("[integration] the API server accepts every dist/ NetworkPolicy", async (t) => {
  for (const env of ENVIRONMENTS) {
    const namespace = await useNamespace(t);
    const policies = objects(env).filter((o) => o.kind === "NetworkPolicy").map((p) => ({ ...p, metadata: { ...p.metadata, namespace } }));
    const r = await kubectl(["create", "--dry-run=server", "-f", "-"], { input: policies.map((p) => JSON.stringify(p)).join("\n---\n") });
    t.is(r.code, 0, `${env}: ${r.stderr}`);
    t.is(r.stdout.trim().split("\n").length, policies.length, r.stdout);
  }
});
