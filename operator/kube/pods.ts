import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { httpStatus } from "./client.ts";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** The annotation the ReplicaSet controller reads to choose which pods go first on scale-down. */
export const deletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";

/** A worker pod as the operator sees it. */
export interface WorkerPod {
  name: string;
  /** Current pod-deletion-cost annotation, undefined when absent. */
  deletionCost: string | undefined;
  /** Being deleted already. */
  terminating: boolean;
  /** The node it is bound to, once scheduled. */
  nodeName?: string | undefined;
  /** spec.terminationGracePeriodSeconds (undefined: Kubernetes' default). */
  terminationGracePeriodSeconds?: number | undefined;
  /** ms epoch of metadata.deletionTimestamp (when the kubelet kills it), if being deleted. */
  deletionDeadline?: number | undefined;
  /** status.phase. */
  phase?: string | undefined;
  /** The Ready condition is True. */
  ready?: boolean | undefined;
  /** ms epoch of metadata.creationTimestamp. */
  createdAt?: number | undefined;
}

/** Lists worker pods, sets their deletion cost, deletes them with a chosen grace period. */
export class PodClient {
  private readonly api: CoreV1Api;
  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  /** Pods matching the Deployment's selector. */
  async list(namespace: string, labelSelector: string): Promise<WorkerPod[]> {
    const list = await this.api.listNamespacedPod({ namespace, labelSelector });
    return list.items.map(toWorkerPod);
  }

  /** Sets the pod's deletion cost (an int32 as a string). */
  async setDeletionCost(namespace: string, name: string, cost: number): Promise<void> {
    const body = { metadata: { annotations: { [deletionCostAnnotation]: String(cost) } } };
    await this.api.patchNamespacedPod({ namespace, name, body }, mergePatch);
  }

  /**
   * Deletes a pod with `gracePeriodSeconds` (the kubelet's SIGTERM-to-SIGKILL window; undefined:
   * the pod's own terminationGracePeriodSeconds); a second delete with a shorter grace shortens
   * it. A pod already gone counts as deleted.
   */
  async delete(namespace: string, name: string, gracePeriodSeconds?: number): Promise<void> {
    try {
      await this.api.deleteNamespacedPod({ namespace, name, gracePeriodSeconds });
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
  }
}

function toWorkerPod(p: V1Pod): WorkerPod {
  return { ...identity(p), ...state(p) };
}

function identity(p: V1Pod): Pick<WorkerPod, "name" | "deletionCost" | "nodeName" | "terminationGracePeriodSeconds" | "createdAt"> {
  return {
    name: p.metadata?.name ?? "",
    createdAt: p.metadata?.creationTimestamp === undefined ? undefined : new Date(p.metadata.creationTimestamp).getTime(),
    deletionCost: p.metadata?.annotations?.[deletionCostAnnotation],
    nodeName: p.spec?.nodeName,
    terminationGracePeriodSeconds: p.spec?.terminationGracePeriodSeconds,
  };
}

function state(p: V1Pod): Pick<WorkerPod, "terminating" | "deletionDeadline" | "phase" | "ready"> {
  return {
    terminating: p.metadata?.deletionTimestamp !== undefined,
    deletionDeadline: p.metadata?.deletionTimestamp === undefined ? undefined : new Date(p.metadata.deletionTimestamp).getTime(),
    phase: p.status?.phase,
    ready: p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false,
  };
}
