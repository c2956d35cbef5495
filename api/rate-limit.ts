/** Per-user rate limit: a fixed window counter in Redis. */
import type { Redis } from "ioredis";

/** Limit settings. */
export interface RateLimit {
  /** Namespace of the counters (the queue name: one API deployment per pool). */
  scope: string;
  max: number;
  windowSeconds: number;
}

/** Outcome for one request. */
export interface RateDecision {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/** Window index and seconds left in it at `nowMs`; pure. */
export function windowAt(nowMs: number, windowSeconds: number): { index: number; secondsLeft: number } {
  const windowMs = windowSeconds * 1000;
  const index = Math.floor(nowMs / windowMs);
  return { index, secondsLeft: Math.max(1, Math.ceil(((index + 1) * windowMs - nowMs) / 1000)) };
}

/** Counts one request of `userId`; throws when Redis is unreachable. */
export async function hit(redis: Redis, userId: string, limit: RateLimit, nowMs: number): Promise<RateDecision> {
  const w = windowAt(nowMs, limit.windowSeconds);
  const key = `genpool:ratelimit:${limit.scope}:${userId}:${w.index}`;
  const res = await redis.multi().incr(key).expire(key, limit.windowSeconds + 1).exec();
  const count = Number(res?.[0]?.[1] ?? NaN);
  if (!Number.isFinite(count)) throw new Error("rate limit counter unavailable");
  return { allowed: count <= limit.max, remaining: Math.max(0, limit.max - count), retryAfterSeconds: w.secondsLeft };
}
