import test from "ava";
import { randomBytes } from "node:crypto";
import { sandboxEnv } from "../../test/support/sandbox.ts";
import { createMotoCluster, motoEks } from "../../test/nodegroups/support/moto-eks.ts";
import { parseGenerationPoolSpec, type NodeGroup } from "../resource/index.ts";
import { createAwsNodeGroupCloud, type AwsNodeGroupCloud } from "./aws-node-group-cloud.ts";
import { observeCloudGroups } from "./observe-node-groups.ts";
import { onDemandPriceTable } from "./price-table.ts";

function cloud(t: { teardown(fn: () => void): void }, clusterName: string): AwsNodeGroupCloud {
  const env = sandboxEnv();
  const c = createAwsNodeGroupCloud({ clusterName, endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION });
  t.teardown(() => c.close());
  return c;
}

/** Node groups as the operator sees them after parsing (spec defaults applied). */
const specsOf = (groups: Record<string, unknown>[]): NodeGroup[] =>
  parseGenerationPoolSpec({ workload: { deploymentName: "w" }, replicas: { max: 8 }, nodeGroups: groups }).nodeGroups;

test("[integration] workers per node come from the instance type EKS reports, prices from EC2 and the bundled table", async (t) => {
  const cluster = `c-${randomBytes(4).toString("hex")}`;
  const c = cloud(t, cluster);
  await createMotoCluster(motoEks(), cluster, [
    { name: "spot-4gpu", capacityType: "SPOT", instanceTypes: ["g5.12xlarge"], max: 4 },
    { name: "od-1gpu", capacityType: "ON_DEMAND", instanceTypes: ["g5.xlarge"], max: 4 },
    { name: "od-override", capacityType: "ON_DEMAND", instanceTypes: ["g5.12xlarge"], max: 4 },
  ]);
  const specs = specsOf([
    { name: "spot-4gpu", capacityType: "spot", maxNodes: 4 },
    { name: "od-1gpu", capacityType: "on-demand", maxNodes: 4 },
    { name: "od-override", capacityType: "on-demand", maxNodes: 4, workersPerNode: 2 },
  ]);
  const observed = await observeCloudGroups(c, specs, onDemandPriceTable);

  // moto's DescribeInstanceTypes: g5.12xlarge has 4 GPUs, g5.xlarge 1; the spec's value overrides.
  t.deepEqual([...observed.groups].map(([name, o]) => [name, o.workersPerNode]), [["spot-4gpu", 4], ["od-1gpu", 1], ["od-override", 2]]);
  t.deepEqual(observed.groups.get("spot-4gpu")?.instanceTypes, ["g5.12xlarge"]);
  // On-demand: the cluster/prices.json figure; g5.12xlarge is not in that table, so it has no price.
  t.is(observed.hourlyPricePerNode["od-1gpu"], onDemandPriceTable.perHour["g5.xlarge"]);
  t.false("od-override" in observed.hourlyPricePerNode);
  // Spot: whatever DescribeSpotPriceHistory says now (moto answers a small constant).
  t.is(observed.hourlyPricePerNode["spot-4gpu"], await c.spotPrice("g5.12xlarge") ?? Number.NaN);
  t.true(observed.hourlyPricePerNode["spot-4gpu"]! > 0);
});

test("[integration] a node group of a type without GPUs is refused with the group, the type and the way out", async (t) => {
  const cluster = `c-${randomBytes(4).toString("hex")}`;
  await createMotoCluster(motoEks(), cluster, [{ name: "cpu", capacityType: "ON_DEMAND", instanceTypes: ["m5.large"], max: 2 }]);
  const error = await t.throwsAsync(observeCloudGroups(cloud(t, cluster), specsOf([{ name: "cpu", capacityType: "on-demand", maxNodes: 2 }]), onDemandPriceTable));
  t.is(error?.message, "spec.nodeGroups[0] (cpu): instance type m5.large has 0 GPUs; a worker needs one: use GPU instance types or set its workersPerNode (>= 1)");
});
