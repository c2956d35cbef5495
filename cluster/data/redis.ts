import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as elasticache from "aws-cdk-lib/aws-elasticache";
import * as logs from "aws-cdk-lib/aws-logs";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { toRetention } from "../network/vpc.ts";
import { prices } from "../prices.ts";
import { requireIntInRange, requireOneOf } from "../validate.ts";

/** Properties of {@link GenpoolRedis}. */
export interface GenpoolRedisProps {
  readonly subnets: readonly ec2.ISubnet[];
  readonly securityGroup: ec2.ISecurityGroup;
  /** @default "cache.t4g.medium" */
  readonly nodeType?: string;
  /** Nodes in the replication group: one primary plus replicas (2–6). @default 2 */
  readonly nodeCount?: number;
  /** Daily snapshots kept, in days. @default 5 */
  readonly snapshotRetentionDays?: number;
  /** UTC window for the daily snapshot. @default "03:00-05:00" */
  readonly snapshotWindow?: string;
  /** Weekly maintenance window; must not overlap the snapshot window. @default "sun:05:00-sun:07:00" */
  readonly maintenanceWindow?: string;
  /** Retention of the slow log, in days. @default 30 */
  readonly logRetentionDays?: number;
}

const NAME = "GenpoolRedis";
/** Redis port; BullMQ clients and the security groups use it. */
export const REDIS_PORT = 6379;

/**
 * ElastiCache Redis 7 replication group for BullMQ: primary + replica in two AZs with automatic
 * failover, TLS and encryption at rest, AUTH token from Secrets Manager, and `noeviction`
 * (any other policy lets Redis drop job keys under memory pressure, and BullMQ loses jobs).
 */
export class GenpoolRedis extends Construct {
  readonly replicationGroup: elasticache.CfnReplicationGroup;
  readonly authSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: GenpoolRedisProps) {
    super(scope, id);
    const nodeType = props.nodeType ?? "cache.t4g.medium";
    const nodeCount = props.nodeCount ?? 2;
    const snapshotDays = props.snapshotRetentionDays ?? 5;
    const logDays = props.logRetentionDays ?? 30;
    requireOneOf(NAME, "nodeType", nodeType, Object.keys(prices.elasticachePerHour));
    requireIntInRange(NAME, "nodeCount", nodeCount, [2, 6]);
    requireIntInRange(NAME, "snapshotRetentionDays", snapshotDays, [1, 35]);
    requireIntInRange(NAME, "logRetentionDays", logDays, [1, 3653]);

    // Redis AUTH accepts printable ASCII except @, " and /; alphanumerics avoid quoting in URLs.
    this.authSecret = new secretsmanager.Secret(this, "AuthToken", {
      description: "Genpool Redis AUTH token",
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    const subnetGroup = new elasticache.CfnSubnetGroup(this, "Subnets", {
      description: "Genpool Redis data subnets",
      subnetIds: props.subnets.map((s) => s.subnetId),
    });
    const parameterGroup = new elasticache.CfnParameterGroup(this, "Parameters", {
      cacheParameterGroupFamily: "redis7",
      description: "Genpool Redis 7: BullMQ needs noeviction",
      properties: { "maxmemory-policy": "noeviction" },
    });
    const slowLog = new logs.LogGroup(this, "SlowLog", { retention: toRetention(logDays) });
    this.replicationGroup = new elasticache.CfnReplicationGroup(this, "ReplicationGroup", {
      replicationGroupDescription: "Genpool BullMQ queue",
      engine: "redis",
      engineVersion: "7.1",
      cacheNodeType: nodeType,
      numCacheClusters: nodeCount,
      port: REDIS_PORT,
      automaticFailoverEnabled: true,
      multiAzEnabled: true,
      atRestEncryptionEnabled: true,
      transitEncryptionEnabled: true,
      authToken: this.authSecret.secretValue.unsafeUnwrap(),
      cacheSubnetGroupName: subnetGroup.ref,
      cacheParameterGroupName: parameterGroup.ref,
      securityGroupIds: [props.securityGroup.securityGroupId],
      snapshotRetentionLimit: snapshotDays,
      snapshotWindow: props.snapshotWindow ?? "03:00-05:00",
      preferredMaintenanceWindow: props.maintenanceWindow ?? "sun:05:00-sun:07:00",
      autoMinorVersionUpgrade: true,
      logDeliveryConfigurations: [
        {
          destinationType: "cloudwatch-logs",
          destinationDetails: { cloudWatchLogsDetails: { logGroup: slowLog.logGroupName } },
          logFormat: "json",
          logType: "slow-log",
        },
      ],
    });
  }
}
