/**
 * The node planner end to end on the sandbox: moto node groups, the mirror turning their sizes
 * into KWOK GPU nodes, the real kube-scheduler placing worker pods, and the real planner and act
 * step resizing the groups. The worker count is set by the test (the operator runtime's decide()
 * is not in this loop); see e2e.test.ts for the scenario with the runtime.
 */
import test, { type ExecutionContext } from "ava";
import { randomBytes } from "node:crypto";
import { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { GpuNode } from "../../cluster/contract.ts";
import type { NodePolicy } from "../../operator/scaling/nodes/types.ts";
import { gpuDeploymentManifest, podsOf, running } from "../support/gpu-workloads.ts";
import { isNodeSchedulable } from "../support/gpu-nodes.ts";
import { eventually, kubeConfig, sandboxEnv, useNamespace } from "../support/sandbox.ts";
import { mirrorClusterLabel, NodeGroupMirror } from "./mirror.ts";
import { busyAnnotation, NodeLoop } from "./node-loop.ts";
import { startAwsProxy } from "../support/aws-proxy.ts";
import { createMotoCluster, motoEks } from "./support/moto-eks.ts";

const bootDelayMs = 1000;
const specs = [
  { name: "gpu-od", capacityType: "on-demand" as const, priority: 0, minNodes: 0, maxNodes: 10 },
  { name: "gpu-spot", capacityType: "spot" as const, priority: 0, minNodes: 0, maxNodes: 50 },
];

async function pool(t: ExecutionContext, policy: NodePolicy) {
  const cluster = `c-${randomBytes(4).toString("hex")}`;
  // The loop's AWS calls go through a recording proxy so a test can check what was asked of EKS.
  const proxy = await startAwsProxy(sandboxEnv().AWS_ENDPOINT_URL);
  await createMotoCluster(motoEks(), cluster, [
    { name: "gpu-od", capacityType: "ON_DEMAND", max: 10 },
    { name: "gpu-spot", capacityType: "SPOT", max: 50 },
  ]);
  const namespace = await useNamespace(t);
  const mirror = new NodeGroupMirror({ clusterName: cluster, bootDelayMs, pollMs: 100 });
  const loop = new NodeLoop({ clusterName: cluster, specs, policy, namespace, workerSelector: "app=workers", endpoint: proxy.endpoint });
  mirror.start();
  loop.start();
  t.teardown(async () => {
    await loop.stop();
    await mirror.stop();
    await proxy.close();
  });
  const manifest = gpuDeploymentManifest({ namespace, name: "workers", replicas: 0, nodegroup: "unused" });
  manifest.spec!.template.spec!.nodeSelector = { [GpuNode.roleLabel]: "true", [mirrorClusterLabel]: cluster };
  const apps = kubeConfig().makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace, body: manifest });
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
  /** The test plays decide(): the Deployment's replicas and the planner's desired workers together. */
  const setWorkers = async (n: number): Promise<void> => {
    loop.desiredWorkers = n;
    await apps.patchNamespacedDeploymentScale({ namespace, name: "workers", body: { spec: { replicas: n } } }, merge);
  };
  const markBusy = async (podName: string): Promise<void> => {
    await core.patchNamespacedPod({ namespace, name: podName, body: { metadata: { annotations: { [busyAnnotation]: "true" } } } }, merge);
  };
  const readyNodes = async (group: string) => (await mirror.nodesOf(group)).filter(isNodeSchedulable);
  const runningPods = async () => running(await podsOf(namespace, "workers"));
  /** Desired sizes the loop sent to EKS UpdateNodegroupConfig, per group, in order. */
  const resizes = (group: string): number[] => proxy.seen
    .filter((r) => r.path.endsWith(`/node-groups/${group}/update-config`))
    .map((r) => (JSON.parse(r.body) as { scalingConfig: { desiredSize: number } }).scalingConfig.desiredSize);
  const terminations = (): number => proxy.seen.filter((r) => r.action === "TerminateInstanceInAutoScalingGroup").length;
  return { cluster, namespace, mirror, loop, setWorkers, markBusy, readyNodes, runningPods, resizes, terminations };
}

const desiredOf = (loop: NodeLoop, group: string): number | undefined => loop.last?.groups.find((g) => g.name === group)?.desired;

