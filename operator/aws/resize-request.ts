/**
 * The two pure decisions inside a resize call: keep the size within the node group's own bounds
 * (moto does not check them, EKS rejects the request), and name the request so that a retry of
 * the same decision is one update, while a new decision is a new one.
 */
import { createHash } from "node:crypto";

/** `size` kept within [min, max] of the group. */
export function clampDesired(size: number, bounds: { minSize: number; maxSize: number }): number {
  if (!Number.isInteger(size) || size < 0) {
    throw new RangeError(`desired size ${size} is not allowed: it must be an integer >= 0`);
  }
  return Math.min(bounds.maxSize, Math.max(bounds.minSize, size));
}

/** What makes a resize decision unique. */
export interface ResizeDecision {
  /** The GenerationPool's uid (or namespace/name). */
  pool: string;
  group: string;
  from: number;
  to: number;
}

/**
 * A clientRequestToken for `decision`: the same decision retried gives the same token, so EKS
 * applies it once; the next decision (a different `from`) gets a new one.
 */
export function resizeToken(decision: ResizeDecision): string {
  const key = `${decision.pool}/${decision.group}/${decision.from}->${decision.to}`;
  return `genpool-${createHash("sha256").update(key).digest("hex").slice(0, 32)}`;
}
