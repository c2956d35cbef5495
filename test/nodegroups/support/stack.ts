/**
 * TEST GLUE, not product code: one GenerationPool end to end on the sandbox, for the e2e test and
 * `npm run demo`. A moto EKS cluster with a spot and an on-demand GPU node group, the node mirror
 * (instances -> KWOK GPU nodes), a namespace with the worker Deployment and the pool, a database
 * schema and an S3 bucket of its own, the real operator process with EKS_CLUSTER_NAME, and a real
 * worker process per Running worker pod (support/worker-pods.ts).
 *
 * Everything is named after a random cluster id, so several stacks share one sandbox.
 */
import { randomBytes } from "node:crypto";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { DescribeNodegroupCommand, type EKSClient } from "@aws-sdk/client-eks";
import { Queue } from "bullmq";
import { GpuNode } from "../../../cluster/contract.ts";
import { createWorld, type World } from "../../../api/test-support.ts";
import { enqueueGeneration } from "../../../worker/test-support.ts";
import type { JobData } from "../../../worker/job/schema.ts";
import { gpuDeploymentManifest } from "../../support/gpu-workloads.ts";
import { ignoreNotFound, kubeConfig, sandboxEnv, testNamespaceLabel } from "../../support/sandbox.ts";
import { createPool, installCrd, operatorEnv } from "../../operator/support/operator.ts";
import { OperatorProcess } from "../../support/operator-process.ts";
import { fastSpec } from "../../operator/support/fixtures.ts";
import { mirrorClusterLabel, NodeGroupMirror } from "../mirror.ts";
import { createMotoCluster, motoEks } from "./moto-eks.ts";
import { WorkerPods } from "./worker-pods.ts";

/** Timings and sizes of a stack. */
export interface StackOptions {
  /** @default 2000 */
  bootDelayMs?: number;
  /** @default 5 */
  spotFallbackDelaySeconds?: number;
  /** @default 2 */
  nodeScaleDownDelaySeconds?: number;
  /** replicas.max. @default 4 */
  maxWorkers?: number;
  /** @default 10 */
  targetBacklogPerWorker?: number;
  /** @default 6 */
  spotMaxNodes?: number;
  /** @default 6 */
  onDemandMaxNodes?: number;
  /** The worker pods' terminationGracePeriodSeconds (and the workers' GRACE_PERIOD_SECONDS). @default 10 */
  graceSeconds?: number;
  /** Each line a worker process prints. */
  onWorkerOutput?: (pod: string, line: string) => void;
  /** Operator log level. @default "debug" */
  operatorLogLevel?: string;
}

/** Name of the worker Deployment and the pool in the stack's namespace. */
export const deploymentName = "workers";
export const poolName = "pool";

/** A running stack; close() removes everything it made. */
export class GpuPoolStack {
  readonly queue: Queue;
  private closers: (() => Promise<unknown>)[] = [];

  readonly cluster: string;
  readonly namespace: string;
  readonly world: World;
  readonly eks: EKSClient;
  readonly mirror: NodeGroupMirror;

  private constructor(parts: { cluster: string; namespace: string; world: World; eks: EKSClient; mirror: NodeGroupMirror }) {
    ({ cluster: this.cluster, namespace: this.namespace, world: this.world, eks: this.eks, mirror: this.mirror } = parts);
    const world = parts.world;
    this.queue = new Queue(world.env.QUEUE_NAME, { connection: { host: world.env.REDIS_HOST, port: world.env.REDIS_PORT } });
  }

  operator!: OperatorProcess;
  workers!: WorkerPods;

  /** The spot and on-demand node group names. */
  get spot(): string {
    return `${this.cluster}-spot`;
  }
  get onDemand(): string {
    return `${this.cluster}-od`;
  }

  /** Brings a stack up (see the file comment). On failure, what was made is removed. */
  static async start(o: StackOptions = {}): Promise<GpuPoolStack> {
    const env = sandboxEnv();
    const cluster = `e2e-${randomBytes(4).toString("hex")}`;
    const eks = motoEks();
    const world = await createWorld();
    const mirror = new NodeGroupMirror({ clusterName: cluster, bootDelayMs: o.bootDelayMs ?? 2000, pollMs: 100 });
    const namespace = `${cluster}-ns`;
    const stack = new GpuPoolStack({ cluster, namespace, world, eks, mirror });
    stack.closers.push(() => world.cleanup(), () => stack.queue.close(), () => Promise.resolve(eks.destroy()));
    try {
      await stack.bringUp(o, env);
    } catch (error) {
      await stack.close();
      throw error;
    }
    return stack;
  }

