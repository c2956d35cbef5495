/** Per-user rate limit: a fixed window counter in Redis. */
import { createHash } from "node:crypto";
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

/** INCR, and EXPIRE when the counter is new: one command, one round trip, atomic. */
const HIT_SCRIPT = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n";
const HIT_SHA = createHash("sha1").update(HIT_SCRIPT).digest("hex");

/** Runs the script by its SHA; loads it with EVAL when the server does not have it yet. */
async function incrWithTtl(redis: Redis, key: string, ttlSeconds: number): Promise<unknown> {
  try {
    return await redis.evalsha(HIT_SHA, 1, key, ttlSeconds);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
    return redis.eval(HIT_SCRIPT, 1, key, ttlSeconds);
  }
}

/** Counts one request of `userId`; throws when Redis is unreachable. */
export async function hit(redis: Redis, userId: string, limit: RateLimit, nowMs: number): Promise<RateDecision> {
  const w = windowAt(nowMs, limit.windowSeconds);
  const key = `genpool:ratelimit:${limit.scope}:${userId}:${w.index}`;
  const count = Number(await incrWithTtl(redis, key, limit.windowSeconds + 1));
  if (!Number.isFinite(count)) throw new Error("rate limit counter unavailable");
  return { allowed: count <= limit.max, remaining: Math.max(0, limit.max - count), retryAfterSeconds: w.secondsLeft };
}
