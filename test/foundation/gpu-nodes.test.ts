// Fake GPU nodes carry the contract's labels and taint, respect their GPU capacity and take pods
// only once their boot delay has passed.
import test from "ava";
import { GpuNode } from "../../cluster/contract.ts";
import { deleteGpuNode, isNodeSchedulable, listGpuNodes, notReadyTaint, useGpuNode } from "../support/gpu-nodes.ts";
import { createGpuDeployment, podsOf, running, unschedulable } from "../support/gpu-workloads.ts";
import { eventually, uniqueName, useNamespace } from "../support/sandbox.ts";

test("[integration] a fake GPU node carries the node group labels, the GPU taint and GPU capacity", async (t) => {
  const nodegroup = uniqueName(t, "ng");
  const name = uniqueName(t, "gpu");
  await useGpuNode(t, { name, nodegroup, capacityType: "ON_DEMAND", gpus: 4, instanceType: "g5.12xlarge", zone: "us-east-1b" });

  const [node] = await eventually("the node to be Ready", async () => {
    const nodes = await listGpuNodes({ nodegroup });
    return nodes.length === 1 && isNodeSchedulable(nodes[0]!) ? nodes : undefined;
  });
  const labels = node!.metadata!.labels!;
  t.is(labels[GpuNode.roleLabel], "true");
  t.is(labels[GpuNode.nodegroupLabel], nodegroup);
  t.is(labels[GpuNode.capacityTypeLabel], "ON_DEMAND");
  t.is(labels["node.kubernetes.io/instance-type"], "g5.12xlarge");
  t.is(labels["topology.kubernetes.io/zone"], "us-east-1b");
  t.deepEqual(node!.spec!.taints!.map((taint) => ({ ...taint })), [GpuNode.taint]);
  t.is(node!.status!.allocatable![GpuNode.resource], "4");

  await deleteGpuNode(name);
  t.deepEqual(await listGpuNodes({ nodegroup }), []);
});

test("[integration] a booting node takes GPU pods only after its boot delay", async (t) => {
  const namespace = await useNamespace(t);
  const nodegroup = uniqueName(t, "ng");
  const name = uniqueName(t, "gpu");
  const bootDelayMs = 5000;
  const created = Date.now();
  await useGpuNode(t, { name, nodegroup, capacityType: "SPOT", bootDelayMs });
  await createGpuDeployment({ namespace, name: "worker", replicas: 1, nodegroup });

  // While booting the node is NotReady and tainted, so the scheduler cannot use it.
  const [pending] = await eventually("the pod to be Unschedulable", async () => {
    const pods = unschedulable(await podsOf(namespace, "worker"));
    return pods.length === 1 ? pods : undefined;
  });
  const [booting] = await listGpuNodes({ nodegroup });
  t.true(Date.now() - created < bootDelayMs, "the pod was found unschedulable while the node was still booting");
  t.false(isNodeSchedulable(booting!));
  t.true(booting!.spec!.taints!.some((taint) => taint.key === notReadyTaint.key), "a booting node carries the not-ready taint");
  t.regex(pending!.status!.conditions!.find((c) => c.type === "PodScheduled")!.message ?? "", /untolerated taint/);

  const [pod] = await eventually("the pod to run", async () => {
    const pods = running(await podsOf(namespace, "worker"));
    return pods.length === 1 ? pods : undefined;
  });
  t.is(pod!.spec!.nodeName, name);
  t.true(Date.now() - created >= bootDelayMs, "the pod ran no earlier than the boot delay");
});

test("[integration] a node takes no more GPU pods than it has GPUs", async (t) => {
  const namespace = await useNamespace(t);
  const nodegroup = uniqueName(t, "ng");
  await useGpuNode(t, { name: uniqueName(t, "gpu"), nodegroup, capacityType: "SPOT", gpus: 1 });
  await createGpuDeployment({ namespace, name: "worker", replicas: 2, nodegroup });

  await eventually("1 Running and 1 Unschedulable pod", async () => {
    const pods = await podsOf(namespace, "worker");
    return running(pods).length === 1 && unschedulable(pods).length === 1 ? true : undefined;
  });
  const [waiting] = unschedulable(await podsOf(namespace, "worker"));
  t.regex(waiting!.status!.conditions!.find((c) => c.type === "PodScheduled")!.message ?? "", /Insufficient nvidia\.com\/gpu/);
});
