import test from "ava";
import { randomBytes } from "node:crypto";
import {
  AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand,
} from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateCommand, EC2Client, RunInstancesCommand } from "@aws-sdk/client-ec2";
import { DescribeNodegroupCommand } from "@aws-sdk/client-eks";
import { sandboxEnv } from "../../test/support/sandbox.ts";
import { eksThrottling, startAwsProxy } from "../../test/support/aws-proxy.ts";
import { createMotoCluster, motoEks } from "../../test/nodegroups/support/moto-eks.ts";
import { createAwsNodeGroupCloud, type AwsNodeGroupCloud } from "./aws-node-group-cloud.ts";
import { resizeToken } from "./resize-request.ts";

const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString("hex")}`;

function cloud(t: { teardown(fn: () => void): void }, clusterName: string, endpoint?: string): AwsNodeGroupCloud {
  const env = sandboxEnv();
  const c = createAwsNodeGroupCloud({ clusterName, endpoint: endpoint ?? env.AWS_ENDPOINT_URL, region: env.AWS_REGION, maxAttempts: 4 });
  t.teardown(() => c.close());
  return c;
}

test("[integration] describe reads sizes, capacity type, instance types and health of a node group", async (t) => {
  const cluster = unique("c");
  await createMotoCluster(motoEks(), cluster, [
    { name: "gpu-spot", capacityType: "SPOT", instanceTypes: ["g5.xlarge", "g6.xlarge"], min: 0, max: 10, desired: 2 },
    { name: "gpu-od", capacityType: "ON_DEMAND", min: 1, max: 4, desired: 1 },
  ]);
  const c = cloud(t, cluster);
  const spot = await c.describe("gpu-spot");
  t.like(spot, { name: "gpu-spot", capacityType: "spot", status: "ACTIVE", minSize: 0, maxSize: 10, desiredSize: 2, instanceTypes: ["g5.xlarge", "g6.xlarge"], healthIssues: [] });
  // moto names an Auto Scaling group but creates none behind it.
  t.is(spot.autoScalingGroups.length, 1);
  t.like(await c.describe("gpu-od"), { capacityType: "on-demand", minSize: 1, maxSize: 4, desiredSize: 1 });
});

test("[integration] setDesiredSize resizes within the group's bounds and reads back", async (t) => {
  const cluster = unique("c");
  await createMotoCluster(motoEks(), cluster, [{ name: "gpu-spot", capacityType: "SPOT", min: 1, max: 5, desired: 1 }]);
  const c = cloud(t, cluster);
  const grown = await c.setDesiredSize("gpu-spot", 3, resizeToken({ pool: "p", group: "gpu-spot", from: 1, to: 3 }));
  t.like(grown, { from: 1, to: 3, clamped: false });
  t.truthy(grown.updateId);
  t.is((await c.describe("gpu-spot")).desiredSize, 3);
  // moto would accept 9 with a maximum of 5; EKS refuses it. The adapter keeps within the bounds.
  t.like(await c.setDesiredSize("gpu-spot", 9, "tok-9"), { from: 3, to: 5, clamped: true });
  t.is((await c.describe("gpu-spot")).desiredSize, 5);
  t.like(await c.setDesiredSize("gpu-spot", 0, "tok-0"), { from: 5, to: 1, clamped: true });
  t.is((await c.describe("gpu-spot")).desiredSize, 1);
});

test("[integration] setDesiredSize to the size the group already has makes no update call", async (t) => {
  const cluster = unique("c");
  await createMotoCluster(motoEks(), cluster, [{ name: "gpu-od", capacityType: "ON_DEMAND", max: 5, desired: 2 }]);
  const proxy = await startAwsProxy(sandboxEnv().AWS_ENDPOINT_URL);
  t.teardown(() => proxy.close());
  const result = await cloud(t, cluster, proxy.endpoint).setDesiredSize("gpu-od", 2, "tok-same");
  t.deepEqual(result, { from: 2, to: 2, clamped: false });
  t.deepEqual(proxy.seen.map((r) => r.path), [`/clusters/${cluster}/node-groups/gpu-od`]);
});

test("[integration] a throttled resize is retried with backoff, with the same token, and applied", async (t) => {
  const cluster = unique("c");
  await createMotoCluster(motoEks(), cluster, [{ name: "gpu-spot", capacityType: "SPOT", max: 10, desired: 0 }]);
  let throttled = 0;
  const proxy = await startAwsProxy(sandboxEnv().AWS_ENDPOINT_URL, (r) => {
    if (!r.path.endsWith("/update-config") || throttled >= 2) return undefined;
    throttled += 1;
    return eksThrottling;
  });
  t.teardown(() => proxy.close());
  const token = resizeToken({ pool: "p", group: "gpu-spot", from: 0, to: 4 });
  const started = Date.now();
  const result = await cloud(t, cluster, proxy.endpoint).setDesiredSize("gpu-spot", 4, token);
  const updates = proxy.seen.filter((r) => r.path.endsWith("/update-config"));
  t.is(updates.length, 3, "two throttled attempts, then the one that went through");
  t.true(updates.every((u) => (JSON.parse(u.body) as { clientRequestToken: string }).clientRequestToken === token));
  t.like(result, { from: 0, to: 4 });
  const after = await motoEks().send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: "gpu-spot" }));
  t.is(after.nodegroup?.scalingConfig?.desiredSize, 4);
  t.log(`resize with two throttled attempts took ${Date.now() - started} ms`);
});

test("[integration] a throttled resize that never gets through fails with the service's error", async (t) => {
  const cluster = unique("c");
  await createMotoCluster(motoEks(), cluster, [{ name: "gpu-spot", capacityType: "SPOT", max: 10, desired: 0 }]);
  const proxy = await startAwsProxy(sandboxEnv().AWS_ENDPOINT_URL, (r) => (r.path.endsWith("/update-config") ? eksThrottling : undefined));
  t.teardown(() => proxy.close());
  await t.throwsAsync(cloud(t, cluster, proxy.endpoint).setDesiredSize("gpu-spot", 4, "tok"), { name: "ThrottlingException" });
  t.is(proxy.seen.filter((r) => r.path.endsWith("/update-config")).length, 4, "maxAttempts 4");
});

test("[integration] with no endpoint given, the standard chain reads AWS_ENDPOINT_URL and the region from the environment", async (t) => {
  t.truthy(process.env["AWS_ENDPOINT_URL"], "npm test exports the sandbox's moto endpoint");
  const c = createAwsNodeGroupCloud({ clusterName: "any" });
  t.teardown(() => c.close());
  t.is(await c.instanceTypeGpus("g4dn.12xlarge"), 4);
});

test("[integration] an unknown node group fails with an error naming it", async (t) => {
  const cluster = unique("c");
  await createMotoCluster(motoEks(), cluster, []);
  const error = await t.throwsAsync(cloud(t, cluster).describe("no-such-group"));
  t.regex(error?.message ?? "", /no-such-group/);
});

test("[integration] GPU counts come from EC2 DescribeInstanceTypes and are asked once per type", async (t) => {
  const proxy = await startAwsProxy(sandboxEnv().AWS_ENDPOINT_URL);
  t.teardown(() => proxy.close());
  const c = cloud(t, "any", proxy.endpoint);
  t.is(await c.instanceTypeGpus("g5.xlarge"), 1);
  t.is(await c.instanceTypeGpus("g4dn.12xlarge"), 4);
  t.is(await c.instanceTypeGpus("m5.large"), 0);
  t.is(await c.instanceTypeGpus("g5.xlarge"), 1);
  t.is(await c.instanceTypeGpus("g4dn.12xlarge"), 4);
  t.is(proxy.seen.filter((r) => r.action === "DescribeInstanceTypes").length, 3);
  await t.throwsAsync(c.instanceTypeGpus("g99.huge"));
});

test("[integration] describeInstances tells spot from on-demand instances", async (t) => {
  const env = sandboxEnv();
  const ec2 = new EC2Client({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION });
  const run = async (spot: boolean): Promise<string> => {
    const out = await ec2.send(new RunInstancesCommand({
      ImageId: "ami-12c6146b", MinCount: 1, MaxCount: 1, InstanceType: "g5.xlarge",
      ...(spot ? { InstanceMarketOptions: { MarketType: "spot" } } : {}),
    }));
    return out.Instances?.[0]?.InstanceId ?? "";
  };
  const spotId = await run(true);
  const odId = await run(false);
  const found = await cloud(t, "any").describeInstances([spotId, odId, "i-0000000000000000f"]);
  t.like(found.get(spotId), { lifecycle: "spot", instanceType: "g5.xlarge", state: "running" });
  t.like(found.get(odId), { lifecycle: "on-demand", instanceType: "g5.xlarge" });
  t.false(found.has("i-0000000000000000f"));
});

test("[integration] spotPrice reads the current spot price of an instance type", async (t) => {
  const price = await cloud(t, "any").spotPrice("g5.xlarge");
  // moto returns a constant price; AWS returns the market price. Either way a positive number.
  t.true(price !== null && price > 0);
});

test("[integration] terminateInstance removes exactly the chosen instance and lowers the group's desired capacity", async (t) => {
  const env = sandboxEnv();
  const asg = new AutoScalingClient({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION });
  const ec2 = new EC2Client({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION });
  const name = unique("asg");
  await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: name, LaunchTemplateData: { ImageId: "ami-12c6146b", InstanceType: "g5.xlarge" } }));
  await asg.send(new CreateAutoScalingGroupCommand({
    AutoScalingGroupName: name, LaunchTemplate: { LaunchTemplateName: name }, MinSize: 0, MaxSize: 5, DesiredCapacity: 3, AvailabilityZones: [`${env.AWS_REGION}a`],
  }));
  const describe = async () => (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups?.[0];
  const ids = (await describe())?.Instances?.map((i) => i.InstanceId ?? "") ?? [];
  t.is(ids.length, 3);
  const [busy, empty, other] = ids as [string, string, string];
  const c = cloud(t, "any");
  await c.setScaleInProtection(name, [busy], true);
  await c.terminateInstance(empty);
  const after = await describe();
  t.is(after?.DesiredCapacity, 2);
  t.deepEqual(after?.Instances?.map((i) => i.InstanceId).sort(), [busy, other].sort());
  t.true(after?.Instances?.find((i) => i.InstanceId === busy)?.ProtectedFromScaleIn);
  t.is((await c.describeInstances([empty])).get(empty)?.state, "terminated");
});

/** The answer EC2 gives a caller whose role lacks the action. */
const ec2Denied = {
  status: 403,
  headers: { "content-type": "text/xml" },
  body: "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>1</RequestID></Response>",
};

test("[integration] spot prices are asked once per type within the cache time, and again after it or after a failure", async (t) => {
  const env = sandboxEnv();
  let deny = false;
  const proxy = await startAwsProxy(env.AWS_ENDPOINT_URL, (r) => (deny && r.action === "DescribeSpotPriceHistory" ? ec2Denied : undefined));
  t.teardown(() => proxy.close());
  let now = Date.parse("2026-01-05T10:00:00Z");
  const c = createAwsNodeGroupCloud({ clusterName: "any", endpoint: proxy.endpoint, region: env.AWS_REGION, maxAttempts: 2, now: () => now, spotPriceTtlMs: 60_000 });
  t.teardown(() => c.close());
  const asked = (): number => proxy.seen.filter((r) => r.action === "DescribeSpotPriceHistory").length;

  const first = await c.spotPrice("g5.xlarge");
  t.true(first !== null && first > 0);
  now += 59_000;
  t.is(await c.spotPrice("g5.xlarge"), first);
  t.is(asked(), 1, "within the cache time: no second request");
  await Promise.all([c.spotPrice("g4dn.xlarge"), c.spotPrice("g4dn.xlarge")]);
  t.is(asked(), 2, "another type: one request, shared by concurrent callers");

  now += 1_000;
  deny = true;
  await t.throwsAsync(c.spotPrice("g5.xlarge"), { message: /not authorized/ });
  t.is(asked(), 3, "expired: EC2 is asked again, and its error reaches the caller");
  deny = false;
  t.is(await c.spotPrice("g5.xlarge"), first);
  t.is(asked(), 4, "a failed lookup is not kept");
  t.is(await c.spotPrice("g5.xlarge"), first);
  t.is(asked(), 4);
});
