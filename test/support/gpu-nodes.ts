/**
 * Fake GPU nodes for tests: KWOK-managed Nodes that look like the nodes of an EKS GPU node group
 * (labels and taint from cluster/contract.ts, `nvidia.com/gpu` capacity) and that the real
 * kube-scheduler places pods on; KWOK then marks those pods Running.
 *
 * Boot delay: a node is created NotReady (Ready=False condition and the
 * `node.kubernetes.io/not-ready:NoSchedule` taint, as a kubelet registers) with the annotation
 * `sandbox.genpool.io/ready-at` = creation time + bootDelayMs. KWOK's node-initialize stage
 * (sandbox/kwok/node-initialize.yaml) waits until that time, then reports Ready=True; the node
 * lifecycle controller in kube-controller-manager then removes the not-ready taint and pods can
 * be scheduled there. Nothing in the test process has to stay alive for the node to boot.
 */
import { CoreV1Api, type V1Node, type V1Taint } from "@kubernetes/client-node";
import type { ExecutionContext } from "ava";
import { GpuNode } from "../../cluster/contract.ts";
import { ignoreNotFound, kubeConfig } from "./sandbox.ts";

/** Annotation read by the sandbox's KWOK node-initialize stage: the time the node becomes Ready. */
export const readyAtAnnotation = "sandbox.genpool.io/ready-at";

/** The taint a kubelet registers with and the node lifecycle controller removes once Ready. */
export const notReadyTaint: V1Taint = { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" };

/** Shapes of the GPU instance types tests use (per node); unknown types get the g5.xlarge shape. */
const instanceShapes: Record<string, { cpu: string; memory: string; gpus: number; pods: number }> = {
  "g4dn.xlarge": { cpu: "4", memory: "16Gi", gpus: 1, pods: 29 },
  "g5.xlarge": { cpu: "4", memory: "16Gi", gpus: 1, pods: 58 },
  "g5.2xlarge": { cpu: "8", memory: "32Gi", gpus: 1, pods: 58 },
  "g5.12xlarge": { cpu: "48", memory: "192Gi", gpus: 4, pods: 234 },
  "g6.xlarge": { cpu: "4", memory: "16Gi", gpus: 1, pods: 58 },
};

/** A fake GPU node to create. */
export interface GpuNodeOptions {
  name: string;
  /** Value of the EKS node group label. */
  nodegroup: string;
  capacityType: "SPOT" | "ON_DEMAND";
  /** `nvidia.com/gpu` capacity. @default the instance type's GPU count (1 for g5.xlarge) */
  gpus?: number;
  /** Time from creation until the node is Ready and schedulable. @default 0 */
  bootDelayMs?: number;
  /** @default "g5.xlarge" */
  instanceType?: string;
  /** @default "us-east-1a" */
  zone?: string;
  /** Extra labels. */
  labels?: Record<string, string>;
}

const core = (): CoreV1Api => kubeConfig().makeApiClient(CoreV1Api);

/** The Node object createGpuNode sends (exported for inspection in tests). */
export function gpuNodeManifest(options: GpuNodeOptions, now = new Date()): V1Node {
  const instanceType = options.instanceType ?? "g5.xlarge";
  const shape = instanceShapes[instanceType] ?? instanceShapes["g5.xlarge"]!;
  const gpus = options.gpus ?? shape.gpus;
  if (!Number.isInteger(gpus) || gpus < 0) throw new Error(`createGpuNode: gpus=${gpus} is not allowed: use a whole number >= 0`);
  const bootDelayMs = options.bootDelayMs ?? 0;
  if (!(bootDelayMs >= 0)) throw new Error(`createGpuNode: bootDelayMs=${bootDelayMs} is not allowed: use a number of milliseconds >= 0`);
  const zone = options.zone ?? "us-east-1a";
  const resources = { cpu: shape.cpu, memory: shape.memory, pods: String(shape.pods), [GpuNode.resource]: String(gpus) };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: options.name,
      annotations: { "kwok.x-k8s.io/node": "fake", [readyAtAnnotation]: new Date(now.getTime() + bootDelayMs).toISOString() },
      labels: {
        type: "kwok",
        "kubernetes.io/hostname": options.name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "node.kubernetes.io/instance-type": instanceType,
        "topology.kubernetes.io/zone": zone,
        "topology.kubernetes.io/region": zone.replace(/[a-z]$/, ""),
        [GpuNode.roleLabel]: "true",
        [GpuNode.nodegroupLabel]: options.nodegroup,
        [GpuNode.capacityTypeLabel]: options.capacityType,
        ...options.labels,
      },
    },
    spec: { taints: [{ ...GpuNode.taint }, notReadyTaint] },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [{ type: "Ready", status: "False", reason: "KubeletNotReady", message: "node is booting (sandbox boot delay)" }],
    },
  };
}

/** Creates a fake GPU node (see the file comment for the boot delay). */
export async function createGpuNode(options: GpuNodeOptions): Promise<V1Node> {
  return core().createNode({ body: gpuNodeManifest(options) });
}

/** Creates a fake GPU node that is deleted when the test ends. */
export async function useGpuNode(t: ExecutionContext, options: GpuNodeOptions): Promise<V1Node> {
  const node = await createGpuNode(options);
  t.teardown(() => deleteGpuNode(options.name));
  return node;
}

/** Deletes a fake GPU node; a node that is already gone is fine. */
export async function deleteGpuNode(name: string): Promise<void> {
  await core().deleteNode({ name }).catch(ignoreNotFound);
}

/** GPU nodes (label `genpool.io/gpu=true`), optionally of one node group. */
export async function listGpuNodes(filter: { nodegroup?: string } = {}): Promise<V1Node[]> {
  const selectors = [`${GpuNode.roleLabel}=true`];
  if (filter.nodegroup) selectors.push(`${GpuNode.nodegroupLabel}=${filter.nodegroup}`);
  const list = await core().listNode({ labelSelector: selectors.join(",") });
  return list.items;
}

/** True when the node reports Ready=True and no longer carries the not-ready taint. */
export function isNodeSchedulable(node: V1Node): boolean {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
  const tainted = (node.spec?.taints ?? []).some((taint) => taint.key === notReadyTaint.key);
  return ready && !tainted && !node.spec?.unschedulable;
}
