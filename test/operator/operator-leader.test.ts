import test from "ava";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { kubeConfig, sandboxEnv } from "../support/sandbox.ts";
import { replicasOf, scaleEvents, until, useOperator, type OperatorProcess } from "./support/operator.ts";
import { usePoolFixture, usePoolQueue } from "./support/fixtures.ts";

const leads = async (op: OperatorProcess): Promise<boolean> => /^genpool_leader 1$/m.test(await op.metrics());

test("[integration] with two replicas only the leader scales; the standby takes over when the leader stops", async (t) => {
  t.timeout(180_000);
  const env = sandboxEnv();
  const fx = await usePoolFixture(t);
  const queue = usePoolQueue(t, fx);
  const base = { namespace: fx.namespace, redisHost: env.REDIS_HOST, redisPort: env.REDIS_PORT };
  const a = await useOperator(t, { ...base, podName: "operator-a" });
  const b = await useOperator(t, { ...base, podName: "operator-b" });

  await until("one leader", async () => (await leads(a)) !== (await leads(b)), 30_000);
  const [leader, standby] = (await leads(a)) ? [a, b] : [b, a];
  const leaderName = leader === a ? "operator-a" : "operator-b";
  const standbyName = leader === a ? "operator-b" : "operator-a";
  const lease = await kubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: fx.namespace, name: "genpool-operator" });
  t.is(lease.spec?.holderIdentity, leaderName);
  // Both replicas are ready: the standby is ready to take over.
  t.deepEqual([await a.probe("/readyz"), await b.probe("/readyz"), await a.probe("/healthz")], [200, 200, 200]);

  await queue.addBulk(Array.from({ length: 25 }, () => ({ name: "gen", data: {} })));
  await until("5 replicas", async () => (await replicasOf(fx.namespace, fx.deployment)) === 5, 45_000);
  // The event is written after the scale patch: wait for it rather than racing it.
  await until("the leader's scale event", async () => (await scaleEvents(fx.namespace, fx.pool)).length > 0, 15_000);
  t.deepEqual((await scaleEvents(fx.namespace, fx.pool)).map((e) => e.instance), [leaderName]);
  t.deepEqual(standby.lines("Scaled worker Deployment"), []);

  // SIGTERM releases the Lease: the standby leads well within the 15 s lease duration.
  const stoppedAt = Date.now();
  t.is(await leader.stop("SIGTERM"), 0);
  await until("standby leads", () => leads(standby), 15_000);
  t.log(`takeover after ${Date.now() - stoppedAt} ms`);
  await queue.addBulk(Array.from({ length: 25 }, () => ({ name: "gen", data: {} })));
  await until("10 replicas", async () => (await replicasOf(fx.namespace, fx.deployment)) === 10, 45_000);
  // Events list in name order (generated names), not time order: compare as sorted lists.
  await until("the new leader's scale event", async () => (await scaleEvents(fx.namespace, fx.pool)).some((e) => e.instance === standbyName), 15_000);
  t.deepEqual((await scaleEvents(fx.namespace, fx.pool)).map((e) => e.instance).sort(), [leaderName, standbyName].sort());
});