  private async bringUp(o: StackOptions, env: ReturnType<typeof sandboxEnv>): Promise<void> {
    await createMotoCluster(this.eks, this.cluster, [
      { name: this.spot, capacityType: "SPOT", max: o.spotMaxNodes ?? 6 },
      { name: this.onDemand, capacityType: "ON_DEMAND", max: o.onDemandMaxNodes ?? 6 },
    ]);
    this.mirror.start();
    this.closers.push(() => this.mirror.stop());
    await installCrd();
    await this.createNamespace();
    const grace = o.graceSeconds ?? 10;
    const manifest = gpuDeploymentManifest({ namespace: this.namespace, name: deploymentName, replicas: 0, nodegroup: this.spot });
    const podSpec = manifest.spec!.template.spec!;
    podSpec.nodeSelector = { [GpuNode.roleLabel]: "true", [mirrorClusterLabel]: this.cluster };
    podSpec.terminationGracePeriodSeconds = grace;
    await kubeConfig().makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: this.namespace, body: manifest });
    await createPool(this.namespace, poolName, fastSpec(deploymentName, this.world.env.QUEUE_NAME, {
      replicas: { min: 0, max: o.maxWorkers ?? 4 },
      targetBacklogPerWorker: o.targetBacklogPerWorker ?? 10,
      nodeGroups: [
        { name: this.spot, capacityType: "spot", maxNodes: o.spotMaxNodes ?? 6, workersPerNode: 1 },
        { name: this.onDemand, capacityType: "on-demand", maxNodes: o.onDemandMaxNodes ?? 6, workersPerNode: 1 },
      ],
      onDemandBaseNodes: 0,
      spotFallbackDelaySeconds: o.spotFallbackDelaySeconds ?? 5,
      nodeScaleDownDelaySeconds: o.nodeScaleDownDelaySeconds ?? 2,
    }));
    this.workers = new WorkerPods({
      kubeConfig: kubeConfig(), namespace: this.namespace, selector: `app=${deploymentName}`,
      env: this.workerEnv(env, grace), onOutput: o.onWorkerOutput,
    });
    await this.workers.start();
    this.closers.push(() => this.workers.stop());
    this.operator = await OperatorProcess.start({
      name: `${this.cluster}-operator`,
      env: operatorEnv({
        namespace: this.namespace, redisHost: env.REDIS_HOST, redisPort: env.REDIS_PORT, podName: `${this.cluster}-operator`,
        extraEnv: {
          LOG_LEVEL: o.operatorLogLevel ?? "debug",
          EKS_CLUSTER_NAME: this.cluster,
          AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL, AWS_REGION: env.AWS_REGION,
          AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        },
      }),
    });
    // Stopped before the workers and the mirror (closers run last-in first-out).
    this.closers.push(() => this.operator.stop("SIGTERM"));
  }

  private workerEnv(env: ReturnType<typeof sandboxEnv>, grace: number): Record<string, string> {
    const w = this.world;
    return {
      BACKEND: "procedural",
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
      AWS_REGION: env.AWS_REGION, AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL, S3_BUCKET: w.env.S3_BUCKET,
      DB_HOST: w.env.DB_HOST, DB_PORT: String(w.env.DB_PORT), DB_NAME: w.env.DB_NAME, DB_USER: w.env.DB_USER,
      DB_PASSWORD: w.env.DB_PASSWORD, DB_SCHEMA: w.schema, DB_POOL_MAX: "2",
      REDIS_HOST: w.env.REDIS_HOST, REDIS_PORT: String(w.env.REDIS_PORT), QUEUE_NAME: w.env.QUEUE_NAME,
      GRACE_PERIOD_SECONDS: String(grace), HANDOVER_RESERVE_SECONDS: String(Math.min(2, grace - 1)),
      LOCK_DURATION_MS: "5000", HEALTH_PORT: "0",
    };
  }

  private async createNamespace(): Promise<void> {
    const core = kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: this.namespace, labels: { [testNamespaceLabel]: "true" } } } });
    this.closers.push(() => core.deleteNamespace({ name: this.namespace }).catch(ignoreNotFound));
    for (let i = 0; i < 300; i++) {
      const found = await core.readNamespacedServiceAccount({ name: "default", namespace: this.namespace }).then(() => true, () => false);
      if (found) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`namespace ${this.namespace}: no default ServiceAccount after 30 s`);
  }

  /** Adds `count` generation jobs (a generations row each, as the API does). */
  async enqueue(count: number, params: Partial<JobData["params"]> = {}): Promise<JobData[]> {
    const jobs: JobData[] = [];
    for (let i = 0; i < count; i++) jobs.push(await enqueueGeneration(this.world, this.queue, { seed: i, ...params }, 3));
    return jobs;
  }

  /** The node group's desired size in moto. */
  async desired(group: string): Promise<number> {
    const out = await this.eks.send(new DescribeNodegroupCommand({ clusterName: this.cluster, nodegroupName: group }));
    return out.nodegroup?.scalingConfig?.desiredSize ?? 0;
  }

  /** Removes everything, last made first; every step runs even if one fails. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    for (const close of this.closers.reverse()) await close().catch((e: unknown) => void errors.push(e));
    this.closers = [];
    if (errors.length > 0) throw new AggregateError(errors, `closing stack ${this.cluster}`);
  }
}
