// The estimator's arithmetic, row by row, on a small price table (numbers chosen to be checkable
// by hand), plus reading the configuration out of a template.
import test from "ava";
import { estimate, type InfraConfig } from "./cost/estimate.ts";
import { configFromTemplate } from "./cost/from-template.ts";
import { prices, type PriceTable } from "./prices.ts";

const table: PriceTable = {
  ...prices,
  hoursPerMonth: 100,
  spotDiscount: 0.7,
  ec2PerHour: { "m6i.large": 0.1, "g5.xlarge": 1, "g4dn.2xlarge": 0.5 },
  ebsGp3PerGiBMonth: 0.1,
  eksControlPlanePerHour: 0.1,
  rdsPerHour: { "db.t4g.medium": 0.05 },
  rdsGp3PerGiBMonth: 0.1,
  elasticachePerHour: { "cache.t4g.medium": 0.05 },
  s3StandardPerGiBMonth: 0.02,
  s3GlacierIrPerGiBMonth: 0.004,
  albPerHour: 0.02,
  albLcuPerHour: 0.01,
  natPerHour: 0.05,
  natPerGiBProcessed: 0.05,
  cloudwatchLogsIngestPerGiB: 0.5,
  cloudwatchLogsStorePerGiBMonth: 0.03,
  secretPerMonth: 0.4,
  kmsKeyPerMonth: 1,
  usage: { spotAverageNodes: 3, s3StandardGiB: 100, s3GlacierIrGiB: 1000, albAverageLcu: 2, natGiBPerMonth: 10, logsGiBPerMonth: 10 },
};

const config: InfraConfig = {
  eksClusters: 1,
  nodeGroups: [
    { name: "system", capacityType: "ON_DEMAND", instanceTypes: ["m6i.large"], minSize: 2, maxSize: 4, rootVolumeGiB: 50 },
    { name: "gpu-od", capacityType: "ON_DEMAND", instanceTypes: ["g5.xlarge"], minSize: 1, maxSize: 4, rootVolumeGiB: 200 },
    { name: "gpu-spot", capacityType: "SPOT", instanceTypes: ["g5.xlarge", "g4dn.2xlarge"], minSize: 0, maxSize: 20, rootVolumeGiB: 200 },
  ],
  databases: [{ instanceClass: "db.t4g.medium", multiAz: true, storageGiB: 50 }],
  redisGroups: [{ nodeType: "cache.t4g.medium", nodes: 2 }],
  natGateways: 1,
  secrets: 2,
  kmsKeys: 3,
};

const lines = estimate(config, table).lines;
const line = (item: string): number | undefined => lines.find((l) => l.item === item)?.monthly;

const rows: Array<[string, number, string]> = [
  ["EKS control plane", 10, "0.10 $/h × 100 h"],
  ["Compute system", 20, "on-demand groups run minSize: 2 × 0.1 × 100"],
  ["EBS system", 10, "2 nodes × 50 GiB × 0.1"],
  ["Compute gpu-od", 100, "1 × 1.0 × 100"],
  ["EBS gpu-od", 20, "1 × 200 GiB × 0.1"],
  ["Compute gpu-spot", 90, "3 average spot nodes × 1.0 × 100 × (1 − 0.7), priced at the first type"],
  ["EBS gpu-spot", 60, "3 × 200 GiB × 0.1"],
  ["RDS PostgreSQL", 10, "Multi-AZ doubles the instance: 0.05 × 100 × 2"],
  ["RDS storage", 10, "50 GiB × 0.1 × 2 copies"],
  ["ElastiCache Redis", 10, "2 nodes × 0.05 × 100"],
  ["S3 storage", 6, "100 × 0.02 + 1000 × 0.004"],
  ["ALB", 4, "(0.02 + 2 LCU × 0.01) × 100"],
  ["NAT gateways", 5.5, "1 × 0.05 × 100 + 10 GiB × 0.05"],
  ["CloudWatch Logs", 5.3, "10 GiB × (0.5 + 0.03)"],
  ["Secrets Manager", 0.8, "2 × 0.40"],
  ["KMS keys", 3, "3 × 1"],
];
for (const [item, expected, why] of rows) {
  test(`${item}: ${why}`, (t) => {
    t.is(line(item), expected);
  });
}

