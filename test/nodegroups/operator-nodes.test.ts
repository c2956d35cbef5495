/**
 * The operator process with EKS_CLUSTER_NAME set, against moto: jobs arrive, decide() raises the
 * worker count, the node step raises the spot node group's desired size through EKS, the mirror
 * turns the new instances into KWOK GPU nodes, and the real scheduler places the worker pods.
 * Workers per node come from EC2 DescribeInstanceTypes and the cost estimate from
 * DescribeSpotPriceHistory plus the on-demand table bundled from cluster/prices.json.
 */
import test, { type ExecutionContext } from "ava";
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { AppsV1Api } from "@kubernetes/client-node";
import { DescribeSpotPriceHistoryCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeNodegroupCommand, type EKSClient } from "@aws-sdk/client-eks";
import prices from "../../cluster/prices.json" with { type: "json" };
import { GpuNode } from "../../cluster/contract.ts";
import { gpuDeploymentManifest, podsOf, running } from "../support/gpu-workloads.ts";
import { kubeConfig, sandboxEnv, uniqueName, useNamespace } from "../support/sandbox.ts";
import { createPool, installCrd, poolStatus, until, useOperator } from "../operator/support/operator.ts";
import { fastSpec } from "../operator/support/fixtures.ts";
import { mirrorClusterLabel, NodeGroupMirror } from "./mirror.ts";
import { createMotoCluster, motoEks } from "./support/moto-eks.ts";

type MotoGroups = Parameters<typeof createMotoCluster>[2];

/**
 * One test's stack: a moto EKS cluster with `groups` (names prefixed with a fresh cluster name,
 * since the operator lists every GPU node of the sandbox), the mirror turning its instances into
 * KWOK nodes, a worker Deployment on that cluster's nodes, a pool with `nodeGroups`, the operator
 * with EKS_CLUSTER_NAME, and a producer queue.
 */
async function useNodeGroupStack(t: ExecutionContext, o: { groups: (cluster: string) => MotoGroups; nodeGroups: (cluster: string) => Array<Record<string, unknown>>; podName: string }) {
  const env = sandboxEnv();
  const cluster = `c-${randomBytes(4).toString("hex")}`;
  const eks = motoEks();
  t.teardown(() => eks.destroy());
  const groups = o.groups(cluster);
  await createMotoCluster(eks, cluster, groups);
  const mirror = new NodeGroupMirror({ clusterName: cluster, bootDelayMs: 1000, pollMs: 100 });
  mirror.start();
  t.teardown(() => mirror.stop());

  await installCrd();
  const namespace = await useNamespace(t);
  const manifest = gpuDeploymentManifest({ namespace, name: "workers", replicas: 0, nodegroup: groups[0]!.name });
  // Any of this cluster's nodes: select on the mirror's cluster label instead of one node group.
  manifest.spec!.template.spec!.nodeSelector = { [GpuNode.roleLabel]: "true", [mirrorClusterLabel]: cluster };
  await kubeConfig().makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace, body: manifest });
  const queueName = uniqueName(t, "q");
  await createPool(namespace, "pool", fastSpec("workers", queueName, { replicas: { min: 0, max: 8 }, nodeGroups: o.nodeGroups(cluster), nodeScaleDownDelaySeconds: 600 }));
  await useOperator(t, {
    namespace, redisHost: env.REDIS_HOST, redisPort: env.REDIS_PORT, podName: o.podName,
    extraEnv: {
      EKS_CLUSTER_NAME: cluster,
      AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL,
      AWS_REGION: env.AWS_REGION,
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
    },
  });
  const queue = new Queue(queueName, { connection: { host: env.REDIS_HOST, port: env.REDIS_PORT } });
  t.teardown(() => queue.close());
  return { cluster, eks, mirror, namespace, queue };
}

