import test, { type ExecutionContext } from "ava";
import { Redis } from "../worker/adapters/redis.ts";
import { hitMany, windowAt, type RateLimit } from "./rate-limit.ts";
import { closeRedis, serviceEnv, uniqueName } from "./test-support.ts";

const now = 1_000_000_000_000 + 5_000;

/** A Redis client and a limit of 2 per 30 s in a scope of its own; its counters are removed after the test. */
function limited(t: ExecutionContext): { redis: Redis; limit: RateLimit; counter: (userId: string) => string } {
  const env = serviceEnv();
  const redis = new Redis({ host: env.REDIS_HOST, port: env.REDIS_PORT, password: env.REDIS_PASSWORD });
  const scope = uniqueName("rl");
  t.teardown(async () => {
    const keys = await redis.keys(`genpool:ratelimit:${scope}:*`);
    if (keys.length > 0) await redis.unlink(...keys);
    await closeRedis(redis);
  });
  return { redis, limit: { scope, max: 2, windowSeconds: 30 }, counter: (userId) => `genpool:ratelimit:${scope}:${userId}:${windowAt(now, 30).index}` };
}

test("[integration] rate limit: counts per user and window in Redis, the counter expires after its window", async (t) => {
  const { redis, limit, counter } = limited(t);
  const one = async (userId: string, at: number) => (await hitMany(redis, [userId], limit, at))[0]!;
  const decisions = [await one("alice", now), await one("alice", now + 1000), await one("alice", now + 2000)];
  t.deepEqual(decisions.map((d) => [d.allowed, d.remaining]), [[true, 1], [true, 0], [false, 0]]);
  t.is(decisions[2]!.retryAfterSeconds, windowAt(now + 2000, 30).secondsLeft);
  t.true((await one("bob", now)).allowed, "other users have their own counter");
  t.true((await one("alice", now + 30_000)).allowed, "the next window starts from zero");
  t.is(await redis.get(counter("alice")), "3");
  const ttl = await redis.ttl(counter("alice"));
  t.true(ttl > 0 && ttl <= 31, `the counter expires after window + 1 s, ttl ${ttl}`);
});

test("[integration] rate limit: one call decides a batch in order, a user named twice counts twice", async (t) => {
  const { redis, limit, counter } = limited(t);
  t.deepEqual(await hitMany(redis, [], limit, now), []);
  const decisions = await hitMany(redis, ["alice", "bob", "alice", "alice", "bob"], limit, now);
  t.deepEqual(decisions.map((d) => [d.allowed, d.remaining]), [[true, 1], [true, 1], [true, 0], [false, 0], [true, 0]]);
  t.deepEqual(decisions.map((d) => d.retryAfterSeconds), Array(5).fill(windowAt(now, 30).secondsLeft));
  t.false((await hitMany(redis, ["bob"], limit, now + 1000))[0]!.allowed, "a later call shares the batch's counters");
  const ttl = await redis.ttl(counter("alice"));
  t.true(ttl > 0 && ttl <= 31, `the counter expires after window + 1 s, ttl ${ttl}`);
});
