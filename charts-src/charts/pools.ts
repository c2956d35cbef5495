import { ApiObject, Chart } from "cdk8s";
import type { Construct } from "constructs";
import { Workload } from "../../cluster/contract.ts";
import { GenerationPoolApi } from "../../operator/resource/index.ts";
import type { Settings } from "../config/settings.ts";
import { QUEUE_NAME, QUEUE_PREFIX } from "../lib/env.ts";
import { PART_OF } from "../lib/meta.ts";
import { WORKER_CONTAINER, WORKER_DEPLOYMENT } from "./worker.ts";

/** Name of the default pool. */
export const DEFAULT_POOL = "sdxl";
/** Largest worker count of the default pool (one GPU each). */
export const DEFAULT_POOL_MAX_WORKERS = 20;

/**
 * The default GenerationPool: 5 queued jobs per worker, spot nodes first, one on-demand node
 * as base capacity (and the fallback when spot is short), at most 20 workers. Workers per node
 * are left to the operator, which reads the GPUs of each group's instance type.
 */
export class PoolsChart extends Chart {
  constructor(scope: Construct, id: string, settings: Settings) {
    super(scope, id);
    new ApiObject(this, DEFAULT_POOL, {
      apiVersion: GenerationPoolApi.apiVersion,
      kind: GenerationPoolApi.kind,
      metadata: { name: DEFAULT_POOL, namespace: Workload.worker.namespace, labels: { ...PART_OF } },
      spec: {
        queue: { name: QUEUE_NAME, prefix: QUEUE_PREFIX },
        workload: { deploymentName: WORKER_DEPLOYMENT, containerName: WORKER_CONTAINER },
        replicas: { min: 1, max: DEFAULT_POOL_MAX_WORKERS, warmIdle: 0 },
        targetBacklogPerWorker: 5,
        onDemandBaseNodes: 1,
        nodeGroups: [
          { name: settings.gpuNodegroups.spot, capacityType: "spot", priority: 0, minNodes: 0, maxNodes: DEFAULT_POOL_MAX_WORKERS },
          { name: settings.gpuNodegroups.onDemand, capacityType: "on-demand", priority: 1, minNodes: 1, maxNodes: DEFAULT_POOL_MAX_WORKERS },
        ],
      },
    });
  }
}
