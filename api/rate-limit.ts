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

/**
 * For each key: INCR, and EXPIRE when the counter is new. One command and one round trip for a
 * whole batch of requests, atomic; a key named twice counts twice, in order.
 */
const HIT_SCRIPT =
  "local out = {} for i, key in ipairs(KEYS) do local n = redis.call('INCR', key) if n == 1 then redis.call('EXPIRE', key, ARGV[1]) end out[i] = n end return out";
const HIT_SHA = createHash("sha1").update(HIT_SCRIPT).digest("hex");

/** Runs the script by its SHA; loads it with EVAL when the server does not have it yet. */
async function incrWithTtl(redis: Redis, keys: readonly string[], ttlSeconds: number): Promise<unknown> {
  try {
    return await redis.evalsha(HIT_SHA, keys.length, ...keys, ttlSeconds);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith("NOSCRIPT")) throw err;
    return redis.eval(HIT_SCRIPT, keys.length, ...keys, ttlSeconds);
  }
}

/**
 * Counts one request for each entry of `userIds` (a user may appear more than once) and decides
 * each in order; throws when Redis is unreachable.
 */
export async function hitMany(redis: Redis, userIds: readonly string[], limit: RateLimit, nowMs: number): Promise<RateDecision[]> {
  if (userIds.length === 0) return [];
  const w = windowAt(nowMs, limit.windowSeconds);
  const keys = userIds.map((userId) => `genpool:ratelimit:${limit.scope}:${userId}:${w.index}`);
  const counts = await incrWithTtl(redis, keys, limit.windowSeconds + 1);
  if (!Array.isArray(counts) || counts.length !== keys.length) throw new Error("rate limit counters unavailable");
  return counts.map((c) => {
    const count = Number(c);
    if (!Number.isFinite(count)) throw new Error("rate limit counter unavailable");
    return { allowed: count <= limit.max, remaining: Math.max(0, limit.max - count), retryAfterSeconds: w.secondsLeft };
  });
}
