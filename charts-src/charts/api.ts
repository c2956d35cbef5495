import { Chart, JsonPatch } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { Workload } from "../../cluster/contract.ts";
import type { IngressSettings, Settings } from "../config/settings.ts";
import { configChecksum, dataPlaneConfig, dbCredentials, fromSecret, redisCredentials, SecretRef } from "../lib/env.ts";
import { componentLabels, meta, selectorLabels } from "../lib/meta.ts";
import { PatchedDeployment } from "../lib/patched-deployment.ts";
import { ScanException, scanSkips } from "../lib/scan.ts";
import { restrictedContainer, restrictedPod } from "../lib/security.ts";

/** Port the API listens on, in the pod and on the Service. */
export const API_PORT = 9090;
/** The API's Prometheus metrics port (METRICS_PORT): never behind the load balancer. */
export const API_METRICS_PORT = 9103;
/** Readiness (dependencies reachable) and liveness (process alive) paths of the API. */
export const API_READY_PATH = "/api/v1/health";
export const API_LIVE_PATH = "/health";
/** Non-root uid the API runs as (>= 10000: no clash with host users). */
export const API_UID = 10001;
/**
 * Seconds an API pod keeps serving after it is marked for deletion: the ALB needs a few seconds
 * to deregister the target, and requests it still sends would otherwise hit a closed socket.
 */
export const API_DEREGISTRATION_DELAY_SECONDS = 15;
/** TLS policy on the ALB's HTTPS listener: TLS 1.3, with TLS 1.2 for older clients. */
export const ALB_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

const NAME = "genpool-api";
const { namespace, serviceAccount } = Workload.api;

/** The public API: Deployment, Service, ALB Ingress, HPA and PodDisruptionBudget. */
export class ApiChart extends Chart {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    if (settings.sizing.apiMinReplicas < 2 || settings.sizing.apiMaxReplicas < settings.sizing.apiMinReplicas) {
      throw new Error(`API replicas ${settings.sizing.apiMinReplicas}-${settings.sizing.apiMaxReplicas}: at least 2 and min <= max are allowed`);
    }
    const labels = componentLabels("api");
    const config = apiConfig(settings);
    new k8s.KubeServiceAccount(this, "sa", { metadata: meta(serviceAccount, namespace, labels), automountServiceAccountToken: false });
    new k8s.KubeConfigMap(this, "config", { metadata: meta(NAME, namespace, labels), data: config });
    new PatchedDeployment(this, "deployment", {
      metadata: { ...meta(NAME, namespace, labels), annotations: scanSkips(ScanException.imageDigest, ScanException.pullAlways, ScanException.secretEnv) },
      spec: {
        // No replicas: the HPA owns the count (minReplicas >= 2); a fixed value here would
        // scale a busy API back down on every apply.
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels("api") },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: k8s.IntOrString.fromString("25%"), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels, annotations: configChecksum(config) },
          spec: podSpec(settings),
        },
      },
    }, [JsonPatch.add("/spec/template/spec/containers/0/lifecycle", { preStop: { sleep: { seconds: API_DEREGISTRATION_DELAY_SECONDS } } })]);
    new k8s.KubeService(this, "service", {
      metadata: meta(NAME, namespace, labels),
      spec: {
        type: "ClusterIP",
        selector: selectorLabels("api"),
        ports: [
          { name: "http", port: API_PORT, targetPort: k8s.IntOrString.fromString("http"), protocol: "TCP" },
          { name: "metrics", port: API_METRICS_PORT, targetPort: k8s.IntOrString.fromString("metrics"), protocol: "TCP" },
        ],
      },
    });
    if (settings.ingress) this.ingress(settings.ingress);
    new k8s.KubeHorizontalPodAutoscalerV2(this, "hpa", {
      metadata: meta(NAME, namespace, labels),
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: NAME },
        minReplicas: settings.sizing.apiMinReplicas,
        maxReplicas: settings.sizing.apiMaxReplicas,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
      },
    });
    new k8s.KubePodDisruptionBudget(this, "pdb", {
      metadata: meta(NAME, namespace, labels),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: selectorLabels("api") } },
    });
  }

  private ingress({ certificateArn, securityGroupId, host }: IngressSettings): void {
    const backend = { service: { name: NAME, port: { name: "http" } } };
    const paths = [{ path: "/", pathType: "Prefix", backend }];
    new k8s.KubeIngress(this, "ingress", {
      metadata: {
        ...meta(NAME, namespace, componentLabels("api")),
        annotations: albAnnotations(certificateArn, securityGroupId),
      },
      spec: {
        ingressClassName: "alb",
        rules: [{ ...(host ? { host } : {}), http: { paths } }],
      },
    });
  }
}

