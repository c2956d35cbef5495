/**
 * On-demand EC2 prices for the cost estimate: the one price table of the repository,
 * cluster/prices.json (us-east-1 list prices, USD), bundled into the operator at build time.
 * The AWS Price List API is not used: the figures only feed an estimate in the pool status.
 */
import table from "../../cluster/prices.json" with { type: "json" };
import type { PriceTable } from "../../cluster/prices.ts";

const prices: PriceTable = table;

/** What the node step reads of the table. */
export interface OnDemandPriceTable {
  /** Region the list prices are for; other regions differ by a few percent. */
  region: string;
  /** $/hour per instance type. */
  perHour: Readonly<Record<string, number>>;
  /** Fraction spot saves against on-demand, for types with no live spot price. */
  spotDiscount: number;
}

/** The bundled table. */
export const onDemandPriceTable: OnDemandPriceTable = {
  region: prices.region,
  perHour: prices.ec2PerHour,
  spotDiscount: prices.spotDiscount,
};
