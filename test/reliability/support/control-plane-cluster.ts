/**
 * Objects on a private control plane (control-plane.ts): the GenerationPool CRD, a namespace,
 * fake GPU nodes, a worker Deployment and a pool, built from the same manifests the shared-sandbox
 * helpers use (test/support, test/operator/support), and the reads the fault tests make.
 *
 * Reads go through a client of the private API server, so they fail while it is stopped; the
 * tests poll them with eventually(), which retries errors until its timeout.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { GenerationPoolApi as Api, generationPoolCrd, type GenerationPoolStatus } from "../../../operator/resource/index.ts";
import { gpuDeploymentManifest } from "../../support/gpu-workloads.ts";
import { gpuNodeManifest } from "../../support/gpu-nodes.ts";
import { poolManifest } from "../../operator/support/operator.ts";
import type { PrivateControlPlane } from "./control-plane.ts";

/** kubectl against the private control plane; throws with stderr on a non-zero exit. */
export function kubectlOn(cp: PrivateControlPlane, args: string[], input = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(cp.bin, "kubectl"), [`--kubeconfig=${cp.kubeconfig}`, ...args], { stdio: ["pipe", "pipe", "pipe"], timeout: 90_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`kubectl ${args.join(" ")} exited ${code}: ${stderr}`))));
    child.stdin.end(input);
  });
}

/** What a pool on the private control plane is made of. */
export interface PrivatePool {
  namespace: string;
  pool: string;
  deployment: string;
  queue: string;
  nodegroup: string;
}

/**
 * CRD, namespace, `gpuNodes` fake nodes with 4 GPUs each, a worker Deployment at 1 replica and a
 * pool with `spec`. The whole control plane is removed by the test's teardown, so nothing here
 * registers a teardown of its own.
 */
export async function createPrivatePool(cp: PrivateControlPlane, o: { queue: string; gpuNodes: number; spec: (deployment: string, queue: string) => Record<string, unknown> }): Promise<PrivatePool> {
  const kc = cp.kubeConfig();
  await kubectlOn(cp, ["apply", "--server-side", "--field-manager=genpool-tests", "-f", "-"], JSON.stringify(generationPoolCrd()));
  await kubectlOn(cp, ["wait", "--for=condition=Established", "--timeout=60s", `crd/${Api.plural}.${Api.group}`]);
  const namespace = "genpool-faults";
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await waitForDefaultServiceAccount(core, namespace);
  const nodegroup = "gpu-faults";
  for (let i = 0; i < o.gpuNodes; i++) {
    await core.createNode({ body: gpuNodeManifest({ name: `${nodegroup}-${i}`, nodegroup, capacityType: "ON_DEMAND", instanceType: "g5.12xlarge", gpus: 4 }) });
  }
  const deployment = "workers";
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace, body: gpuDeploymentManifest({ namespace, name: deployment, replicas: 1, nodegroup }) });
  await createPoolOn(kc, namespace, "pool", o.spec(deployment, o.queue));
  return { namespace, pool: "pool", deployment, queue: o.queue, nodegroup };
}

/** Creates a GenerationPool on the cluster `kc` points at. */
export async function createPoolOn(kc: KubeConfig, namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({ group: Api.group, version: Api.version, plural: Api.plural, namespace, body: poolManifest(namespace, name, spec) });
}

async function waitForDefaultServiceAccount(core: CoreV1Api, namespace: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await core.readNamespacedServiceAccount({ namespace, name: "default" });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`namespace ${namespace}: no default ServiceAccount after 60 s: ${String(error)}`);
      await sleep(100);
    }
  }
}

/** A pool as stored: its status and resourceVersion (a status write changes it). */
export async function readPool(kc: KubeConfig, namespace: string, name: string): Promise<{ status: GenerationPoolStatus; resourceVersion: string }> {
  const obj = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: Api.group, version: Api.version, plural: Api.plural, namespace, name })) as {
    status?: GenerationPoolStatus;
    metadata: { resourceVersion: string };
  };
  return { status: obj.status ?? {}, resourceVersion: obj.metadata.resourceVersion };
}

/** Whether the pod exists and is not being deleted. */
export async function podAlive(kc: KubeConfig, namespace: string, name: string): Promise<boolean> {
  try {
    const pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name });
    return pod.metadata?.deletionTimestamp === undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === 404) return false;
    throw error;
  }
}
