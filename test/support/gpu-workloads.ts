/** GPU workloads for scheduling tests: a Deployment shaped like a Genpool worker and reads of its pods. */
import { AppsV1Api, CoreV1Api, type V1Deployment, type V1Pod } from "@kubernetes/client-node";
import { GpuNode } from "../../cluster/contract.ts";
import { kubeConfig } from "./sandbox.ts";

/** A GPU Deployment to create. */
export interface GpuDeploymentOptions {
  namespace: string;
  name: string;
  replicas: number;
  /** Only nodes of this node group are eligible (keeps parallel tests on their own nodes). */
  nodegroup: string;
  /** @default 1 */
  gpusPerPod?: number;
}

/** A Deployment whose pods request `nvidia.com/gpu`, tolerate the GPU taint and select one node group. */
export function gpuDeploymentManifest(options: GpuDeploymentOptions): V1Deployment {
  const gpus = String(options.gpusPerPod ?? 1);
  const labels = { app: options.name };
  return {
    metadata: { name: options.name, namespace: options.namespace, labels },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { [GpuNode.roleLabel]: "true", [GpuNode.nodegroupLabel]: options.nodegroup },
          tolerations: [{ key: GpuNode.taint.key, operator: "Equal", value: GpuNode.taint.value, effect: GpuNode.taint.effect }],
          containers: [{
            name: "worker",
            image: "registry.k8s.io/pause:3.10",
            resources: { requests: { [GpuNode.resource]: gpus, cpu: "100m" }, limits: { [GpuNode.resource]: gpus } },
          }],
        },
      },
    },
  };
}

/** Creates the GPU Deployment. */
export async function createGpuDeployment(options: GpuDeploymentOptions): Promise<V1Deployment> {
  return kubeConfig().makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: options.namespace, body: gpuDeploymentManifest(options) });
}

/** Pods of a Deployment made by createGpuDeployment (label app=<name>), without those being deleted. */
export async function podsOf(namespace: string, name: string, kc = kubeConfig()): Promise<V1Pod[]> {
  const list = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: `app=${name}` });
  return list.items.filter((pod) => !pod.metadata?.deletionTimestamp);
}

/** Pods in phase Running. */
export const running = (pods: V1Pod[]): V1Pod[] => pods.filter((pod) => pod.status?.phase === "Running");

/** Pods the scheduler reported as unschedulable (condition PodScheduled=False, reason Unschedulable). */
export const unschedulable = (pods: V1Pod[]): V1Pod[] =>
  pods.filter((pod) => pod.status?.conditions?.some((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable"));
