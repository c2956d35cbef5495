/**
 * $/hour of one node of each group, for the pool's cost estimate (status.estimatedHourlyCostUsd).
 * Pure: the runtime fetches live spot prices (cached) and passes the bundled on-demand table.
 *
 * - On-demand: the price of the group's first instance type the table knows. EKS launches
 *   on-demand instances in the order the types are listed ("prioritized").
 * - Spot: the dearest current spot price among the group's types. Spot uses
 *   price-capacity-optimized allocation, which may pick any of them, so the estimate errs high.
 *   A type with no live price counts at the table's on-demand price times (1 - spotDiscount).
 * - A group none of whose types has a price is left out (it counts as $0 in the estimate).
 */
import type { CapacityType } from "./types.ts";

/** What the mapping reads of one group. */
export interface GroupPriceInput {
  name: string;
  /** How EKS bills the group's instances. */
  capacityType: CapacityType;
  instanceTypes: readonly string[];
}

/** Where prices come from. */
export interface PriceSources {
  /** On-demand $/hour per instance type (the bundled table). */
  onDemandPerHour: Readonly<Record<string, number>>;
  /** Fraction spot saves against on-demand, used only when a live spot price is missing. */
  spotDiscount: number;
  /** Current spot $/hour per instance type; null when EC2 has no price for it. */
  spotPerHour: ReadonlyMap<string, number | null>;
}

function spotPrice(type: string, sources: PriceSources): number | undefined {
  const live = sources.spotPerHour.get(type);
  if (live !== undefined && live !== null) return live;
  const onDemand = sources.onDemandPerHour[type];
  return onDemand === undefined ? undefined : onDemand * (1 - sources.spotDiscount);
}

function groupPrice(group: GroupPriceInput, sources: PriceSources): number | undefined {
  if (group.capacityType === "on-demand") {
    return group.instanceTypes.map((type) => sources.onDemandPerHour[type]).find((p) => p !== undefined);
  }
  const known = group.instanceTypes.map((type) => spotPrice(type, sources)).filter((p): p is number => p !== undefined);
  return known.length === 0 ? undefined : Math.max(...known);
}

/** Group name -> $/hour of one of its nodes; groups without any known price are absent. */
export function hourlyPricePerNode(groups: readonly GroupPriceInput[], sources: PriceSources): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of groups) {
    const price = groupPrice(g, sources);
    if (price !== undefined) out[g.name] = price;
  }
  return out;
}
