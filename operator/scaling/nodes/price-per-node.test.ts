import test from "ava";
import { hourlyPricePerNode, type GroupPriceInput, type PriceSources } from "./price-per-node.ts";

// On-demand figures as in cluster/prices.json; spot figures as DescribeSpotPriceHistory might say.
const sources: PriceSources = {
  onDemandPerHour: { "g5.xlarge": 1.006, "g5.2xlarge": 1.212, "g4dn.xlarge": 0.526 },
  spotDiscount: 0.7,
  spotPerHour: new Map<string, number | null>([["g5.xlarge", 0.31], ["g5.2xlarge", 0.42], ["g4dn.xlarge", null], ["g6.xlarge", 0.25]]),
};
const od = (...instanceTypes: string[]): GroupPriceInput => ({ name: "g", capacityType: "on-demand", instanceTypes });
const spot = (...instanceTypes: string[]): GroupPriceInput => ({ name: "g", capacityType: "spot", instanceTypes });

const rows: [why: string, group: GroupPriceInput, want: number | undefined][] = [
  ["on-demand: the table's price of its type", od("g5.xlarge"), 1.006],
  ["on-demand: EKS launches the first listed type, so its price counts", od("g5.2xlarge", "g5.xlarge"), 1.212],
  ["on-demand: a first type missing from the table gives way to the next one", od("g6.xlarge", "g4dn.xlarge"), 0.526],
  ["on-demand: no type in the table, no price (the group counts as $0)", od("g6.xlarge"), undefined],
  ["on-demand never uses a spot price", od("g6.xlarge", "p9.huge"), undefined],
  ["spot: the live spot price of its type", spot("g5.xlarge"), 0.31],
  ["spot: several types, the dearest (allocation may pick any of them)", spot("g5.xlarge", "g5.2xlarge"), 0.42],
  ["spot: a type with no live price falls back to on-demand x (1 - spotDiscount)", spot("g4dn.xlarge"), 0.526 * 0.3],
  ["spot: a live price for a type the table lacks still counts", spot("g6.xlarge"), 0.25],
  ["spot: neither a live nor a table price, no price", spot("p9.huge"), undefined],
  ["a group with no instance types has no price", spot(), undefined],
];
for (const [why, group, want] of rows) {
  test(`price per node: ${why}`, (t) => {
    const prices = hourlyPricePerNode([group], sources);
    if (want === undefined) t.false("g" in prices);
    else t.is(Math.round(prices.g! * 1e6), Math.round(want * 1e6));
  });
}

test("price per node: one entry per priced group, by name", (t) => {
  const prices = hourlyPricePerNode([{ ...spot("g5.xlarge"), name: "gpu-spot" }, { ...od("g5.xlarge"), name: "gpu-od" }, { ...od("x"), name: "other" }], sources);
  t.deepEqual(prices, { "gpu-spot": 0.31, "gpu-od": 1.006 });
});