/**
 * AWS Load Balancer Controller annotations: HTTPS only (HTTP redirects), IP targets, protected ALB,
 * fronted by the security group cluster/ made (the controller then creates no frontend group of its
 * own) and with the controller managing the backend rules from the ALB to the pods.
 */
export function albAnnotations(certificateArn: string, securityGroupId: string): Record<string, string> {
  const p = "alb.ingress.kubernetes.io";
  return {
    [`${p}/scheme`]: "internet-facing",
    [`${p}/target-type`]: "ip",
    [`${p}/listen-ports`]: '[{"HTTP": 80}, {"HTTPS": 443}]',
    [`${p}/certificate-arn`]: certificateArn,
    [`${p}/security-groups`]: securityGroupId,
    [`${p}/manage-backend-security-group-rules`]: "true",
    [`${p}/ssl-policy`]: ALB_SSL_POLICY,
    // The controller answers HTTP with a 301 to HTTPS on 443.
    [`${p}/ssl-redirect`]: "443",
    [`${p}/backend-protocol`]: "HTTP",
    [`${p}/healthcheck-path`]: API_READY_PATH,
    [`${p}/success-codes`]: "200",
    [`${p}/load-balancer-attributes`]: "deletion_protection.enabled=true,routing.http.drop_invalid_header_fields.enabled=true",
  };
}

function apiConfig(s: Settings): Record<string, string> {
  return {
    ...dataPlaneConfig(s),
    PORT: String(API_PORT),
    METRICS_PORT: String(API_METRICS_PORT),
    JWT_ISSUER: s.auth.issuer,
    JWT_AUDIENCE: s.auth.audience,
    ...(s.auth.jwksUrl ? { JWT_JWKS_URL: s.auth.jwksUrl } : {}),
    ALLOWED_MODELS: s.allowedModels.join(","),
  };
}

function podSpec(s: Settings): k8s.PodSpec {
  const jwtSecret = s.auth.jwksUrl ? [] : [fromSecret("JWT_HS256_SECRET", SecretRef.jwt.name, SecretRef.jwt.hs256Secret)];
  return {
    serviceAccountName: serviceAccount,
    automountServiceAccountToken: false,
    securityContext: restrictedPod(API_UID),
    // The preStop sleep plus Koa closing its connections.
    terminationGracePeriodSeconds: API_DEREGISTRATION_DELAY_SECONDS + 30,
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: selectorLabels("api") } },
      { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selectorLabels("api") } },
    ],
    containers: [
      {
        name: "api",
        image: s.images.api,
        imagePullPolicy: s.images.pullPolicy,
        ports: [
          { name: "http", containerPort: API_PORT, protocol: "TCP" },
          { name: "metrics", containerPort: API_METRICS_PORT, protocol: "TCP" },
        ],
        envFrom: [{ configMapRef: { name: NAME } }],
        env: [...dbCredentials(), ...redisCredentials(s), ...jwtSecret],
        readinessProbe: {
          httpGet: { path: API_READY_PATH, port: k8s.IntOrString.fromString("http") },
          periodSeconds: 5,
          timeoutSeconds: 2,
          failureThreshold: 3,
        },
        livenessProbe: {
          httpGet: { path: API_LIVE_PATH, port: k8s.IntOrString.fromString("http") },
          initialDelaySeconds: 10,
          periodSeconds: 10,
          timeoutSeconds: 2,
          failureThreshold: 3,
        },
        resources: {
          requests: { cpu: k8s.Quantity.fromString(s.sizing.apiCpuRequest), memory: k8s.Quantity.fromString(s.sizing.apiMemoryRequest) },
          limits: { cpu: k8s.Quantity.fromString(s.sizing.apiCpuLimit), memory: k8s.Quantity.fromString(s.sizing.apiMemoryLimit) },
        },
        securityContext: restrictedContainer(),
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      },
    ],
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: k8s.Quantity.fromString("64Mi") } }],
  };
}
