import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Node } from "@kubernetes/client-node";
import { GpuNode } from "../../cluster/contract.ts";
import type { NodeKube } from "../aws/carry-out-node-plan.ts";
import { httpStatus } from "./client.ts";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** GPU Nodes (by the Genpool role label), and the Kubernetes half of the node act step. */
export class NodeClient implements NodeKube {
  private readonly api: CoreV1Api;
  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  /** Every Node labelled as a Genpool GPU node. */
  async listGpuNodes(): Promise<V1Node[]> {
    return (await this.api.listNode({ labelSelector: `${GpuNode.roleLabel}=true` })).items;
  }

  /** Sets spec.unschedulable. */
  async cordon(node: string): Promise<void> {
    await this.api.patchNode({ name: node, body: { spec: { unschedulable: true } } }, mergePatch);
  }

  /** Deletes a worker pod; one already gone counts as deleted. */
  async deletePod(namespace: string, name: string): Promise<void> {
    try {
      await this.api.deleteNamespacedPod({ namespace, name });
    } catch (err) {
      if (httpStatus(err) !== 404) throw err;
    }
  }
}