test("the lines are exactly the rows above and the total is their sum", (t) => {
  const e = estimate(config, table);
  t.deepEqual(e.lines.map((l) => l.item).sort(), rows.map(([item]) => item).sort());
  t.is(e.total, 364.6, "10+20+10+100+20+90+60+10+10+10+6+4+5.5+5.3+0.8+3");
});

test("spot savings compare the spot group against the same nodes on-demand", (t) => {
  t.deepEqual(estimate(config, table).spot, { nodes: 3, onDemandMonthly: 300, spotMonthly: 90, saved: 210 });
});

test("average spot nodes are clamped to the group's bounds", (t) => {
  const e = estimate(config, table, { ...table.usage, spotAverageNodes: 50 });
  t.is(e.spot.nodes, 20);
});

test("an instance type missing from the price table is an error, not a zero", (t) => {
  const bad: InfraConfig = { ...config, nodeGroups: [{ ...config.nodeGroups[0]!, instanceTypes: ["x1.mega"] }] };
  t.throws(() => estimate(bad, table), { message: /no price for instance type x1.mega/ });
});

test("configFromTemplate reads node groups (with launch-template disks), RDS, Redis, NAT, secrets and keys", (t) => {
  const template = {
    Resources: {
      Lt: { Type: "AWS::EC2::LaunchTemplate", Properties: { LaunchTemplateData: { BlockDeviceMappings: [{ Ebs: { VolumeSize: 200 } }] } } },
      Ng: {
        Type: "AWS::EKS::Nodegroup",
        Properties: { NodegroupName: "gpu-spot", CapacityType: "SPOT", InstanceTypes: ["g5.xlarge"], ScalingConfig: { MinSize: 0, MaxSize: 20, DesiredSize: 0 }, LaunchTemplate: { Id: { Ref: "Lt" } } },
      },
      C: { Type: "AWS::EKS::Cluster", Properties: {} },
      Db: { Type: "AWS::RDS::DBInstance", Properties: { DBInstanceClass: "db.t4g.medium", MultiAZ: true, AllocatedStorage: "50" } },
      R: { Type: "AWS::ElastiCache::ReplicationGroup", Properties: { CacheNodeType: "cache.t4g.medium", NumCacheClusters: 2 } },
      N: { Type: "AWS::EC2::NatGateway", Properties: {} },
      S: { Type: "AWS::SecretsManager::Secret", Properties: {} },
      K: { Type: "AWS::KMS::Key", Properties: {} },
    },
  };
  t.deepEqual(configFromTemplate(template), {
    eksClusters: 1,
    nodeGroups: [{ name: "gpu-spot", capacityType: "SPOT", instanceTypes: ["g5.xlarge"], minSize: 0, maxSize: 20, rootVolumeGiB: 200 }],
    databases: [{ instanceClass: "db.t4g.medium", multiAz: true, storageGiB: 50 }],
    redisGroups: [{ nodeType: "cache.t4g.medium", nodes: 2 }],
    natGateways: 1,
    secrets: 1,
    kmsKeys: 1,
  });
});

test("the shipped price table carries the design's GPU prices", (t) => {
  t.like(prices.ec2PerHour, { "g4dn.xlarge": 0.526, "g4dn.2xlarge": 0.752, "g5.xlarge": 1.006, "g5.2xlarge": 1.212, "p3.2xlarge": 3.06 });
  t.is(prices.spotDiscount, 0.7);
  t.is(prices.eksControlPlanePerHour, 0.1);
});
