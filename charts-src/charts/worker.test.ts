import test from "ava";
import { k8s } from "cdk8s-plus-27";
import { GpuNode, Workload } from "../../cluster/contract.ts";
import { localSettings } from "../config/local.ts";
import type { Settings } from "../config/settings.ts";
import { exampleProductionSettings } from "../lib/fixtures.ts";
import { allManifests, find } from "../lib/manifests.ts";
import { INVOKEAI_CONTAINER, WORKER_CONTAINER, WORKER_DEPLOYMENT } from "./worker.ts";

type Container = k8s.Container & { restartPolicy?: string };
interface PodSpecJson extends Omit<k8s.PodSpec, "containers" | "initContainers"> {
  containers: Container[];
  initContainers: Container[];
}
interface DeploymentJson {
  spec: { replicas?: number; template: { spec: PodSpecJson } };
}

const environments: [string, () => Settings][] = [
  ["local", localSettings],
  ["production", () => exampleProductionSettings()],
];

function workerPod(settings: Settings): { deployment: DeploymentJson; pod: PodSpecJson } {
  const deployment = find<DeploymentJson>(allManifests(settings), "Deployment", WORKER_DEPLOYMENT, Workload.worker.namespace);
  return { deployment, pod: deployment.spec.template.spec };
}

const container = (pod: PodSpecJson, name: string): Container => {
  const c = [...pod.initContainers, ...pod.containers].find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
};

const envValue = (c: Container, name: string): string | undefined => c.env?.find((e) => e.name === name)?.value;

