import { readFileSync } from "node:fs";

/** The price table in cluster/prices.json (us-east-1 on-demand list prices, USD). */
export interface PriceTable {
  readonly region: string;
  readonly currency: string;
  readonly hoursPerMonth: number;
  /** Fraction spot saves against on-demand (0.7 = spot costs 30 % of on-demand). */
  readonly spotDiscount: number;
  readonly ec2PerHour: Readonly<Record<string, number>>;
  readonly gpuInstanceTypes: readonly string[];
  readonly ebsGp3PerGiBMonth: number;
  readonly eksControlPlanePerHour: number;
  readonly rdsPerHour: Readonly<Record<string, number>>;
  readonly rdsGp3PerGiBMonth: number;
  readonly elasticachePerHour: Readonly<Record<string, number>>;
  readonly s3StandardPerGiBMonth: number;
  readonly s3GlacierIrPerGiBMonth: number;
  readonly albPerHour: number;
  readonly albLcuPerHour: number;
  readonly natPerHour: number;
  readonly natPerGiBProcessed: number;
  readonly cloudwatchLogsIngestPerGiB: number;
  readonly cloudwatchLogsStorePerGiBMonth: number;
  readonly secretPerMonth: number;
  readonly kmsKeyPerMonth: number;
  readonly usage: Usage;
}

/** Usage the template cannot tell: average spot nodes, stored data, traffic. */
export interface Usage {
  readonly spotAverageNodes: number;
  readonly s3StandardGiB: number;
  readonly s3GlacierIrGiB: number;
  readonly albAverageLcu: number;
  readonly natGiBPerMonth: number;
  readonly logsGiBPerMonth: number;
}

/** The table shipped in the repo; also the list of instance types the constructs accept. */
export const prices: PriceTable = JSON.parse(readFileSync(new URL("./prices.json", import.meta.url), "utf8")) as PriceTable;
