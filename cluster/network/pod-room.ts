/**
 * How many nodes a private-app subnet holds when the VPC CNI hands out pod addresses as /28
 * prefixes (prefix delegation). Pure arithmetic, no CDK imports.
 *
 * The model: a prefix must be a whole, aligned /28 with no address in use. AWS reserves the first
 * four addresses and the last one of a subnet, which spoils the first and the last /28. Every node
 * holds `prefixesPerNode` /28s (the one its pods use plus WARM_PREFIX_TARGET spare ones) and one
 * primary address; other network interfaces in the subnet (EKS control-plane ENIs, Lambda ENIs)
 * take `otherAddresses`. EC2 places those single addresses anywhere in the subnet: at best they
 * all fit in the two spoiled /28s, at worst each spoils a /28 of its own.
 */

/** Per-node and per-subnet demand. */
export interface PodRoomDemand {
  /** /28 prefixes one node holds. */
  readonly prefixesPerNode: number;
  /** Addresses in the subnet that are neither node primaries nor prefixes. */
  readonly otherAddresses: number;
}

/** The nodes one subnet holds: when single addresses fragment it the most, and the least. */
export interface PodRoom {
  readonly worst: number;
  readonly best: number;
}

const PREFIX_LENGTH = 28;
const PREFIX_SIZE = 16;

function requireInt(field: string, value: number, [min, max]: [number, number]): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const allowed = max === Infinity ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`;
    throw new RangeError(`nodesPerSubnet: ${field} is ${value}; allowed: ${allowed}`);
  }
}

/** Room in one subnet of prefix length `subnetPrefixLength` (e.g. 24 for a /24). */
export function nodesPerSubnet(subnetPrefixLength: number, demand: PodRoomDemand): PodRoom {
  requireInt("subnetPrefixLength", subnetPrefixLength, [16, PREFIX_LENGTH]);
  requireInt("prefixesPerNode", demand.prefixesPerNode, [1, Infinity]);
  requireInt("otherAddresses", demand.otherAddresses, [0, Infinity]);
  const blocks = 2 ** (PREFIX_LENGTH - subnetPrefixLength);
  // A /28 subnet is one block holding both reserved ranges.
  const whole = blocks >= 2 ? blocks - 2 : 0;
  const spare = blocks >= 2 ? PREFIX_SIZE - 4 + (PREFIX_SIZE - 1) : PREFIX_SIZE - 5;
  const p = demand.prefixesPerNode;
  const other = demand.otherAddresses;
  // Best: single addresses fill the spoiled blocks first, then as few whole blocks as possible.
  let best = 0;
  while ((best + 1) * p + Math.ceil(Math.max(0, best + 1 + other - spare) / PREFIX_SIZE) <= whole) best += 1;
  // Worst: every single address spoils a whole block of its own.
  const worst = Math.max(0, Math.floor((whole - Math.min(other, whole)) / (p + 1)));
  return { worst, best };
}

/** Room summed over subnets (node groups spread their nodes over all of them). */
export function nodesInSubnets(subnetPrefixLengths: readonly number[], demand: PodRoomDemand): PodRoom {
  return subnetPrefixLengths
    .map((len) => nodesPerSubnet(len, demand))
    .reduce((sum, r) => ({ worst: sum.worst + r.worst, best: sum.best + r.best }), { worst: 0, best: 0 });
}