for (const [env, settings] of environments) {
  test(`${env}: the worker Deployment has no replicas field, so re-applying never resets what the operator scaled`, (t) => {
    const { deployment } = workerPod(settings());
    t.false("replicas" in deployment.spec);
  });

  test(`${env}: InvokeAI asks for one GPU as a number, not a string or null`, (t) => {
    const limits = container(workerPod(settings()).pod, INVOKEAI_CONTAINER).resources?.limits as Record<string, unknown>;
    t.is(limits[GpuNode.resource], 1);
    t.is(typeof limits[GpuNode.resource], "number");
  });

  test(`${env}: only the InvokeAI container holds a GPU`, (t) => {
    const { pod } = workerPod(settings());
    const holders = [...pod.initContainers, ...pod.containers].filter((c) => (c.resources?.limits as Record<string, unknown> | undefined)?.[GpuNode.resource] !== undefined);
    t.deepEqual(holders.map((c) => c.name), [INVOKEAI_CONTAINER]);
  });

  test(`${env}: workers tolerate the GPU taint and land only on Genpool GPU nodes of the pool's node groups`, (t) => {
    const s = settings();
    const { pod } = workerPod(s);
    t.deepEqual(pod.tolerations, [{ key: GpuNode.taint.key, operator: "Equal", value: GpuNode.taint.value, effect: GpuNode.taint.effect }]);
    const terms = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    t.is(terms.length, 1);
    t.deepEqual(terms[0]!.matchExpressions, [
      { key: GpuNode.roleLabel, operator: "In", values: ["true"] },
      { key: GpuNode.nodegroupLabel, operator: "In", values: [s.gpuNodegroups.spot, s.gpuNodegroups.onDemand] },
    ]);
    const preferred = pod.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    t.deepEqual(preferred[0]?.preference.matchExpressions, [{ key: GpuNode.capacityTypeLabel, operator: "In", values: ["SPOT"] }]);
  });

  test(`${env}: InvokeAI is a native sidecar started after the model sync and probed on /api/v1/app/version:9090`, (t) => {
    const { pod } = workerPod(settings());
    t.deepEqual(pod.initContainers.map((c) => [c.name, c.restartPolicy]), [["sync-models", undefined], [INVOKEAI_CONTAINER, "Always"]]);
    const invokeai = container(pod, INVOKEAI_CONTAINER);
    for (const probe of [invokeai.startupProbe, invokeai.livenessProbe, invokeai.readinessProbe]) {
      t.truthy(probe?.exec?.command?.join(" ").includes("http://127.0.0.1:9090/api/v1/app/version"));
    }
    t.deepEqual(invokeai.command, ["invokeai-web"]);
    t.is(envValue(invokeai, "INVOKEAI_HOST"), "127.0.0.1");
    t.is(envValue(invokeai, "INVOKEAI_PORT"), "9090");
  });

  test(`${env}: InvokeAI's RAM cache is bounded below its memory limit`, (t) => {
    const s = settings();
    const invokeai = container(workerPod(s).pod, INVOKEAI_CONTAINER);
    const cacheGb = Number(envValue(invokeai, "INVOKEAI_MAX_CACHE_RAM_GB"));
    const limit = (invokeai.resources?.limits as unknown as Record<string, string>).memory!;
    t.regex(limit, /^\d+Gi$/);
    t.true(cacheGb >= 1 && cacheGb < Number.parseInt(limit, 10), `cache ${cacheGb} GB, limit ${limit}`);
  });

  test(`${env}: the InvokeAI image is a pinned release tag`, (t) => {
    const invokeai = container(workerPod(settings()).pod, INVOKEAI_CONTAINER);
    t.regex(invokeai.image ?? "", /^ghcr\.io\/invoke-ai\/invokeai:v\d+\.\d+\.\d+-cuda$/);
  });

  test(`${env}: the init container syncs the models prefix from S3 into the shared models volume`, (t) => {
    const s = settings();
    const sync = container(workerPod(s).pod, "sync-models");
    t.deepEqual(sync.command?.slice(0, 5), ["aws", "s3", "sync", s.aws.modelsS3Uri, "/models"]);
    t.regex(s.aws.modelsS3Uri, /^s3:\/\/[^/]+\/models\/$/);
    t.true(container(workerPod(s).pod, INVOKEAI_CONTAINER).volumeMounts?.some((m) => m.name === "models" && m.mountPath === "/models"));
  });

  test(`${env}: the worker knows its pod name and reaches InvokeAI in-pod`, (t) => {
    const { pod } = workerPod(settings());
    const worker = container(pod, WORKER_CONTAINER);
    t.deepEqual(worker.env?.find((e) => e.name === "POD_NAME")?.valueFrom, { fieldRef: { fieldPath: "metadata.name" } });
    t.deepEqual(worker.envFrom, [{ configMapRef: { name: WORKER_DEPLOYMENT } }]);
    const config = find<{ data: Record<string, string> }>(allManifests(settings()), "ConfigMap", WORKER_DEPLOYMENT).data;
    t.is(config.INVOKEAI_URL, "http://127.0.0.1:9090");
    t.is(config.QUEUE_NAME, "gpu-generation");
    t.truthy(config.DB_HOST && config.REDIS_HOST && config.S3_BUCKET);
  });

  test(`${env}: the worker's probes call the port its configuration opens`, (t) => {
    const worker = container(workerPod(settings()).pod, WORKER_CONTAINER);
    const config = find<{ data: Record<string, string> }>(allManifests(settings()), "ConfigMap", WORKER_DEPLOYMENT).data;
    const port = worker.ports?.find((p) => p.name === "health");
    t.is(Number(config.HEALTH_PORT), port?.containerPort ?? -1);
    t.like(worker.livenessProbe?.httpGet, { path: "/healthz", port: "health" });
    t.like(worker.readinessProbe?.httpGet, { path: "/readyz", port: "health" });
  });

  test(`${env}: the grace period covers the longest job plus the hand-back reserve`, (t) => {
    const s = settings();
    const { pod } = workerPod(s);
    const config = find<{ data: Record<string, string> }>(allManifests(s), "ConfigMap", WORKER_DEPLOYMENT).data;
    t.true(pod.terminationGracePeriodSeconds! > s.sizing.longestJobSeconds);
    t.is(Number(config.GRACE_PERIOD_SECONDS), pod.terminationGracePeriodSeconds ?? -1);
    t.is(Number(config.GENERATION_TIMEOUT_SECONDS), s.sizing.longestJobSeconds);
    t.true(Number(config.HANDOVER_RESERVE_SECONDS) < pod.terminationGracePeriodSeconds!);
  });

  test(`${env}: the pod template carries no deletion cost, so the operator's per-pod annotation is the only one`, (t) => {
    const deployment = find<{ spec: { template: { metadata: { annotations?: Record<string, string> } } } }>(allManifests(settings()), "Deployment", WORKER_DEPLOYMENT);
    t.false("controller.kubernetes.io/pod-deletion-cost" in (deployment.spec.template.metadata.annotations ?? {}));
  });
}