test.serial("[integration] node loop: 40 workers grow spot on top of the on-demand base, pods run, then nodes shrink back to the base", async (t) => {
  const p = await pool(t, { onDemandBaseNodes: 1, spotFallbackDelaySeconds: 60, nodeScaleDownDelaySeconds: 2 });
  await eventually("the on-demand base node", async () => ((await p.readyNodes("gpu-od")).length === 1 ? true : undefined), 60_000);
  const burst = Date.now();
  await p.setWorkers(40);
  await eventually("40 running worker pods", async () => ((await p.runningPods()).length === 40 ? true : undefined), 60_000);
  const ranAfter = Date.now() - burst;
  // 40 pods run on 40 single-GPU nodes; a node's readiness as the mirror reports it may trail its pods by a moment.
  await eventually("39 schedulable spot nodes", async () => ((await p.readyNodes("gpu-spot")).length === 39 ? true : undefined), 30_000);
  t.is((await p.readyNodes("gpu-od")).length, 1);
  // Booting nodes counted as capacity: the spot group was never asked for more than 39.
  t.is(Math.max(...p.loop.plans.map((x) => x.plan.groups.find((g) => g.name === "gpu-spot")?.desired ?? 0)), 39);
  t.log(`40 workers running ${ranAfter} ms after the burst (boot delay ${bootDelayMs} ms)`);

  await p.setWorkers(0);
  await eventually("spot back to zero nodes and on-demand at its base", async () => {
    const spot = await p.mirror.nodesOf("gpu-spot");
    const od = await p.mirror.nodesOf("gpu-od");
    return spot.length === 0 && od.length === 1 && desiredOf(p.loop, "gpu-spot") === 0 ? true : undefined;
  }, 90_000);
  t.true(p.loop.plans.some((x) => x.plan.remove.length > 0), "nodes were removed one by one, by name");
  // Never a blind decrease: EKS was only ever asked to grow; every node went by exact termination.
  t.deepEqual(p.resizes("gpu-spot"), [39]);
  t.is(p.terminations(), 39);
  t.deepEqual(p.loop.errors, []);
  t.deepEqual(p.mirror.errors, []);
});

test.serial("[integration] node loop: spot capacity unavailable moves the demand to on-demand within the fallback delay", async (t) => {
  const fallbackSeconds = 3;
  const p = await pool(t, { onDemandBaseNodes: 0, spotFallbackDelaySeconds: fallbackSeconds, nodeScaleDownDelaySeconds: 60 });
  p.mirror.setSpotUnavailable("gpu-spot", true);
  const asked = Date.now();
  await p.setWorkers(4);
  await eventually("4 running worker pods on on-demand nodes", async () => ((await p.runningPods()).length === 4 ? true : undefined), 60_000);
  const ranAfter = Date.now() - asked;
  t.is((await p.readyNodes("gpu-od")).length, 4);
  t.is((await p.mirror.nodesOf("gpu-spot")).length, 0);
  t.is(p.loop.last?.conditions.find((c) => c.type === "SpotDegraded")?.status, "True");
  t.true(ranAfter >= fallbackSeconds * 1000, "on-demand was used only after the fallback delay");
  t.log(`workers running on on-demand ${ranAfter} ms after the request (fallback delay ${fallbackSeconds} s, boot ${bootDelayMs} ms)`);

  // Spot returns: the requested spot nodes join and the condition clears.
  p.mirror.setSpotUnavailable("gpu-spot", false);
  await eventually("SpotDegraded False", () =>
    Promise.resolve(p.loop.last?.conditions.find((c) => c.type === "SpotDegraded")?.status === "False" ? true : undefined), 60_000);
  t.deepEqual(p.loop.errors, []);
});

test.serial("[integration] node loop: an interrupted node's replacement is ordered during the notice, before the node goes", async (t) => {
  const p = await pool(t, { onDemandBaseNodes: 0, spotFallbackDelaySeconds: 60, nodeScaleDownDelaySeconds: 60 });
  await p.setWorkers(3);
  const pods = await eventually("3 running worker pods", async () => {
    const r = await p.runningPods();
    return r.length === 3 ? r : undefined;
  }, 60_000);
  for (const pod of pods) await p.markBusy(pod.metadata?.name ?? "");
  const victim = pods[0]!.spec?.nodeName ?? "";
  // Two minutes on AWS.
  const noticeMs = 8000;
  const tainted = Date.now();
  await p.mirror.interrupt(victim, noticeMs);
  const replacement = await eventually("a replacement spot node Ready", async () => {
    const ready = (await p.readyNodes("gpu-spot")).filter((n) => n.metadata?.name !== victim);
    return ready.length === 3 ? Date.now() : undefined;
  }, 60_000);
  const ordered = p.loop.plans.find((x) => x.at >= tainted && x.plan.groups.some((g) => g.name === "gpu-spot" && g.desired === 4));
  t.truthy(ordered, "a plan raised the spot group for the replacement");
  t.is(ordered?.plan.groups.find((g) => g.name === "gpu-spot")?.reason, "ReplaceInterrupted");
  t.true((ordered?.at ?? Infinity) - tainted < noticeMs, "the replacement was ordered during the notice");
  t.is(desiredOf(p.loop, "gpu-spot"), 4);
  t.log(`replacement ordered ${(ordered?.at ?? NaN) - tainted} ms and Ready ${replacement - tainted} ms after the interruption notice (boot delay ${bootDelayMs} ms)`);
  t.deepEqual(p.loop.errors, []);
});
