import { AppsV1Api, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { httpStatus } from "./client.ts";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** What the operator reads from a worker Deployment. */
export interface WorkerDeployment {
  /** spec.replicas. */
  replicas: number;
  /** status.readyReplicas. */
  ready: number;
  /** spec.selector.matchLabels as a label selector string, to find the worker pods. */
  selector: string;
}

/** Reads worker Deployments and writes their scale subresource. */
export class DeploymentClient {
  private readonly api: AppsV1Api;
  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(AppsV1Api);
  }

  /** The Deployment's figures, or undefined when it does not exist. */
  async get(namespace: string, name: string): Promise<WorkerDeployment | undefined> {
    try {
      const d = await this.api.readNamespacedDeployment({ namespace, name });
      const labels = d.spec?.selector.matchLabels ?? {};
      return {
        replicas: d.spec?.replicas ?? 1,
        ready: d.status?.readyReplicas ?? 0,
        selector: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(","),
      };
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw err;
    }
  }

  /** Sets spec.replicas through the scale subresource (the only field the operator owns). */
  async scale(namespace: string, name: string, replicas: number): Promise<void> {
    await this.api.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas } } }, mergePatch);
  }
}
