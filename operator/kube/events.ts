import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { GenerationPoolApi as Api } from "../resource/index.ts";
import { rfc3339 } from "./client.ts";

/** The component name on Events the operator emits. */
export const reportingComponent = "genpool-operator";

/** One Event about a pool. */
export interface PoolEvent {
  namespace: string;
  pool: string;
  uid: string | undefined;
  type: "Normal" | "Warning";
  /** CamelCase, e.g. ScaledUp. */
  reason: string;
  message: string;
  /** ms epoch. */
  at: number;
}

/** Writes core/v1 Events on GenerationPools (`kubectl describe gp` shows them). */
export class EventClient {
  private readonly api: CoreV1Api;
  constructor(kc: KubeConfig, private readonly instance: string) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  async emit(e: PoolEvent): Promise<void> {
    const time = rfc3339(e.at) as unknown as Date;
    await this.api.createNamespacedEvent({
      namespace: e.namespace,
      body: {
        metadata: { namespace: e.namespace, generateName: `${e.pool}.` },
        involvedObject: { apiVersion: Api.apiVersion, kind: Api.kind, name: e.pool, namespace: e.namespace, uid: e.uid },
        type: e.type,
        reason: e.reason,
        message: e.message,
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
        source: { component: reportingComponent },
        reportingComponent,
        reportingInstance: this.instance,
        action: "Scale",
      },
    });
  }
}
