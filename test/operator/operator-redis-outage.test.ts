import test from "ava";
import { Queue } from "bullmq";
import { conditionOf, replicasOf, sleep, until, useOperator } from "./support/operator.ts";
import { usePoolFixture } from "./support/fixtures.ts";
import { RedisServer } from "./support/redis-server.ts";

test("[integration] holds the worker count while Redis is down (QueueReachable=False) and recovers when it returns", async (t) => {
  t.timeout(180_000);
  // A private redis-server, so stopping it does not disturb the shared one.
  const redis = await RedisServer.start();
  t.teardown(() => redis.stop());
  const fx = await usePoolFixture(t);
  const connection = { host: redis.host, port: redis.port };
  const queue = new Queue(fx.queue, { connection });
  queue.on("error", () => undefined); // the outage is the point of this test
  t.teardown(() => queue.close().catch(() => undefined));
  await useOperator(t, { namespace: fx.namespace, redisHost: redis.host, redisPort: redis.port, podName: "operator-a" });

  await queue.addBulk(Array.from({ length: 20 }, () => ({ name: "gen", data: {} })));
  await until("4 replicas", async () => (await replicasOf(fx.namespace, fx.deployment)) === 4, 45_000);
  await until("QueueReachable=True", async () => (await conditionOf(fx.namespace, fx.pool, "QueueReachable"))?.status === "True");

  await redis.stop();
  await until("QueueReachable=False", async () => (await conditionOf(fx.namespace, fx.pool, "QueueReachable"))?.status === "False", 45_000);
  const unreachable = await conditionOf(fx.namespace, fx.pool, "QueueReachable");
  t.is(unreachable?.reason, "RedisUnavailable");
  // Longer than the 3 s scale-down window: missing data must not look like an empty queue.
  for (let i = 0; i < 8; i++) {
    t.is(await replicasOf(fx.namespace, fx.deployment), 4, "replicas changed while Redis was down");
    await sleep(1_000);
  }

  // Redis comes back empty (no persistence): the operator reads again and follows the real queue.
  await redis.start();
  await until("QueueReachable=True again", async () => (await conditionOf(fx.namespace, fx.pool, "QueueReachable"))?.status === "True", 30_000);
  await until("back to min after the window", async () => (await replicasOf(fx.namespace, fx.deployment)) === 1, 30_000);
  const ready = await conditionOf(fx.namespace, fx.pool, "Ready");
  t.is(ready?.status, "True");
});
