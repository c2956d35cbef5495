// The real kube-scheduler places GPU pods on fake GPU nodes (KWOK), the Deployment scales through
// its scale subresource, and without a GPU node the scheduler reports the pods unschedulable.
import test from "ava";
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { useGpuNode } from "../support/gpu-nodes.ts";
import { createGpuDeployment, podsOf, running, unschedulable } from "../support/gpu-workloads.ts";
import { eventually, kubeConfig, uniqueName, useNamespace } from "../support/sandbox.ts";

test("[integration] a GPU Deployment runs on fake GPU nodes and scales to 3 through the scale subresource", async (t) => {
  const namespace = await useNamespace(t);
  const nodegroup = uniqueName(t, "ng");
  const nodes = [uniqueName(t, "gpu"), uniqueName(t, "gpu")];
  for (const name of nodes) await useGpuNode(t, { name, nodegroup, capacityType: "SPOT", gpus: 2 });
  const name = "worker";
  await createGpuDeployment({ namespace, name, replicas: 1, nodegroup });

  const first = await eventually("1 Running pod", async () => {
    const pods = running(await podsOf(namespace, name));
    return pods.length === 1 ? pods : undefined;
  });
  t.true(nodes.includes(first[0]!.spec!.nodeName!), `pod placed on ${first[0]!.spec!.nodeName}, not on a GPU node of this test`);

  const apps = kubeConfig().makeApiClient(AppsV1Api);
  const scale = await apps.patchNamespacedDeploymentScale(
    { name, namespace, body: { spec: { replicas: 3 } } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
  t.is(scale.spec?.replicas, 3);

  const three = await eventually("3 Running pods", async () => {
    const pods = running(await podsOf(namespace, name));
    return pods.length === 3 ? pods : undefined;
  });
  const perNode = new Map<string, number>();
  for (const pod of three) perNode.set(pod.spec!.nodeName!, (perNode.get(pod.spec!.nodeName!) ?? 0) + 1);
  t.deepEqual([...perNode.keys()].sort(), [...nodes].sort(), "3 one-GPU pods need both 2-GPU nodes");
  t.true([...perNode.values()].every((n) => n <= 2), "no node runs more pods than it has GPUs");
});

test("[integration] without a GPU node, GPU pods stay Pending and the scheduler reports FailedScheduling", async (t) => {
  const namespace = await useNamespace(t);
  const name = "worker";
  // A node group no node belongs to: no node in the cluster can take these pods.
  await createGpuDeployment({ namespace, name, replicas: 2, nodegroup: uniqueName(t, "none") });

  const pods = await eventually("2 pods marked Unschedulable", async () => {
    const list = unschedulable(await podsOf(namespace, name));
    return list.length === 2 ? list : undefined;
  });
  t.true(pods.every((pod) => pod.status?.phase === "Pending" && !pod.spec?.nodeName));

  const core = kubeConfig().makeApiClient(CoreV1Api);
  const podName = pods[0]!.metadata!.name!;
  const event = await eventually("a FailedScheduling event", async () => {
    const events = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${podName},reason=FailedScheduling` });
    return events.items[0];
  });
  t.is(event.source?.component ?? event.reportingComponent, "default-scheduler");
  // "0/N nodes are available: ..." when other tests' nodes exist, "no nodes available to schedule
  // pods" when the cluster has none at that moment; both say no node can take the pod.
  t.regex(event.message ?? "", /0\/\d+ nodes are available|no nodes available to schedule pods/);
});
