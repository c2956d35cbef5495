import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { Workload } from "../../cluster/contract.ts";
import type { Settings } from "../config/settings.ts";
import { API_METRICS_PORT, API_PORT } from "./api.ts";
import { WORKER_HEALTH_PORT } from "./worker.ts";
import { METRICS_PORT } from "./operator.ts";
import { meta, PART_OF, selectorLabels } from "../lib/meta.ts";

/** EKS Pod Identity agent (link-local, on every node): where AWS SDKs get pod credentials. */
export const POD_IDENTITY_AGENT_CIDR = "169.254.170.23/32";

const tcp = (port: number): k8s.NetworkPolicyPort => ({ protocol: "TCP", port: k8s.IntOrString.fromNumber(port) });
const anywhere = (...ports: number[]): k8s.NetworkPolicyEgressRule => ({ ports: ports.map(tcp) });

/** Egress every namespace needs: cluster DNS only. */
const dns: k8s.NetworkPolicyEgressRule = {
  to: [
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    },
  ],
  ports: [
    { protocol: "UDP", port: k8s.IntOrString.fromNumber(53) },
    { protocol: "TCP", port: k8s.IntOrString.fromNumber(53) },
  ],
};

/** Credentials for S3, EKS and EC2 calls through Pod Identity. */
const podIdentity: k8s.NetworkPolicyEgressRule = { to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT_CIDR } }], ports: [tcp(80)] };

/**
 * NetworkPolicies mirroring the design's security groups: every namespace denies all traffic,
 * then each workload gets exactly the flows it needs. Data-tier endpoints (RDS, ElastiCache)
 * and AWS APIs change IPs, so those rules pin the port and leave the address to the security groups.
 */
export class NetworkPoliciesChart extends Chart {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    for (const { namespace } of Object.values(Workload)) {
      this.policy(`default-deny-${namespace}`, namespace, "genpool-default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
      this.policy(`dns-${namespace}`, namespace, "genpool-allow-dns", { podSelector: {}, policyTypes: ["Egress"], egress: [dns] });
    }
    this.policy("api", Workload.api.namespace, "genpool-api", {
      podSelector: { matchLabels: selectorLabels("api") },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        { from: settings.albSourceCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(API_PORT)] },
        { from: [{ namespaceSelector: { matchLabels: { ...settings.monitoringNamespaceLabels } } }], ports: [tcp(API_METRICS_PORT)] },
      ],
      egress: [anywhere(settings.redis.port, settings.database.port), anywhere(443), podIdentity],
    });
    // Workers accept only metric scrapes: InvokeAI is reached over the pod's loopback interface.
    this.policy("worker", Workload.worker.namespace, "genpool-worker", {
      podSelector: { matchLabels: selectorLabels("worker") },
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ...settings.monitoringNamespaceLabels } } }], ports: [tcp(WORKER_HEALTH_PORT)] }],
      egress: [anywhere(settings.redis.port, settings.database.port), anywhere(443), podIdentity],
    });
    this.policy("operator", Workload.operator.namespace, "genpool-operator", {
      podSelector: { matchLabels: selectorLabels("operator") },
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { ...settings.monitoringNamespaceLabels } } }], ports: [tcp(METRICS_PORT)] },
      ],
      // 443: the Kubernetes API (EKS control-plane ENIs) and the EKS/EC2/Auto Scaling APIs.
      egress: [anywhere(settings.redis.port), anywhere(443), podIdentity],
    });
  }

  private policy(id: string, namespace: string, name: string, spec: k8s.NetworkPolicySpec): void {
    new k8s.KubeNetworkPolicy(this, id, { metadata: meta(name, namespace, { ...PART_OF }), spec });
  }
}
