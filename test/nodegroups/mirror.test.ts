import test from "ava";
import { randomBytes } from "node:crypto";
import { DescribeNodegroupCommand, UpdateNodegroupConfigCommand } from "@aws-sdk/client-eks";
import type { V1Node } from "@kubernetes/client-node";
import { GpuNode } from "../../cluster/contract.ts";
import { createAwsNodeGroupCloud } from "../../operator/aws/aws-node-group-cloud.ts";
import { parseProviderId } from "../../operator/aws/provider-id.ts";
import { terminationReason } from "../../operator/interruption/marked-for-termination.ts";
import { isNodeSchedulable, readyAtAnnotation } from "../support/gpu-nodes.ts";
import { eventually, sandboxEnv } from "../support/sandbox.ts";
import { NodeGroupMirror } from "./mirror.ts";
import { createMotoCluster, motoEks, type TestNodeGroup } from "./support/moto-eks.ts";

const bootDelayMs = 1500;

async function setup(t: { teardown(fn: () => Promise<void>): void }, groups: TestNodeGroup[], boot = bootDelayMs) {
  const cluster = `c-${randomBytes(4).toString("hex")}`;
  const eks = motoEks();
  await createMotoCluster(eks, cluster, groups);
  const mirror = new NodeGroupMirror({ clusterName: cluster, bootDelayMs: boot, pollMs: 100 });
  mirror.start();
  t.teardown(() => mirror.stop());
  const resize = async (group: string, desiredSize: number): Promise<void> => {
    await eks.send(new UpdateNodegroupConfigCommand({ clusterName: cluster, nodegroupName: group, scalingConfig: { desiredSize } }));
  };
  const desiredOf = async (group: string): Promise<number | undefined> =>
    (await eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: group }))).nodegroup?.scalingConfig?.desiredSize;
  const nodesWhere = (group: string, count: number, ok: (nodes: V1Node[]) => boolean = () => true) =>
    eventually(`${count} nodes of ${group}`, async () => {
      const nodes = await mirror.nodesOf(group);
      return nodes.length === count && ok(nodes) ? nodes : undefined;
    }, 60_000);
  return { cluster, mirror, resize, desiredOf, nodesWhere };
}

test("[integration] mirror: a node group's desired size becomes GPU nodes with its labels, Ready after the boot delay", async (t) => {
  // A long boot so the nodes are surely seen NotReady first, even on a loaded machine.
  const boot = 5000;
  const { mirror, resize, nodesWhere } = await setup(t, [{ name: "gpu-spot", capacityType: "SPOT", max: 5, labels: { team: "gen" } }], boot);
  const asked = Date.now();
  await resize("gpu-spot", 3);
  const joined = await nodesWhere("gpu-spot", 3);
  t.true(joined.every((n) => !isNodeSchedulable(n)), "nodes register NotReady while they boot");
  for (const node of joined) {
    const created = new Date(node.metadata?.creationTimestamp ?? 0).getTime();
    const readyAt = Date.parse(node.metadata?.annotations?.[readyAtAnnotation] ?? "");
    // creationTimestamp has whole seconds only, and the API server stamps it after the mirror built the Node.
    t.true(Math.abs(readyAt - created - boot) < 1000, `ready-at ${readyAt - created} ms after creation, boot delay ${boot} ms`);
  }
  const ready = await nodesWhere("gpu-spot", 3, (nodes) => nodes.every(isNodeSchedulable));
  t.true(Date.now() - asked >= boot);
  for (const node of ready) {
    t.like(node.metadata?.labels, { [GpuNode.nodegroupLabel]: "gpu-spot", [GpuNode.capacityTypeLabel]: "SPOT", [GpuNode.roleLabel]: "true", team: "gen" });
    t.is(node.status?.allocatable?.[GpuNode.resource], "1");
    t.truthy(parseProviderId(node.spec?.providerID), "providerID names a moto instance");
  }
  t.deepEqual(mirror.errors, []);
});

test("[integration] mirror: a lower desired size removes nodes, an exact termination removes exactly that node and the group follows", async (t) => {
  const { cluster, mirror, resize, desiredOf, nodesWhere } = await setup(t, [{ name: "gpu-od", capacityType: "ON_DEMAND", max: 5, desired: 3 }]);
  const three = await nodesWhere("gpu-od", 3);
  const chosen = three[1]!;
  const instanceId = parseProviderId(chosen.spec?.providerID)?.instanceId ?? "";
  const env = sandboxEnv();
  const cloud = createAwsNodeGroupCloud({ clusterName: cluster, endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION });
  t.teardown(() => cloud.close());
  await cloud.terminateInstance(instanceId);
  const two = await nodesWhere("gpu-od", 2);
  t.false(two.some((n) => n.metadata?.name === chosen.metadata?.name), "the terminated instance's node is the one gone");
  t.deepEqual(two.map((n) => n.metadata?.name).sort(), three.filter((n) => n !== chosen).map((n) => n.metadata?.name).sort());
  await eventually("node group desired size 2", async () => ((await desiredOf("gpu-od")) === 2 ? true : undefined));
  await resize("gpu-od", 1);
  await nodesWhere("gpu-od", 1);
  t.deepEqual(mirror.errors, []);
});

test("[integration] mirror: with spot unavailable no node joins until capacity returns", async (t) => {
  const { mirror, resize, nodesWhere } = await setup(t, [{ name: "gpu-spot", capacityType: "SPOT", max: 5 }]);
  mirror.setSpotUnavailable("gpu-spot", true);
  await resize("gpu-spot", 2);
  // Several mirror passes (100 ms each) go by without a node.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.is((await mirror.nodesOf("gpu-spot")).length, 0);
  mirror.setSpotUnavailable("gpu-spot", false);
  await nodesWhere("gpu-spot", 2);
  t.deepEqual(mirror.errors, []);
});

test("[integration] mirror: an interrupted node is tainted first, gone after the notice, and replaced", async (t) => {
  const { mirror, nodesWhere } = await setup(t, [{ name: "gpu-spot", capacityType: "SPOT", max: 5, desired: 2 }]);
  const before = await nodesWhere("gpu-spot", 2, (nodes) => nodes.every(isNodeSchedulable));
  const victim = before[0]!.metadata?.name ?? "";
  await mirror.interrupt(victim, 1000);
  const marked = await nodesWhere("gpu-spot", 2, (nodes) => nodes.some((n) => n.metadata?.name === victim && terminationReason(n) === "SpotInterruption"));
  t.is(marked.length, 2);
  const after = await nodesWhere("gpu-spot", 2, (nodes) => !nodes.some((n) => n.metadata?.name === victim));
  t.true(after.some((n) => n.metadata?.name === before[1]!.metadata?.name), "the other node stays");
  t.deepEqual(mirror.errors, []);
});
