import type { PriceTable, Usage } from "../prices.ts";

/** The cost-relevant shape of the stack, read from the synthesized template. */
export interface InfraConfig {
  readonly eksClusters: number;
  readonly nodeGroups: readonly NodeGroupConfig[];
  readonly databases: readonly { readonly instanceClass: string; readonly multiAz: boolean; readonly storageGiB: number }[];
  readonly redisGroups: readonly { readonly nodeType: string; readonly nodes: number }[];
  readonly natGateways: number;
  readonly secrets: number;
  readonly kmsKeys: number;
}

/** One managed node group. */
export interface NodeGroupConfig {
  readonly name: string;
  readonly capacityType: "ON_DEMAND" | "SPOT";
  readonly instanceTypes: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly rootVolumeGiB: number;
}

/** One line of the estimate, in USD per month. */
export interface CostLine {
  readonly item: string;
  readonly detail: string;
  readonly monthly: number;
}

/** The estimate: its lines, their total, and what the spot group costs against on-demand. */
export interface Estimate {
  readonly lines: readonly CostLine[];
  readonly total: number;
  readonly spot: { readonly nodes: number; readonly onDemandMonthly: number; readonly spotMonthly: number; readonly saved: number };
}

const round = (x: number): number => Math.round(x * 100) / 100;

function hourly(prices: PriceTable, type: string): number {
  const p = prices.ec2PerHour[type];
  if (p === undefined) throw new Error(`no price for instance type ${type} in the price table`);
  return p;
}

/**
 * Nodes a group runs on average: on-demand groups sit at minSize (the operator adds on-demand
 * nodes only as a fallback), spot groups at the usage figure, clamped to the group's bounds.
 * A group is priced at its first instance type.
 */
function averageNodes(g: NodeGroupConfig, usage: Usage): number {
  return g.capacityType === "SPOT" ? Math.min(g.maxSize, Math.max(g.minSize, usage.spotAverageNodes)) : g.minSize;
}

function nodeGroupLines(c: InfraConfig, prices: PriceTable, usage: Usage): { lines: CostLine[]; spot: Estimate["spot"] } {
  const h = prices.hoursPerMonth;
  const lines: CostLine[] = [];
  let spot = { nodes: 0, onDemandMonthly: 0, spotMonthly: 0, saved: 0 };
  for (const g of c.nodeGroups) {
    const type = g.instanceTypes[0] ?? "";
    const nodes = averageNodes(g, usage);
    const onDemand = nodes * hourly(prices, type) * h;
    const isSpot = g.capacityType === "SPOT";
    const monthly = isSpot ? onDemand * (1 - prices.spotDiscount) : onDemand;
    const rate = isSpot ? `spot at ${Math.round(prices.spotDiscount * 100)} % off` : "on-demand";
    lines.push({ item: `Compute ${g.name}`, detail: `${nodes} × ${type} ${rate}, ${h} h`, monthly: round(monthly) });
    lines.push({ item: `EBS ${g.name}`, detail: `${nodes} × ${g.rootVolumeGiB} GiB gp3`, monthly: round(nodes * g.rootVolumeGiB * prices.ebsGp3PerGiBMonth) });
    if (isSpot) {
      const s = spot.nodes + nodes;
      spot = { nodes: s, onDemandMonthly: round(spot.onDemandMonthly + onDemand), spotMonthly: round(spot.spotMonthly + monthly), saved: round(spot.saved + onDemand - monthly) };
    }
  }
  return { lines, spot };
}

function dataLines(c: InfraConfig, prices: PriceTable): CostLine[] {
  const h = prices.hoursPerMonth;
  const lines: CostLine[] = [];
  for (const db of c.databases) {
    const copies = db.multiAz ? 2 : 1;
    const rate = prices.rdsPerHour[db.instanceClass];
    if (rate === undefined) throw new Error(`no price for RDS class ${db.instanceClass} in the price table`);
    lines.push({ item: "RDS PostgreSQL", detail: `${db.instanceClass}${db.multiAz ? " Multi-AZ" : ""}`, monthly: round(rate * h * copies) });
    lines.push({ item: "RDS storage", detail: `${db.storageGiB} GiB gp3 × ${copies}`, monthly: round(db.storageGiB * prices.rdsGp3PerGiBMonth * copies) });
  }
  for (const r of c.redisGroups) {
    const rate = prices.elasticachePerHour[r.nodeType];
    if (rate === undefined) throw new Error(`no price for ElastiCache node type ${r.nodeType} in the price table`);
    lines.push({ item: "ElastiCache Redis", detail: `${r.nodes} × ${r.nodeType}`, monthly: round(r.nodes * rate * h) });
  }
  return lines;
}

function controlPlaneLine(c: InfraConfig, prices: PriceTable): CostLine {
  const monthly = c.eksClusters * prices.eksControlPlanePerHour * prices.hoursPerMonth;
  return { item: "EKS control plane", detail: `${c.eksClusters} × $${prices.eksControlPlanePerHour}/h`, monthly: round(monthly) };
}

function serviceLines(c: InfraConfig, prices: PriceTable, usage: Usage): CostLine[] {
  const h = prices.hoursPerMonth;
  return [
    { item: "S3 storage", detail: `${usage.s3StandardGiB} GiB Standard + ${usage.s3GlacierIrGiB} GiB Glacier IR`, monthly: round(usage.s3StandardGiB * prices.s3StandardPerGiBMonth + usage.s3GlacierIrGiB * prices.s3GlacierIrPerGiBMonth) },
    { item: "ALB", detail: `1 ALB + ${usage.albAverageLcu} LCU average`, monthly: round((prices.albPerHour + usage.albAverageLcu * prices.albLcuPerHour) * h) },
    { item: "NAT gateways", detail: `${c.natGateways} × ${h} h + ${usage.natGiBPerMonth} GiB processed`, monthly: round(c.natGateways * prices.natPerHour * h + usage.natGiBPerMonth * prices.natPerGiBProcessed) },
    { item: "CloudWatch Logs", detail: `${usage.logsGiBPerMonth} GiB ingested and stored`, monthly: round(usage.logsGiBPerMonth * (prices.cloudwatchLogsIngestPerGiB + prices.cloudwatchLogsStorePerGiBMonth)) },
    { item: "Secrets Manager", detail: `${c.secrets} secrets`, monthly: round(c.secrets * prices.secretPerMonth) },
    { item: "KMS keys", detail: `${c.kmsKeys} customer-managed keys`, monthly: round(c.kmsKeys * prices.kmsKeyPerMonth) },
  ];
}

/** Monthly estimate of `config` at `prices` for `usage`. Pure: no I/O, no clock. */
export function estimate(config: InfraConfig, prices: PriceTable, usage: Usage = prices.usage): Estimate {
  const nodes = nodeGroupLines(config, prices, usage);
  const lines = [controlPlaneLine(config, prices), ...nodes.lines, ...dataLines(config, prices), ...serviceLines(config, prices, usage)];
  return { lines, total: round(lines.reduce((sum, l) => sum + l.monthly, 0)), spot: nodes.spot };
}
