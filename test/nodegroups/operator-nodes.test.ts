/**
 * The operator process with EKS_CLUSTER_NAME set, against moto: jobs arrive, decide() raises the
 * worker count, the node step raises the spot node group's desired size through EKS, the mirror
 * turns the new instances into KWOK GPU nodes, and the real scheduler places the worker pods.
 */
import test from "ava";
import { randomBytes } from "node:crypto";
import { Queue } from "bullmq";
import { AppsV1Api } from "@kubernetes/client-node";
import { DescribeNodegroupCommand } from "@aws-sdk/client-eks";
import { GpuNode } from "../../cluster/contract.ts";
import { gpuDeploymentManifest, podsOf, running } from "../support/gpu-workloads.ts";
import { kubeConfig, sandboxEnv, uniqueName, useNamespace } from "../support/sandbox.ts";
import { createPool, installCrd, poolStatus, until, useOperator } from "../operator/support/operator.ts";
import { fastSpec } from "../operator/support/fixtures.ts";
import { mirrorClusterLabel, NodeGroupMirror } from "./mirror.ts";
import { createMotoCluster, motoEks } from "./support/moto-eks.ts";

test("[integration] operator with EKS_CLUSTER_NAME: jobs grow the spot node group, mirrored nodes appear, workers get scheduled", async (t) => {
  t.timeout(90_000);
  const env = sandboxEnv();
  const cluster = `c-${randomBytes(4).toString("hex")}`;
  // Group names unique to this test: the operator lists every GPU node of the sandbox.
  const spot = `${cluster}-spot`;
  const eks = motoEks();
  t.teardown(() => eks.destroy());
  await createMotoCluster(eks, cluster, [{ name: spot, capacityType: "SPOT", max: 8 }]);
  const mirror = new NodeGroupMirror({ clusterName: cluster, bootDelayMs: 1000, pollMs: 100 });
  mirror.start();
  t.teardown(() => mirror.stop());

  await installCrd();
  const namespace = await useNamespace(t);
  const manifest = gpuDeploymentManifest({ namespace, name: "workers", replicas: 0, nodegroup: spot });
  manifest.spec!.template.spec!.nodeSelector = { [GpuNode.roleLabel]: "true", [mirrorClusterLabel]: cluster };
  await kubeConfig().makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace, body: manifest });
  const queueName = uniqueName(t, "q");
  await createPool(namespace, "pool", fastSpec("workers", queueName, {
    replicas: { min: 0, max: 8 },
    nodeGroups: [{ name: spot, capacityType: "spot", maxNodes: 8 }],
    nodeScaleDownDelaySeconds: 600,
  }));
  await useOperator(t, {
    namespace, redisHost: env.REDIS_HOST, redisPort: env.REDIS_PORT, podName: "operator-nodes",
    extraEnv: {
      EKS_CLUSTER_NAME: cluster,
      AWS_ENDPOINT_URL: env.AWS_ENDPOINT_URL,
      AWS_REGION: env.AWS_REGION,
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
    },
  });
  const desiredInMoto = async (): Promise<number | undefined> =>
    (await eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: spot }))).nodegroup?.scalingConfig?.desiredSize;

  await until("node group status written with no nodes", async () => {
    const s = await poolStatus(namespace, "pool");
    return s.nodeGroups?.[0]?.name === spot && s.nodeGroups[0].desired === 0;
  });
  t.is((await mirror.nodesOf(spot)).length, 0);
  t.is(await desiredInMoto(), 0);

  // 10 jobs at 5 per worker: 2 workers, one GPU each on g5.xlarge nodes.
  const queue = new Queue(queueName, { connection: { host: env.REDIS_HOST, port: env.REDIS_PORT } });
  t.teardown(() => queue.close());
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
