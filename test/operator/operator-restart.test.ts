import test from "ava";
import { sandboxEnv } from "../support/sandbox.ts";
import { poolStatus, replicasOf, scaleEvents, sleep, until, useOperator } from "./support/operator.ts";
import { usePoolFixture, usePoolQueue } from "./support/fixtures.ts";
import type { GenerationPoolStatus } from "../../operator/resource/index.ts";

test("[integration] a killed and restarted operator converges without extra scale actions", async (t) => {
  t.timeout(180_000);
  const env = sandboxEnv();
  const fx = await usePoolFixture(t);
  const queue = usePoolQueue(t, fx);
  const options = { namespace: fx.namespace, redisHost: env.REDIS_HOST, redisPort: env.REDIS_PORT, podName: "operator-0" };
  const first = await useOperator(t, options);

  await queue.addBulk(Array.from({ length: 25 }, () => ({ name: "gen", data: {} })));
  await until("5 replicas", async () => (await replicasOf(fx.namespace, fx.deployment)) === 5, 45_000);
  await until("one scale event", async () => (await scaleEvents(fx.namespace, fx.pool)).length === 1);
  // Status is written after the scale patch and its Event: wait for it before taking the reference.
  await until("status with conditions", async () => (await poolStatus(fx.namespace, fx.pool)).conditions?.some((c) => c.type === "Ready") === true);
  const before = await poolStatus(fx.namespace, fx.pool);

  await first.stop("SIGKILL");
  // The same identity comes back (a restarted container keeps its pod name), so it renews its own Lease.
  const second = await useOperator(t, options);
  await until("the new process reconciled the pool", async () => /genpool_workers_desired\{[^}]*pool="pool"\} 5/.test(await second.metrics()), 30_000);
  await sleep(5_000); // longer than the scale-down window: nothing may move

  t.is(await replicasOf(fx.namespace, fx.deployment), 5);
  t.is((await scaleEvents(fx.namespace, fx.pool)).length, 1, "the restart caused a scale action");
  t.deepEqual(second.lines("Scaled worker Deployment"), []);
  const after = await poolStatus(fx.namespace, fx.pool);
  const transition = (s: GenerationPoolStatus, type: string) => s.conditions?.find((c) => c.type === type)?.lastTransitionTime;
  t.is(transition(after, "Ready"), transition(before, "Ready"), "lastTransitionTime moved without a status change");
});
