/**
 * TEST GLUE, not product code: the node half of a reconcile, driven by a test instead of the
 * operator runtime. Each step observes (EKS through the AWS adapter, Nodes and worker pods
 * through the API server), plans with the real planNodes() and acts with the real
 * carryOutNodePlan(). The desired worker count comes from the test, standing in for decide().
 * A worker pod counts as busy while it carries the annotation `busyAnnotation` = "true".
 */
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { createAwsNodeGroupCloud, type AwsNodeGroupCloud } from "../../operator/aws/aws-node-group-cloud.ts";
import { carryOutNodePlan, type NodeKube } from "../../operator/aws/carry-out-node-plan.ts";
import { observeNodeGroups, type GroupCloudState } from "../../operator/scaling/nodes/observe.ts";
import { planNodes } from "../../operator/scaling/nodes/plan.ts";
import type { NodeGroupSpec, NodePlan, NodePlanMemory, NodePolicy } from "../../operator/scaling/nodes/types.ts";
import { ignoreNotFound, kubeConfig, sandboxEnv } from "../support/sandbox.ts";
import { mirrorClusterLabel } from "./mirror.ts";

/** Annotation a test sets on a worker pod to say it is processing a job. */
export const busyAnnotation = "sandbox.genpool.io/busy";

/** Settings of the loop. */
export interface NodeLoopOptions {
  clusterName: string;
  specs: NodeGroupSpec[];
  policy: NodePolicy;
  namespace: string;
  /** Label selector of the worker pods. */
  workerSelector: string;
  /** @default 200 */
  periodMs?: number;
  /** AWS endpoint (e.g. a recording proxy). @default the sandbox's moto */
  endpoint?: string;
}

/** Observe -> planNodes() -> carryOutNodePlan(), in a loop (test glue; see the file comment). */
export class NodeLoop {
  /** Workers the pool should run (the test plays decide()). */
  desiredWorkers = 0;
  /** Every plan made, with the time it was made. */
  readonly plans: { at: number; plan: NodePlan }[] = [];
  readonly errors: unknown[] = [];
  private memory: NodePlanMemory = { groups: {}, idleSince: {} };
  private readonly cloud: AwsNodeGroupCloud;
  private readonly core = kubeConfig().makeApiClient(CoreV1Api);
  private loop: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: NodeLoopOptions) {
    const env = sandboxEnv();
    this.cloud = createAwsNodeGroupCloud({ clusterName: options.clusterName, endpoint: options.endpoint ?? env.AWS_ENDPOINT_URL, region: env.AWS_REGION });
  }

  start(): void {
    this.loop ??= (async () => {
      while (!this.stopped) {
        await this.step().catch((error: unknown) => void this.errors.push(error));
        await sleep(this.options.periodMs ?? 200);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.cloud.close();
  }

  /** The latest plan. */
  get last(): NodePlan | undefined {
    return this.plans.at(-1)?.plan;
  }

  /** One observe -> plan -> act pass. */
  async step(): Promise<NodePlan> {
    const cloudState = new Map<string, GroupCloudState>();
    const perNode = new Map<string, number>();
    for (const spec of this.options.specs) {
      const d = await this.cloud.describe(spec.name);
      cloudState.set(spec.name, { desiredSize: d.desiredSize, healthIssues: d.healthIssues });
      perNode.set(spec.name, await this.cloud.instanceTypeGpus(d.instanceTypes[0] ?? "g5.xlarge"));
    }
    const nodes = await this.core.listNode({ labelSelector: `${mirrorClusterLabel}=${this.options.clusterName}` });
    const pods = await this.core.listNamespacedPod({ namespace: this.options.namespace, labelSelector: this.options.workerSelector });
    const workers = pods.items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => ({
      name: p.metadata?.name ?? "",
      nodeName: p.spec?.nodeName,
      busy: p.metadata?.annotations?.[busyAnnotation] === "true",
    }));
    const groups = observeNodeGroups({ specs: this.options.specs, cloud: cloudState, workersPerNode: perNode, nodes: nodes.items, workers });
    const now = Date.now();
    const plan = planNodes({ now, desiredWorkers: this.desiredWorkers, policy: this.options.policy, groups, hourlyPricePerNode: {}, memory: this.memory });
    this.memory = plan.memory;
    this.plans.push({ at: now, plan });
    await carryOutNodePlan({
      plan,
      observedDesired: new Map([...cloudState].map(([name, s]) => [name, s.desiredSize])),
      cloud: this.cloud,
      kube: this.kube(),
      pool: `${this.options.namespace}/pool`,
      workerNamespace: this.options.namespace,
    });
    return plan;
  }

  private kube(): NodeKube {
    return {
      cordon: async (node) => {
        await this.core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
      },
      deletePod: async (namespace, name) => {
        await this.core.deleteNamespacedPod({ namespace, name }).catch(ignoreNotFound);
      },
    };
  }
}
