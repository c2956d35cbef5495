/**
 * TEST GLUE, not product code: the sandbox's stand-in for EC2 instances joining a cluster.
 *
 * moto holds EKS node groups but no instances, and KWOK Nodes know nothing of AWS. This loop
 * polls each node group of one cluster in moto, keeps a moto Auto Scaling group behind it (see
 * backing-asg.ts), and mirrors every InService instance as a KWOK GPU Node with the group's labels,
 * `spec.providerID = aws:///<zone>/<instance-id>` and a boot delay; a Node whose instance is gone
 * is deleted with its pods, as when an instance terminates.
 *
 * Faults a test can inject:
 * - `setSpotUnavailable(group, true)`: the group's instances never join (no Node appears), as
 *   when EC2 has no spot capacity. moto cannot report node group health issues, so the planner
 *   sees this through its fallback delay only.
 * - `interrupt(node, noticeMs)`: the spot interruption taint the Node Termination Handler sets,
 *   then after the notice the instance is reclaimed (the ASG launches a replacement).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { AutoScalingClient } from "@aws-sdk/client-auto-scaling";
import { EC2Client } from "@aws-sdk/client-ec2";
import { DescribeNodegroupCommand, EKSClient, ListNodegroupsCommand } from "@aws-sdk/client-eks";
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Node } from "@kubernetes/client-node";
import { GpuNode } from "../../cluster/contract.ts";
import { gpuNodeManifest } from "../support/gpu-nodes.ts";
import { ignoreNotFound, kubeConfig, sandboxEnv } from "../support/sandbox.ts";
import { BackingGroup, type BackingInstance } from "./backing-asg.ts";

/** The taint AWS Node Termination Handler puts on a node that got a spot interruption notice. */
export const spotInterruptionTaint = { key: "aws-node-termination-handler/spot-itn", value: "mirror", effect: "NoSchedule" };

/** Settings of the mirror. */
export interface MirrorOptions {
  clusterName: string;
  /** Time from an instance starting to its Node being Ready. @default 1000 */
  bootDelayMs?: number;
  /** @default 200 */
  pollMs?: number;
  /** @default `${AWS_REGION}a` */
  zone?: string;
}

/** Label naming the moto cluster a mirrored node belongs to. */
export const mirrorClusterLabel = "sandbox.genpool.io/mirror-cluster";

const instanceOf = (node: V1Node): string => node.spec?.providerID?.split("/").pop() ?? "";

/** Mirrors one moto EKS cluster's node groups into KWOK Nodes (test glue; see the file comment). */
export class NodeGroupMirror {
  private readonly eks: EKSClient;
  private readonly clients: { eks: EKSClient; autoScaling: AutoScalingClient; ec2: EC2Client };
  private readonly core = kubeConfig().makeApiClient(CoreV1Api);
  private readonly groups = new Map<string, BackingGroup>();
  private readonly unavailable = new Set<string>();
  private loop: Promise<void> | undefined;
  private stopped = false;
  /** Errors of background passes (a test asserts there were none). */
  readonly errors: unknown[] = [];

  constructor(private readonly options: MirrorOptions) {
    const env = sandboxEnv();
    const config = { endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION };
    this.eks = new EKSClient(config);
    this.clients = { eks: this.eks, autoScaling: new AutoScalingClient(config), ec2: new EC2Client(config) };
  }

  /** Starts polling in the background. */
  start(): void {
    this.loop ??= (async () => {
      while (!this.stopped) {
        await this.syncOnce().catch((error: unknown) => void this.errors.push(error));
        await sleep(this.options.pollMs ?? 200);
      }
    })();
  }

  /** Stops polling and deletes every Node it made. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    for (const group of this.groups.keys()) {
      for (const node of await this.nodesOf(group)) await this.deleteNode(node);
    }
    for (const c of Object.values(this.clients)) c.destroy();
  }

  /** While true, instances of `group` never join the cluster. */
  setSpotUnavailable(group: string, unavailable: boolean): void {
    if (unavailable) this.unavailable.add(group);
    else this.unavailable.delete(group);
  }

