import { Chart, JsonPatch } from "cdk8s";
import { k8s } from "cdk8s-plus-27";
import type { Construct } from "constructs";
import { GpuNode, Workload } from "../../cluster/contract.ts";
import type { Settings } from "../config/settings.ts";
import { configChecksum, dataPlaneConfig, dbCredentials, envList, redisCredentials } from "../lib/env.ts";
import { componentLabels, meta, selectorLabels } from "../lib/meta.ts";
import { PatchedDeployment } from "../lib/patched-deployment.ts";
import { ScanException, scanSkips } from "../lib/scan.ts";
import { restrictedContainer, restrictedPod } from "../lib/security.ts";

/** Name of the worker Deployment; the default GenerationPool points at it. */
export const WORKER_DEPLOYMENT = "genpool-worker";
/** Container that runs the Genpool worker (BullMQ consumer). */
export const WORKER_CONTAINER = "worker";
/** InvokeAI sidecar container, its port and the health path the probes call. */
export const INVOKEAI_CONTAINER = "invokeai";
export const INVOKEAI_PORT = 9090;
export const INVOKEAI_HEALTH_PATH = "/api/v1/app/version";
/** The worker container's probe and metrics port (worker HEALTH_PORT). */
export const WORKER_HEALTH_PORT = 9102;
/** uid the InvokeAI image creates for its own user; every container of the pod runs as it. */
export const WORKER_UID = 1000;
/** Seconds kept after the longest job to hand a job back and upload its result. */
export const HANDOVER_RESERVE_SECONDS = 30;
const MODELS_DIR = "/models";
const SIDECAR_INDEX = 1;
const INVOKEAI_ROOT = "/invokeai";

const { namespace, serviceAccount } = Workload.worker;

/**
 * GPU worker pods. The operator owns the replica count (scale subresource), so the manifest has
 * no `replicas`: re-applying it never resets a scaled pool. InvokeAI runs as a native sidecar
 * (an init container with restartPolicy Always): it is up before the worker starts and is
 * stopped only after the worker has finished its job on SIGTERM.
 */
export class WorkerChart extends Chart {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    const labels = componentLabels("worker");
    const config = workerConfig(settings);
    new k8s.KubeServiceAccount(this, "sa", { metadata: meta(serviceAccount, namespace, labels), automountServiceAccountToken: false });
    new k8s.KubeConfigMap(this, "config", { metadata: meta(WORKER_DEPLOYMENT, namespace, labels), data: config });
    new PatchedDeployment(this, "deployment", {
      metadata: {
        ...meta(WORKER_DEPLOYMENT, namespace, labels),
        annotations: scanSkips(
          ScanException.imageDigest,
          ScanException.pullAlways,
          ScanException.secretEnv,
          ScanException.invokeaiUid,
        ),
      },
      spec: {
        revisionHistoryLimit: 5,
        selector: { matchLabels: selectorLabels("worker") },
        // New GPU pods come up before old ones go; old ones finish their job in the grace period.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: k8s.IntOrString.fromString("25%"), maxUnavailable: k8s.IntOrString.fromNumber(0) } },
        template: {
          metadata: { labels, annotations: configChecksum(config) },
          spec: workerPodSpec(settings),
        },
      },
    }, [JsonPatch.add(`/spec/template/spec/initContainers/${SIDECAR_INDEX}/restartPolicy`, "Always")]);
  }
}

/** Grace period: the longest job plus the reserve to hand it back or store its result. */
export function terminationGraceSeconds(s: Settings): number {
  return s.sizing.longestJobSeconds + HANDOVER_RESERVE_SECONDS;
}

function workerConfig(s: Settings): Record<string, string> {
  return {
    ...dataPlaneConfig(s),
    BACKEND: "invokeai",
    INVOKEAI_URL: `http://127.0.0.1:${INVOKEAI_PORT}`,
    GRACE_PERIOD_SECONDS: String(terminationGraceSeconds(s)),
    HANDOVER_RESERVE_SECONDS: String(HANDOVER_RESERVE_SECONDS),
    GENERATION_TIMEOUT_SECONDS: String(s.sizing.longestJobSeconds),
    HEALTH_PORT: String(WORKER_HEALTH_PORT),
  };
}

function workerPodSpec(s: Settings): k8s.PodSpec {
  return {
    serviceAccountName: serviceAccount,
    automountServiceAccountToken: false,
    securityContext: restrictedPod(WORKER_UID),
    terminationGracePeriodSeconds: terminationGraceSeconds(s),
    tolerations: [{ key: GpuNode.taint.key, operator: "Equal", value: GpuNode.taint.value, effect: GpuNode.taint.effect }],
    affinity: gpuNodeAffinity(s),
    // Order matters: models are synced before InvokeAI starts (SIDECAR_INDEX points at it).
    initContainers: [syncModels(s), invokeai(s)],
    containers: [worker(s)],
    volumes: [
      { name: "models", emptyDir: { sizeLimit: k8s.Quantity.fromString(`${s.sizing.modelsDiskGi}Gi`) } },
      { name: "invokeai-root", emptyDir: { sizeLimit: k8s.Quantity.fromString("10Gi") } },
      { name: "invokeai-tmp", emptyDir: { sizeLimit: k8s.Quantity.fromString("4Gi") } },
      { name: "sync-tmp", emptyDir: { sizeLimit: k8s.Quantity.fromString("256Mi") } },
      { name: "worker-tmp", emptyDir: { sizeLimit: k8s.Quantity.fromString("1Gi") } },
    ],
  };
}

