/** Current spot prices from EC2 DescribeSpotPriceHistory, for the pool's cost estimate. */
import { DescribeSpotPriceHistoryCommand, type EC2Client, type _InstanceType } from "@aws-sdk/client-ec2";

/** Mean of the latest Linux spot price of `type` in each zone, US $/hour; null when EC2 has none. */
export async function currentSpotPrice(ec2: EC2Client, type: string, now: Date): Promise<number | null> {
  const out = await ec2.send(new DescribeSpotPriceHistoryCommand({
    InstanceTypes: [type as _InstanceType],
    ProductDescriptions: ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
    // A start time of now asks for the price in force now in each zone.
    StartTime: now,
  }));
  const latest = new Map<string, { at: number; price: number }>();
  for (const p of out.SpotPriceHistory ?? []) {
    const price = Number(p.SpotPrice);
    const at = p.Timestamp?.getTime() ?? 0;
    const zone = p.AvailabilityZone ?? "";
    if (!Number.isFinite(price)) continue;
    const seen = latest.get(zone);
    if (!seen || at > seen.at) latest.set(zone, { at, price });
  }
  if (latest.size === 0) return null;
  const prices = [...latest.values()].map((v) => v.price);
  return prices.reduce((a, b) => a + b, 0) / prices.length;
}
