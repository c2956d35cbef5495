/** A namespace with fake GPU nodes, a worker Deployment and a GenerationPool, for operator tests. */
import type { ExecutionContext } from "ava";
import { Queue } from "bullmq";
import { closeQueue } from "../../../api/test-support.ts";
import { createGpuDeployment } from "../../support/gpu-workloads.ts";
import { useGpuNode } from "../../support/gpu-nodes.ts";
import { sandboxEnv, uniqueName, useNamespace } from "../../support/sandbox.ts";
import { createPool, installCrd } from "./operator.ts";

/** What a test gets. */
export interface PoolFixture {
  namespace: string;
  pool: string;
  deployment: string;
  queue: string;
  nodegroup: string;
}

/** Spec fields most tests share: a 5-jobs-per-worker target and short windows. */
export function fastSpec(deployment: string, queue: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    queue: { name: queue },
    workload: { deploymentName: deployment },
    replicas: { min: 1, max: 12 },
    targetBacklogPerWorker: 5,
    scaleUp: { stabilizationSeconds: 0, maxStepWorkers: 20, stepPeriodSeconds: 1 },
    scaleDown: { stabilizationSeconds: 3, maxStepWorkers: 20, stepPeriodSeconds: 1, scaleToZeroDelaySeconds: 0 },
    ...overrides,
  };
}

/**
 * Namespace, `gpuNodes` fake GPU nodes with 4 GPUs each (one node group of its own), a worker
 * Deployment at `replicas`, and a pool made with `spec(deployment, queue)`.
 */
export async function usePoolFixture(
  t: ExecutionContext,
  options: { gpuNodes?: number; replicas?: number; spec?: (deployment: string, queue: string) => Record<string, unknown> } = {},
): Promise<PoolFixture> {
  await installCrd();
  const namespace = await useNamespace(t);
  const nodegroup = uniqueName(t, "ng");
  const nodes = options.gpuNodes ?? 3;
  for (let i = 0; i < nodes; i++) {
    await useGpuNode(t, { name: `${nodegroup}-${i}`, nodegroup, capacityType: "ON_DEMAND", instanceType: "g5.12xlarge", gpus: 4 });
  }
  const deployment = "workers";
  await createGpuDeployment({ namespace, name: deployment, replicas: options.replicas ?? 1, nodegroup });
  const queue = uniqueName(t, "q");
  const pool = "pool";
  await createPool(namespace, pool, (options.spec ?? fastSpec)(deployment, queue));
  return { namespace, pool, deployment, queue, nodegroup };
}

/** A producer queue for `fx`'s pool on the sandbox's Redis, closed (once ready) when the test ends. */
export function usePoolQueue(t: ExecutionContext, fx: Pick<PoolFixture, "queue">): Queue {
  const env = sandboxEnv();
  const queue = new Queue(fx.queue, { connection: { host: env.REDIS_HOST, port: env.REDIS_PORT } });
  t.teardown(() => closeQueue(queue));
  return queue;
}
