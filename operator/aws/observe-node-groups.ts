/**
 * The cloud half of the node step's observation: for each spec'd group, what EKS says (sizes,
 * health, capacity type, instance types), how many workers fit on one of its nodes and what one
 * node costs per hour. Reads through NodeGroupCloud only (GPU counts and spot prices are cached
 * there); the mappings are the pure resolveWorkersPerNode() and hourlyPricePerNode().
 */
import type { NodeGroup } from "../resource/index.ts";
import { hourlyPricePerNode } from "../scaling/nodes/price-per-node.ts";
import { resolveWorkersPerNode } from "../scaling/nodes/workers-per-node.ts";
import type { NodeGroupCloud, NodeGroupDescription } from "./node-group-cloud.ts";
import type { OnDemandPriceTable } from "./price-table.ts";

/** One group as the cloud reports it, with its derived figures. */
export interface ObservedGroup {
  description: NodeGroupDescription;
  /** EKS's instance types, or the spec's when EKS reports none (types in a launch template). */
  instanceTypes: readonly string[];
  workersPerNode: number;
}

/** What observeCloudGroups() returns. */
export interface CloudGroups {
  groups: ReadonlyMap<string, ObservedGroup>;
  /** $/hour of one node per group; groups with no known price are absent. */
  hourlyPricePerNode: Record<string, number>;
}

/** Asks `ask` once per distinct key, in order; the first failure throws. */
async function askEach<T>(keys: Iterable<string>, ask: (key: string) => Promise<T>): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  for (const key of new Set(keys)) out.set(key, await ask(key));
  return out;
}

/** Describes every group of `specs` and derives workers per node and node prices; the first failing call throws. */
export async function observeCloudGroups(cloud: NodeGroupCloud, specs: readonly NodeGroup[], table: OnDemandPriceTable): Promise<CloudGroups> {
  const described = await askEach(specs.map((g) => g.name), (name) => cloud.describe(name));
  const typesOf = (g: NodeGroup): readonly string[] => {
    const fromEks = described.get(g.name)?.instanceTypes ?? [];
    return fromEks.length > 0 ? fromEks : (g.instanceTypes ?? []);
  };
  const gpus = await askEach(specs.filter((g) => g.workersPerNode === undefined).flatMap(typesOf), (type) => cloud.instanceTypeGpus(type));
  const spotTypes = specs.filter((g) => described.get(g.name)?.capacityType === "spot").flatMap(typesOf);
  const spotPerHour = await askEach(spotTypes, (type) => cloud.spotPrice(type));

  const groups = new Map<string, ObservedGroup>();
  for (const [i, g] of specs.entries()) {
    const instanceTypes = typesOf(g);
    const workersPerNode = resolveWorkersPerNode({ at: `spec.nodeGroups[${i}] (${g.name})`, override: g.workersPerNode, instanceTypes, gpus });
    groups.set(g.name, { description: described.get(g.name)!, instanceTypes, workersPerNode });
  }
  const priced = [...groups.values()].map((o) => ({ name: o.description.name, capacityType: o.description.capacityType, instanceTypes: o.instanceTypes }));
  return {
    groups,
    hourlyPricePerNode: hourlyPricePerNode(priced, { onDemandPerHour: table.perHour, spotDiscount: table.spotDiscount, spotPerHour }),
  };
}