  /** Taints `nodeName` as interrupted now, and reclaims its instance after `noticeMs`. */
  async interrupt(nodeName: string, noticeMs: number): Promise<void> {
    const node = await this.core.readNode({ name: nodeName });
    const taints = [...(node.spec?.taints ?? []), spotInterruptionTaint];
    await this.core.patchNode({ name: nodeName, body: { spec: { taints } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    const group = this.groups.get(node.metadata?.labels?.[GpuNode.nodegroupLabel] ?? "");
    void sleep(noticeMs).then(() => group?.reclaim(instanceOf(node))).catch((error: unknown) => void this.errors.push(error));
  }

  /** One pass over every node group of the cluster. */
  async syncOnce(): Promise<void> {
    const list = await this.eks.send(new ListNodegroupsCommand({ clusterName: this.options.clusterName }));
    for (const name of list.nodegroups ?? []) {
      const group = this.groups.get(name) ?? (await this.adopt(name));
      await this.mirror(group, await group.sync());
    }
  }

  private async adopt(name: string): Promise<BackingGroup> {
    const out = await this.eks.send(new DescribeNodegroupCommand({ clusterName: this.options.clusterName, nodegroupName: name }));
    const zone = this.options.zone ?? `${sandboxEnv().AWS_REGION}a`;
    const group = await BackingGroup.create(this.clients, this.options.clusterName, out.nodegroup ?? {}, zone);
    this.groups.set(name, group);
    return group;
  }

  private async mirror(group: BackingGroup, instances: BackingInstance[]): Promise<void> {
    const name = group.nodegroup.nodegroupName ?? "";
    const nodes = await this.nodesOf(name);
    const live = new Set(instances.map((i) => i.instanceId));
    for (const node of nodes.filter((n) => !live.has(instanceOf(n)))) await this.deleteNode(node);
    if (this.unavailable.has(name)) return;
    const present = new Set(nodes.map(instanceOf));
    for (const instance of instances.filter((i) => !present.has(i.instanceId))) await this.createNode(group, instance);
  }

  private async createNode(group: BackingGroup, instance: BackingInstance): Promise<void> {
    const ng = group.nodegroup;
    const manifest = gpuNodeManifest({
      name: `${ng.nodegroupName}-${instance.instanceId}`,
      nodegroup: ng.nodegroupName ?? "",
      capacityType: ng.capacityType === "SPOT" ? "SPOT" : "ON_DEMAND",
      bootDelayMs: this.options.bootDelayMs ?? 1000,
      instanceType: ng.instanceTypes?.[0] ?? "g5.xlarge",
      zone: instance.zone,
      labels: { ...ng.labels, [mirrorClusterLabel]: this.options.clusterName },
    });
    manifest.spec = { ...manifest.spec, providerID: `aws:///${instance.zone}/${instance.instanceId}` };
    await this.core.createNode({ body: manifest }).catch((error: unknown) => {
      // A pass that overlaps a slow create sees the instance without a Node twice.
      if ((error as { code?: number }).code !== 409) throw error;
    });
  }

  /** Nodes this mirror made for `group` (several mirrors may share the sandbox and group names). */
  async nodesOf(group: string): Promise<V1Node[]> {
    const selector = `${GpuNode.nodegroupLabel}=${group},${mirrorClusterLabel}=${this.options.clusterName}`;
    return (await this.core.listNode({ labelSelector: selector })).items;
  }

  private async deleteNode(node: V1Node): Promise<void> {
    const name = node.metadata?.name ?? "";
    // The instance is gone, so are its pods: nothing will report them terminated.
    const pods = await this.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` });
    for (const pod of pods.items) {
      await this.core.deleteNamespacedPod({ name: pod.metadata?.name ?? "", namespace: pod.metadata?.namespace ?? "", gracePeriodSeconds: 0 })
        .catch(ignoreNotFound);
    }
    await this.core.deleteNode({ name }).catch(ignoreNotFound);
  }
}