/** Only Genpool GPU nodes of the pool's node groups; spot preferred when both have room. */
function gpuNodeAffinity(s: Settings): k8s.Affinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: GpuNode.roleLabel, operator: "In", values: ["true"] },
              { key: GpuNode.nodegroupLabel, operator: "In", values: [s.gpuNodegroups.spot, s.gpuNodegroups.onDemand] },
            ],
          },
        ],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 100, preference: { matchExpressions: [{ key: GpuNode.capacityTypeLabel, operator: "In", values: ["SPOT"] }] } },
      ],
    },
  };
}

function syncModels(s: Settings): k8s.Container {
  return {
    name: "sync-models",
    image: s.images.awsCli,
    imagePullPolicy: s.images.pullPolicy,
    command: ["aws", "s3", "sync", s.aws.modelsS3Uri, MODELS_DIR, "--only-show-errors", "--no-progress"],
    env: envList({ AWS_REGION: s.aws.region, HOME: "/tmp" }),
    resources: {
      requests: { cpu: k8s.Quantity.fromString("250m"), memory: k8s.Quantity.fromString("256Mi") },
      limits: { cpu: k8s.Quantity.fromString("1"), memory: k8s.Quantity.fromString("512Mi") },
    },
    securityContext: restrictedContainer(),
    volumeMounts: [
      { name: "models", mountPath: MODELS_DIR },
      { name: "sync-tmp", mountPath: "/tmp" },
    ],
  };
}

/** Calls the version endpoint from inside the pod: InvokeAI listens on loopback only. */
function invokeaiProbe(periodSeconds: number, failureThreshold: number): k8s.Probe {
  const url = `http://127.0.0.1:${INVOKEAI_PORT}${INVOKEAI_HEALTH_PATH}`;
  return {
    exec: { command: ["python", "-c", `import urllib.request; urllib.request.urlopen('${url}', timeout=3)`] },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold,
  };
}

function invokeai(s: Settings): k8s.Container {
  return {
    name: INVOKEAI_CONTAINER,
    image: s.images.invokeai,
    imagePullPolicy: s.images.pullPolicy,
    // Bypasses the image entrypoint, which needs root to chown and gosu (see docs/CHARTS.md).
    command: ["invokeai-web"],
    env: envList({
      HOME: INVOKEAI_ROOT,
      HF_HOME: `${INVOKEAI_ROOT}/.cache/huggingface`,
      HF_HUB_OFFLINE: "1",
      TMPDIR: "/tmp",
      INVOKEAI_ROOT,
      INVOKEAI_HOST: "127.0.0.1",
      INVOKEAI_PORT: String(INVOKEAI_PORT),
      INVOKEAI_MODELS_DIR: MODELS_DIR,
      INVOKEAI_SCAN_MODELS_ON_STARTUP: "true",
      INVOKEAI_HASHING_ALGORITHM: "random",
      INVOKEAI_NODE_CACHE_SIZE: "0",
      INVOKEAI_MAX_CACHE_RAM_GB: String(s.sizing.invokeaiMaxCacheRamGb),
      INVOKEAI_MAX_QUEUE_HISTORY: "100",
    }),
    // Model loads take tens of seconds: up to 10 minutes to start, then restart after 1 minute of silence.
    startupProbe: invokeaiProbe(5, 120),
    livenessProbe: invokeaiProbe(20, 3),
    readinessProbe: invokeaiProbe(10, 3),
    resources: {
      requests: {
        cpu: k8s.Quantity.fromString(s.sizing.invokeaiCpuRequest),
        memory: k8s.Quantity.fromString(s.sizing.invokeaiMemoryRequest),
        "ephemeral-storage": k8s.Quantity.fromString(`${s.sizing.modelsDiskGi + 2}Gi`),
      },
      limits: {
        cpu: k8s.Quantity.fromString(s.sizing.invokeaiCpuLimit),
        memory: k8s.Quantity.fromString(s.sizing.invokeaiMemoryLimit),
        [GpuNode.resource]: k8s.Quantity.fromNumber(1),
      },
    },
    securityContext: restrictedContainer(),
    volumeMounts: [
      { name: "models", mountPath: MODELS_DIR },
      { name: "invokeai-root", mountPath: INVOKEAI_ROOT },
      { name: "invokeai-tmp", mountPath: "/tmp" },
    ],
  };
}

function worker(s: Settings): k8s.Container {
  return {
    name: WORKER_CONTAINER,
    image: s.images.worker,
    imagePullPolicy: s.images.pullPolicy,
    envFrom: [{ configMapRef: { name: WORKER_DEPLOYMENT } }],
    env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }, ...dbCredentials(), ...redisCredentials(s)],
    ports: [{ name: "health", containerPort: WORKER_HEALTH_PORT }],
    // Liveness: the event loop answers. Readiness: InvokeAI answered, the queue worker runs, Redis is connected.
    livenessProbe: { httpGet: { path: "/healthz", port: k8s.IntOrString.fromString("health") }, periodSeconds: 20, timeoutSeconds: 3, failureThreshold: 3 },
    readinessProbe: { httpGet: { path: "/readyz", port: k8s.IntOrString.fromString("health") }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    resources: {
      requests: { cpu: k8s.Quantity.fromString(s.sizing.workerCpuRequest), memory: k8s.Quantity.fromString(s.sizing.workerMemoryLimit) },
      limits: { cpu: k8s.Quantity.fromString(s.sizing.workerCpuLimit), memory: k8s.Quantity.fromString(s.sizing.workerMemoryLimit) },
    },
    securityContext: restrictedContainer(),
    volumeMounts: [{ name: "worker-tmp", mountPath: "/tmp" }],
  };
}
