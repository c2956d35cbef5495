import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { Workload } from "../../cluster/contract.ts";
import type { Settings } from "../config/settings.ts";
import { configChecksum, redisCredentials } from "../lib/env.ts";
import { componentLabels, meta, selectorLabels } from "../lib/meta.ts";
import { ScanException, scanSkips } from "../lib/scan.ts";
import { restrictedContainer, restrictedPod } from "../lib/security.ts";
import { operatorRbac } from "./operator-rbac.ts";

/** Deployment name, leader-election Lease name and metrics port of the operator. */
export const OPERATOR_NAME = "genpool-operator";
export const OPERATOR_LEASE = "genpool-operator";
export const METRICS_PORT = 8080;
/** Non-root uid the operator runs as (>= 10000: no clash with host users). */
export const OPERATOR_UID = 10001;

const { namespace, serviceAccount } = Workload.operator;

/** The operator: two replicas with leader election, its RBAC and its metrics Service. */
export class OperatorChart extends Chart {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    const labels = componentLabels("operator");
    const config = operatorConfig(settings);
    new k8s.KubeServiceAccount(this, "sa", { metadata: meta(serviceAccount, namespace, labels), automountServiceAccountToken: true });
    operatorRbac(this, labels);
    new k8s.KubeConfigMap(this, "config", { metadata: meta(OPERATOR_NAME, namespace, labels), data: config });
    new k8s.KubeDeployment(this, "deployment", {
      metadata: {
        ...meta(OPERATOR_NAME, namespace, labels),
        annotations: scanSkips(ScanException.imageDigest, ScanException.pullAlways, ScanException.secretEnv, ScanException.operatorToken),
      },
      spec: {
        replicas: 2,
        revisionHistoryLimit: 5,
        // One replica at a time: surging would need a third node under the hostname anti-affinity.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: k8s.IntOrString.fromNumber(0), maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        selector: { matchLabels: selectorLabels("operator") },
        template: { metadata: { labels, annotations: configChecksum(config) }, spec: podSpec(settings) },
      },
    });
    new k8s.KubeService(this, "metrics", {
      metadata: meta(`${OPERATOR_NAME}-metrics`, namespace, labels),
      spec: {
        type: "ClusterIP",
        selector: selectorLabels("operator"),
        ports: [{ name: "metrics", port: METRICS_PORT, targetPort: k8s.IntOrString.fromString("metrics"), protocol: "TCP" }],
      },
    });
    new k8s.KubePodDisruptionBudget(this, "pdb", {
      metadata: meta(OPERATOR_NAME, namespace, labels),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorLabels("operator") } },
    });
  }
}

function operatorConfig(s: Settings): Record<string, string> {
  return {
    REDIS_HOST: s.redis.host,
    REDIS_PORT: String(s.redis.port),
    REDIS_TLS: String(s.redis.tls),
    // The RBAC below covers only this namespace: the operator must not watch cluster-wide.
    WATCH_NAMESPACES: Workload.worker.namespace,
    LEADER_ELECTION_NAMESPACE: namespace,
    LEADER_ELECTION_LEASE_NAME: OPERATOR_LEASE,
    METRICS_PORT: String(METRICS_PORT),
    ...nodeGroupConfig(s),
    LOG_LEVEL: "info",
  };
}

/**
 * With EKS_CLUSTER_NAME the operator also resizes the pools' GPU node groups (EKS, EC2, Auto
 * Scaling through EKS Pod Identity; region from AWS_REGION). Without it, it makes no AWS call.
 */
function nodeGroupConfig(s: Settings): Record<string, string> {
  return s.aws.manageNodeGroups ? { EKS_CLUSTER_NAME: s.aws.clusterName, AWS_REGION: s.aws.region } : {};
}

function podSpec(s: Settings): k8s.PodSpec {
  return {
    serviceAccountName: serviceAccount,
    securityContext: restrictedPod(OPERATOR_UID),
    terminationGracePeriodSeconds: 30,
    affinity: {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: "topology.kubernetes.io/zone", labelSelector: { matchLabels: selectorLabels("operator") } } },
        ],
        requiredDuringSchedulingIgnoredDuringExecution: [
          { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selectorLabels("operator") } },
        ],
      },
    },
    containers: [
      {
        name: "operator",
        image: s.images.operator,
        imagePullPolicy: s.images.pullPolicy,
        ports: [{ name: "metrics", containerPort: METRICS_PORT, protocol: "TCP" }],
        envFrom: [{ configMapRef: { name: OPERATOR_NAME } }],
        env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, ...redisCredentials(s)],
        readinessProbe: { httpGet: { path: "/metrics", port: k8s.IntOrString.fromString("metrics") }, periodSeconds: 10, timeoutSeconds: 3 },
        livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString("metrics") }, initialDelaySeconds: 10, periodSeconds: 20, timeoutSeconds: 3 },
        resources: {
          requests: { cpu: k8s.Quantity.fromString(s.sizing.operatorCpuRequest), memory: k8s.Quantity.fromString(s.sizing.operatorMemoryLimit) },
          limits: { cpu: k8s.Quantity.fromString(s.sizing.operatorCpuLimit), memory: k8s.Quantity.fromString(s.sizing.operatorMemoryLimit) },
        },
        securityContext: restrictedContainer(),
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      },
    ],
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: k8s.Quantity.fromString("64Mi") } }],
  };
}