// Serial: each test starts an operator process, and two starting at once on a loaded 2-core
// machine can miss the start-up deadline.
test.serial("[integration] operator with EKS_CLUSTER_NAME: jobs grow the spot node group, mirrored nodes appear, workers get scheduled", async (t) => {
  t.timeout(90_000);
  const { cluster, eks, mirror, namespace, queue } = await useNodeGroupStack(t, {
    groups: (c) => [{ name: `${c}-spot`, capacityType: "SPOT", max: 8 }],
    nodeGroups: (c) => [{ name: `${c}-spot`, capacityType: "spot", maxNodes: 8 }],
    podName: "operator-nodes",
  });
  const spot = `${cluster}-spot`;
  const desiredInMoto = (): Promise<number | undefined> => desiredOf(eks, cluster, spot);

  await until("node group status written with no nodes", async () => {
    const s = await poolStatus(namespace, "pool");
    return s.nodeGroups?.[0]?.name === spot && s.nodeGroups[0].desired === 0;
  });
  t.is((await mirror.nodesOf(spot)).length, 0);
  t.is(await desiredInMoto(), 0);

  // 10 jobs at 5 per worker: 2 workers, one GPU each on g5.xlarge nodes.
  await queue.addBulk(Array.from({ length: 10 }, () => ({ name: "gen", data: {} })));

  await until("spot desired size 2 in moto", async () => (await desiredInMoto()) === 2, 30_000);
  await until("2 mirrored spot nodes", async () => (await mirror.nodesOf(spot)).length === 2, 30_000);
  await until("2 worker pods running on them", async () => {
    const pods = running(await podsOf(namespace, "workers"));
    return pods.length === 2 && pods.every((p) => p.spec?.nodeName?.startsWith(spot) === true);
  }, 30_000);
  await until("status shows 2 ready nodes", async () => {
    const s = await poolStatus(namespace, "pool");
    return s.nodes?.ready === 2 && s.nodeGroups?.[0]?.ready === 2;
  }, 30_000);
  const status = await poolStatus(namespace, "pool");
  t.is(status.conditions?.find((c) => c.type === "CapacityLimited")?.status, "False");
  t.is(status.conditions?.find((c) => c.type === "SpotDegraded")?.status, "False");
  t.deepEqual(mirror.errors, []);
});

/** DescribeSpotPriceHistory's current price of `type`, as moto (or AWS) answers it now. */
async function spotPriceNow(type: string): Promise<number> {
  const env = sandboxEnv();
  const ec2 = new EC2Client({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION });
  try {
    const out = await ec2.send(new DescribeSpotPriceHistoryCommand({ InstanceTypes: [type as "g5.12xlarge"], StartTime: new Date() }));
    const values = (out.SpotPriceHistory ?? []).map((p) => Number(p.SpotPrice));
    return values.reduce((a, b) => a + b, 0) / values.length;
  } finally {
    ec2.destroy();
  }
}

const desiredOf = async (eks: EKSClient, cluster: string, group: string): Promise<number | undefined> =>
  (await eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: group }))).nodegroup?.scalingConfig?.desiredSize;

test.serial("[integration] operator with EKS_CLUSTER_NAME: a 4-GPU spot type takes 4 workers per node, and the status shows the cost of the nodes", async (t) => {
  t.timeout(90_000);
  // moto's DescribeInstanceTypes: g5.12xlarge has 4 GPUs, g5.xlarge 1. Neither pool group sets workersPerNode.
  const { cluster, eks, mirror, namespace, queue } = await useNodeGroupStack(t, {
    groups: (c) => [
      { name: `${c}-spot`, capacityType: "SPOT", instanceTypes: ["g5.12xlarge"], max: 4 },
      { name: `${c}-od`, capacityType: "ON_DEMAND", instanceTypes: ["g5.xlarge"], max: 2 },
    ],
    nodeGroups: (c) => [
      { name: `${c}-spot`, capacityType: "spot", maxNodes: 4 },
      { name: `${c}-od`, capacityType: "on-demand", priority: 1, minNodes: 1, maxNodes: 2 },
    ],
    podName: "operator-nodes-cost",
  });
  const spot = `${cluster}-spot`;
  const onDemand = `${cluster}-od`;

  // 20 jobs at 5 per worker: 4 workers. The on-demand minimum node holds one; the other three
  // fit on ONE g5.12xlarge spot node (they would need three nodes at one worker per node).
  await queue.addBulk(Array.from({ length: 20 }, () => ({ name: "gen", data: {} })));

  await until("4 worker pods running on the two mirrored nodes", async () => running(await podsOf(namespace, "workers")).length === 4, 45_000);
  await until("status shows both nodes ready", async () => (await poolStatus(namespace, "pool")).nodes?.ready === 2, 30_000);
  t.is(await desiredOf(eks, cluster, spot), 1);
  t.is(await desiredOf(eks, cluster, onDemand), 1);
  t.is((await mirror.nodesOf(spot)).length, 1);

  // One g5.xlarge on-demand node at the bundled table's price plus one g5.12xlarge spot node at
  // EC2's current spot price (moto's is a tiny constant), rounded to cents.
  const status = await poolStatus(namespace, "pool");
  const expected = Math.round((prices.ec2PerHour["g5.xlarge"] + (await spotPriceNow("g5.12xlarge"))) * 100) / 100;
  t.true(expected > 0);
  t.is(status.estimatedHourlyCostUsd, expected);
  t.deepEqual(status.nodeGroups?.map((g) => [g.name, g.desired, g.ready]), [[spot, 1, 1], [onDemand, 1, 1]]);
  t.is(status.conditions?.find((c) => c.type === "CapacityLimited")?.status, "False");
  t.deepEqual(mirror.errors, []);
});
