/**
 * Cost accounting: per-second billing of node time at the on-demand price or the spot price
 * (on-demand x (1 - discount)). One GPU per worker slot.
 */
import type { Billing } from "./cluster.ts";
import type { SimConfig } from "./config.ts";

/** Dollars and GPU time of one run. */
export interface Cost {
  usd: number;
  onDemandUsd: number;
  spotUsd: number;
  gpuHours: number;
}

/** Spot price per node-hour. */
export function spotPerHour(config: SimConfig): number {
  return config.onDemandPerHour * (1 - config.spotDiscount);
}

/** The cost of the billed node time. */
export function costOf(billing: Billing, config: SimConfig): Cost {
  const onDemandUsd = (billing.onDemandS / 3600) * config.onDemandPerHour;
  const spotUsd = (billing.spotS / 3600) * spotPerHour(config);
  return { usd: onDemandUsd + spotUsd, onDemandUsd, spotUsd, gpuHours: billing.gpuS / 3600 };
}
