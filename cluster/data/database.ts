import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as logs from "aws-cdk-lib/aws-logs";
import * as rds from "aws-cdk-lib/aws-rds";
import { Construct } from "constructs";
import { toRetention } from "../network/vpc.ts";
import { prices } from "../prices.ts";
import { InvalidPropError, requireIntInRange, requireOneOf, withDefaults } from "../validate.ts";

/** Properties of {@link GenpoolDatabase}. */
export interface GenpoolDatabaseProps {
  readonly vpc: ec2.IVpc;
  /** Subnets to place the instance in (the data tier). */
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  /** @default "db.t4g.medium" */
  readonly instanceType?: string;
  /** A synchronous standby in the second AZ with automatic failover. @default true */
  readonly multiAz?: boolean;
  /** Initial gp3 storage in GiB. @default 50 */
  readonly allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling in GiB. @default 200 */
  readonly maxAllocatedStorageGiB?: number;
  /** Automated backup retention in days (1–35). @default 7 */
  readonly backupRetentionDays?: number;
  /** Blocks DeleteDBInstance until turned off. @default true */
  readonly deletionProtection?: boolean;
  /** Allows IAM database authentication in addition to the password. @default true */
  readonly iamAuthentication?: boolean;
  /** @default "genpool" */
  readonly databaseName?: string;
  /** DB instance identifier; also names the exported log groups. @default "genpool-postgres" */
  readonly instanceIdentifier?: string;
  /** Retention of the exported PostgreSQL logs, in days. @default 30 */
  readonly logRetentionDays?: number;
}

const NAME = "GenpoolDatabase";
const DEFAULTS = {
  instanceType: "db.t4g.medium",
  multiAz: true,
  allocatedStorageGiB: 50,
  maxAllocatedStorageGiB: 200,
  backupRetentionDays: 7,
  deletionProtection: true,
  iamAuthentication: true,
  databaseName: "genpool",
  instanceIdentifier: "genpool-postgres",
  logRetentionDays: 30,
};

/** RDS PostgreSQL in the data subnets: encrypted, TLS-only, backed up, password in Secrets Manager. */
export class GenpoolDatabase extends Construct {
  readonly instance: rds.DatabaseInstance;
  readonly databaseName: string;

  constructor(scope: Construct, id: string, props: GenpoolDatabaseProps) {
    super(scope, id);
    const p = withDefaults(DEFAULTS, props);
    requireOneOf(NAME, "instanceType", p.instanceType, Object.keys(prices.rdsPerHour));
    requireIntInRange(NAME, "allocatedStorageGiB", p.allocatedStorageGiB, [20, 65536]);
    requireIntInRange(NAME, "maxAllocatedStorageGiB", p.maxAllocatedStorageGiB, [p.allocatedStorageGiB, 65536]);
    requireIntInRange(NAME, "backupRetentionDays", p.backupRetentionDays, [1, 35]);
    requireIntInRange(NAME, "logRetentionDays", p.logRetentionDays, [1, 3653]);
    const identifier = p.instanceIdentifier;
    if (!/^[a-z](-?[a-z0-9])*$/.test(identifier) || identifier.length > 63) {
      throw new InvalidPropError(NAME, "instanceIdentifier", identifier, "1-63 lowercase letters, digits and single hyphens, starting with a letter");
    }
    this.databaseName = p.databaseName;
    // Created here with a retention, before RDS starts exporting; cloudwatchLogsRetention would add a Lambda.
    const logGroups = ["postgresql", "upgrade"].map(
      (type) => new logs.LogGroup(this, `Logs-${type}`, { logGroupName: `/aws/rds/instance/${identifier}/${type}`, retention: toRetention(p.logRetentionDays), removalPolicy: RemovalPolicy.RETAIN }),
    );
    const engine = rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_9 });
    const parameterGroup = new rds.ParameterGroup(this, "Parameters", {
      engine,
      description: "Genpool PostgreSQL: TLS required",
      parameters: { "rds.force_ssl": "1", log_min_duration_statement: "1000" },
    });
    this.instance = new rds.DatabaseInstance(this, "Instance", {
      engine,
      instanceType: new ec2.InstanceType(p.instanceType.replace(/^db\./, "")),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      port: 5432,
      multiAz: p.multiAz,
      storageType: rds.StorageType.GP3,
      allocatedStorage: p.allocatedStorageGiB,
      maxAllocatedStorage: p.maxAllocatedStorageGiB,
      storageEncrypted: true,
      credentials: rds.Credentials.fromGeneratedSecret("genpool_admin", { excludeCharacters: " %+~`#$&*()|[]{}:;<>?!'/@\"\\" }),
      databaseName: this.databaseName,
      parameterGroup,
      backupRetention: Duration.days(p.backupRetentionDays),
      preferredBackupWindow: "03:00-04:00",
      preferredMaintenanceWindow: "sun:05:00-sun:06:00",
      deletionProtection: p.deletionProtection,
      iamAuthentication: p.iamAuthentication,
      autoMinorVersionUpgrade: true,
      copyTagsToSnapshot: true,
      enablePerformanceInsights: true,
      monitoringInterval: Duration.seconds(60),
      cloudwatchLogsExports: ["postgresql", "upgrade"],
      instanceIdentifier: identifier,
      publiclyAccessible: false,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    for (const g of logGroups) this.instance.node.addDependency(g);
  }
}
