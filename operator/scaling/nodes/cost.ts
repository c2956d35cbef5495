/** Estimated running cost of a plan, from a $/hour-per-node table (spot prices for spot groups). */

/** $/hour of `desired` nodes per group; groups missing from the table count as free. */
export function estimatedHourlyCostUsd(
  desired: readonly { name: string; desired: number }[],
  hourlyPricePerNode: Readonly<Record<string, number>>,
): number {
  const total = desired.reduce((sum, g) => sum + g.desired * (hourlyPricePerNode[g.name] ?? 0), 0);
  // Cents are enough for a status field, and rounding keeps repeated plans byte-identical.
  return Math.round(total * 100) / 100;
}
