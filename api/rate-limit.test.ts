import test from "ava";
import { Redis } from "../worker/adapters/redis.ts";
import { hit, hitMany, windowAt } from "./rate-limit.ts";
import { serviceEnv, uniqueName } from "./test-support.ts";

test("[integration] rate limit: counts per user and window in Redis, the counter expires after its window", async (t) => {
  const env = serviceEnv();
  const redis = new Redis({ host: env.REDIS_HOST, port: env.REDIS_PORT, password: env.REDIS_PASSWORD });
  const scope = uniqueName("rl");
  t.teardown(async () => {
    const keys = await redis.keys(`genpool:ratelimit:${scope}:*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  });
  const limit = { scope, max: 2, windowSeconds: 30 };
  const now = 1_000_000_000_000 + 5_000;
  const decisions = [await hit(redis, "alice", limit, now), await hit(redis, "alice", limit, now + 1000), await hit(redis, "alice", limit, now + 2000)];
  t.deepEqual(decisions.map((d) => [d.allowed, d.remaining]), [[true, 1], [true, 0], [false, 0]]);
  t.is(decisions[2]!.retryAfterSeconds, windowAt(now + 2000, 30).secondsLeft);
  t.true((await hit(redis, "bob", limit, now)).allowed, "other users have their own counter");
  t.true((await hit(redis, "alice", limit, now + 30_000)).allowed, "the next window starts from zero");

  const key = `genpool:ratelimit:${scope}:alice:${windowAt(now, 30).index}`;
  t.is(await redis.get(key), "3");
  const ttl = await redis.ttl(key);
  t.true(ttl > 0 && ttl <= 31, `the counter expires after window + 1 s, ttl ${ttl}`);
});

test("[integration] rate limit: one call decides a batch in order, a user named twice counts twice", async (t) => {
  const env = serviceEnv();
  const redis = new Redis({ host: env.REDIS_HOST, port: env.REDIS_PORT, password: env.REDIS_PASSWORD });
  const scope = uniqueName("rlb");
  t.teardown(async () => {
    const keys = await redis.keys(`genpool:ratelimit:${scope}:*`);
    if (keys.length > 0) await redis.unlink(...keys);
    redis.disconnect();
  });
  const limit = { scope, max: 2, windowSeconds: 30 };
  const now = 1_000_000_000_000 + 5_000;
  t.deepEqual(await hitMany(redis, [], limit, now), []);
  const decisions = await hitMany(redis, ["alice", "bob", "alice", "alice", "bob"], limit, now);
  t.deepEqual(decisions.map((d) => [d.allowed, d.remaining]), [[true, 1], [true, 1], [true, 0], [false, 0], [true, 0]]);
  t.deepEqual(decisions.map((d) => d.retryAfterSeconds), Array(5).fill(windowAt(now, 30).secondsLeft));
  t.false((await hit(redis, "bob", limit, now + 1000)).allowed, "single hits share the batch's counters");
  const ttl = await redis.ttl(`genpool:ratelimit:${scope}:alice:${windowAt(now, 30).index}`);
  t.true(ttl > 0 && ttl <= 31, `the counter expires after window + 1 s, ttl ${ttl}`);
});
