import test from "ava";
import type { k8s } from "cdk8s-plus-27";
import { Workload } from "../../cluster/contract.ts";
import { localSettings } from "../config/local.ts";
import { exampleProductionSettings } from "../lib/fixtures.ts";
import { allManifests, find } from "../lib/manifests.ts";
import { POD_IDENTITY_AGENT_CIDR } from "./network-policies.ts";

interface PolicyJson {
  metadata: { name: string; namespace: string };
  spec: k8s.NetworkPolicySpec;
}

const policies = (): PolicyJson[] =>
  allManifests(exampleProductionSettings()).filter((o) => o.kind === "NetworkPolicy") as unknown as PolicyJson[];
const policy = (name: string, namespace: string): PolicyJson => find<PolicyJson>(allManifests(exampleProductionSettings()), "NetworkPolicy", name, namespace);
const ports = (rules: (k8s.NetworkPolicyEgressRule | k8s.NetworkPolicyIngressRule)[] | undefined): string[] =>
  (rules ?? []).flatMap((r) => (r.ports ?? []).map((p) => `${p.protocol}/${String(p.port as unknown)}`)).sort();

for (const { namespace } of Object.values(Workload)) {
  test(`${namespace}: everything is denied unless a policy allows it`, (t) => {
    const deny = policy("genpool-default-deny", namespace);
    t.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  });

  test(`${namespace}: pods may resolve names through kube-system DNS only`, (t) => {
    const dns = policy("genpool-allow-dns", namespace);
    t.deepEqual(dns.spec.policyTypes, ["Egress"]);
    t.deepEqual(ports(dns.spec.egress), ["TCP/53", "UDP/53"]);
    t.deepEqual(dns.spec.egress?.[0]?.to?.[0]?.namespaceSelector?.matchLabels, { "kubernetes.io/metadata.name": "kube-system" });
  });
}

test("the API accepts traffic only from the load balancer's subnets, on 9090, and scrapes from the monitoring namespace, on 9103", (t) => {
  const s = exampleProductionSettings();
  const api = policy("genpool-api", Workload.api.namespace);
  t.is(api.spec.ingress?.length, 2);
  t.deepEqual(api.spec.ingress?.[0]?.from?.map((f) => f.ipBlock?.cidr), [...s.albSourceCidrs]);
  t.deepEqual(ports([api.spec.ingress![0]!]), ["TCP/9090"]);
  t.deepEqual(api.spec.ingress?.[1]?.from, [{ namespaceSelector: { matchLabels: { ...s.monitoringNamespaceLabels } } }]);
  t.deepEqual(ports([api.spec.ingress![1]!]), ["TCP/9103"]);
});

test("workers accept only metric scrapes from the monitoring namespace, on 9102: InvokeAI is reached over loopback", (t) => {
  const s = exampleProductionSettings();
  const worker = policy("genpool-worker", Workload.worker.namespace);
  t.deepEqual(worker.spec.policyTypes, ["Ingress", "Egress"]);
  t.is(worker.spec.ingress?.length, 1);
  t.deepEqual(worker.spec.ingress?.[0]?.from, [{ namespaceSelector: { matchLabels: { ...s.monitoringNamespaceLabels } } }]);
  t.deepEqual(ports(worker.spec.ingress), ["TCP/9102"]);
});

test("the operator's metrics port is reachable from the monitoring namespace only", (t) => {
  const s = exampleProductionSettings();
  const operator = policy("genpool-operator", Workload.operator.namespace);
  t.deepEqual(operator.spec.ingress?.[0]?.from, [{ namespaceSelector: { matchLabels: { ...s.monitoringNamespaceLabels } } }]);
  t.deepEqual(ports(operator.spec.ingress), ["TCP/8080"]);
});

// Egress per workload beyond DNS: data tier, AWS/Kubernetes APIs on 443, Pod Identity agent on 80.
const egress: [name: string, namespace: string, expected: string[]][] = [
  ["genpool-api", Workload.api.namespace, ["TCP/443", "TCP/5432", "TCP/6379", "TCP/80"]],
  ["genpool-worker", Workload.worker.namespace, ["TCP/443", "TCP/5432", "TCP/6379", "TCP/80"]],
  // No PostgreSQL: the operator reads the queue and the cluster, never the database.
  ["genpool-operator", Workload.operator.namespace, ["TCP/443", "TCP/6379", "TCP/80"]],
];
for (const [name, namespace, expected] of egress) {
  test(`${name} may open only ${expected.join(", ")}`, (t) => {
    const p = policy(name, namespace);
    t.deepEqual(ports(p.spec.egress), expected);
    const port80 = p.spec.egress?.find((r) => r.ports?.some((x) => (x.port as unknown) === 80));
    t.deepEqual(port80?.to, [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }]);
  });
}

test("local and production have the same policies (only CIDRs and selectors differ)", (t) => {
  const names = (objects: PolicyJson[]): string[] => objects.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort();
  const local = allManifests(localSettings()).filter((o) => o.kind === "NetworkPolicy") as unknown as PolicyJson[];
  t.deepEqual(names(local), names(policies()));
  t.is(local.length, 9);
});
