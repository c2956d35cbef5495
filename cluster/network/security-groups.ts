import * as ec2 from "aws-cdk-lib/aws-ec2";
import { Construct } from "constructs";
import { InvalidPropError } from "../validate.ts";
import { parseCidr } from "./cidr.ts";

/** Properties of {@link GenpoolSecurityGroups}. */
export interface GenpoolSecurityGroupsProps {
  readonly vpc: ec2.IVpc;
  /** Client CIDRs allowed to reach the load balancer. @default ["0.0.0.0/0"]: the public internet */
  readonly albSourceCidrs?: readonly string[];
  /** Listener ports the load balancer opens to those clients. @default [443, 80] (80 only redirects to 443) */
  readonly albListenerPorts?: readonly number[];
  /** Port the API container listens on; only the load balancer reaches it. @default 9090 */
  readonly apiPort?: number;
  /** @default 5432 */
  readonly databasePort?: number;
  /** @default 6379 */
  readonly redisPort?: number;
}

const NAME = "GenpoolSecurityGroups";

/**
 * Tier-to-tier rules: internet → ALB → API nodes; API and GPU nodes → PostgreSQL and Redis.
 * No group opens SSH: nodes are reached with SSM Session Manager.
 */
export class GenpoolSecurityGroups extends Construct {
  /** Attached by the AWS Load Balancer Controller to the ALB (Ingress annotation). */
  readonly alb: ec2.SecurityGroup;
  /** System node group (API and operator pods). */
  readonly systemNodes: ec2.SecurityGroup;
  /** GPU node groups (worker pods). */
  readonly gpuNodes: ec2.SecurityGroup;
  readonly database: ec2.SecurityGroup;
  readonly redis: ec2.SecurityGroup;
  readonly albSourceCidrs: readonly string[];

  constructor(scope: Construct, id: string, props: GenpoolSecurityGroupsProps) {
    super(scope, id);
    const sources = props.albSourceCidrs ?? ["0.0.0.0/0"];
    const listenerPorts = props.albListenerPorts ?? [443, 80];
    const apiPort = props.apiPort ?? 9090;
    const dbPort = props.databasePort ?? 5432;
    const redisPort = props.redisPort ?? 6379;
    validate(sources, [...listenerPorts.map((p) => ["albListenerPorts", p] as const), ["apiPort", apiPort], ["databasePort", dbPort], ["redisPort", redisPort]]);
    this.albSourceCidrs = sources;
    const vpc = props.vpc;

    this.alb = new ec2.SecurityGroup(this, "Alb", { vpc, allowAllOutbound: false, description: "Genpool ALB: clients in, API pods out" });
    this.systemNodes = new ec2.SecurityGroup(this, "SystemNodes", { vpc, allowAllOutbound: true, description: "Genpool system nodes (API, operator)" });
    this.gpuNodes = new ec2.SecurityGroup(this, "GpuNodes", { vpc, allowAllOutbound: true, description: "Genpool GPU nodes (workers)" });
    this.database = new ec2.SecurityGroup(this, "Database", { vpc, allowAllOutbound: false, description: "Genpool PostgreSQL: API and workers only" });
    this.redis = new ec2.SecurityGroup(this, "Redis", { vpc, allowAllOutbound: false, description: "Genpool Redis: API, operator and workers only" });

    for (const cidr of sources) {
      for (const port of listenerPorts) this.alb.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), "Clients to the ALB listener");
    }
    // The controller registers pod IPs (target type ip); pods use their node's security groups.
    this.alb.addEgressRule(this.systemNodes, ec2.Port.tcp(apiPort), "ALB to API pods");
    this.systemNodes.addIngressRule(this.alb, ec2.Port.tcp(apiPort), "Only the ALB reaches the API port");
    for (const client of [this.systemNodes, this.gpuNodes]) {
      this.database.addIngressRule(client, ec2.Port.tcp(dbPort), "PostgreSQL from API and worker nodes");
      this.redis.addIngressRule(client, ec2.Port.tcp(redisPort), "Redis from API, operator and worker nodes");
    }
  }
}

function validate(sources: readonly string[], ports: ReadonlyArray<readonly [string, number]>): void {
  if (sources.length === 0) throw new InvalidPropError(NAME, "albSourceCidrs", sources, "at least one IPv4 CIDR");
  for (const cidr of sources) {
    if (!parseCidr(cidr)) throw new InvalidPropError(NAME, "albSourceCidrs", cidr, "IPv4 CIDRs such as 203.0.113.0/24 or 0.0.0.0/0");
  }
  for (const [prop, port] of ports) {
    if (!Number.isInteger(port) || port < 1 || port > 65535 || port === 22) {
      throw new InvalidPropError(NAME, prop, port, "a TCP port from 1 to 65535 other than 22 (no SSH)");
    }
  }
}
