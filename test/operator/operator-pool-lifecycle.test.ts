import test from "ava";
import { sandboxEnv } from "../support/sandbox.ts";
import { conditionOf, createPool, installCrd, patchPoolSpec, replicasOf, scaleEvents, sleep, until, useOperator } from "./support/operator.ts";
import { fastSpec, usePoolFixture, usePoolQueue } from "./support/fixtures.ts";
import { useNamespace } from "../support/sandbox.ts";

test("[integration] the API server rejects an invalid pool and names the field", async (t) => {
  await installCrd();
  const namespace = await useNamespace(t);
  const error = await t.throwsAsync(createPool(namespace, "bad", fastSpec("workers", "q", { replicas: { min: 5, max: 2 } })));
  const body = JSON.stringify((error as { body?: unknown }).body ?? error?.message);
  t.regex(body, /spec\.replicas/);
  t.regex(body, /replicas\.min must be less than or equal to replicas\.max/);
  const missing = await t.throwsAsync(createPool(namespace, "bad2", { queue: { name: "q" }, replicas: { max: 2 } }));
  t.regex(JSON.stringify((missing as { body?: unknown }).body ?? missing?.message), /spec\.workload/);
});

test("[integration] paused: true freezes the worker count; unpausing scales to the backlog", async (t) => {
  t.timeout(120_000);
  const env = sandboxEnv();
  const fx = await usePoolFixture(t, { replicas: 2, spec: (d, q) => fastSpec(d, q, { paused: true }) });
  const queue = usePoolQueue(t, fx);
  await useOperator(t, { namespace: fx.namespace, redisHost: env.REDIS_HOST, redisPort: env.REDIS_PORT, podName: "operator-a" });

  await until("Paused=True", async () => (await conditionOf(fx.namespace, fx.pool, "Paused"))?.status === "True");
  await queue.addBulk(Array.from({ length: 50 }, () => ({ name: "gen", data: {} })));
  for (let i = 0; i < 5; i++) {
    t.is(await replicasOf(fx.namespace, fx.deployment), 2, "a paused pool was scaled");
    await sleep(1_000);
  }
  t.deepEqual(await scaleEvents(fx.namespace, fx.pool), []);

  await patchPoolSpec(fx.namespace, fx.pool, { paused: false });
  await until("10 replicas after unpausing", async () => (await replicasOf(fx.namespace, fx.deployment)) === 10, 45_000);
  // The status is written after the scale patch, so it is awaited rather than read at once.
  await until("Paused=False after unpausing", async () => (await conditionOf(fx.namespace, fx.pool, "Paused"))?.status === "False");
  t.is((await conditionOf(fx.namespace, fx.pool, "Paused"))?.status, "False");
});
