/**
 * Current spot prices from EC2 DescribeSpotPriceHistory, for the pool's cost estimate. Prices
 * move slowly and every reconcile of every pool asks, so each answer is kept for a few minutes
 * (`SpotPriceCache`); a failed lookup is not kept, so the next reconcile asks again.
 */
import { DescribeSpotPriceHistoryCommand, type EC2Client, type _InstanceType } from "@aws-sdk/client-ec2";

/** How long a spot price is reused before EC2 is asked again. */
export const SPOT_PRICE_TTL_MS = 5 * 60_000;

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

/** Spot prices per instance type, each reused for `ttlMs`; concurrent askers share one request. */
export class SpotPriceCache {
  private readonly entries = new Map<string, { at: number; price: Promise<number | null> }>();

  constructor(
    private readonly ec2: EC2Client,
    private readonly now: () => number,
    private readonly ttlMs: number = SPOT_PRICE_TTL_MS,
  ) {}

  /** The current spot price of `type` in US $/hour, or null when EC2 has none. */
  price(type: string): Promise<number | null> {
    const at = this.now();
    const hit = this.entries.get(type);
    if (hit && at - hit.at < this.ttlMs) return hit.price;
    const price = currentSpotPrice(this.ec2, type, new Date(at));
    const entry = { at, price };
    this.entries.set(type, entry);
    price.catch(() => {
      // Forget a failed lookup (unless a newer one replaced it) so the next call retries; the caller sees the error.
      if (this.entries.get(type) === entry) this.entries.delete(type);
    });
    return price;
  }
}
