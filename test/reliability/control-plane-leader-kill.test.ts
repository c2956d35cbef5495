import test from "ava";
import { CoordinationV1Api, Watch, type V1Deployment } from "@kubernetes/client-node";
import { kubeConfig, sandboxEnv } from "../support/sandbox.ts";
import { replicasOf, scaleEvents, until, useOperator, type OperatorProcess } from "../operator/support/operator.ts";
import { usePoolFixture, usePoolQueue } from "../operator/support/fixtures.ts";

/** The operator's defaults (docs/OPERATOR.md "High availability"). */
const leaseDurationMs = 15_000;
const retryMs = 2_000;

const leads = (op: OperatorProcess): Promise<boolean> => op.leads();

/** Time of the first "Leadership changed" line with `leading` true. */
const ledAt = (op: OperatorProcess): number | undefined => op.lines("Leadership changed").find((l) => l.leading === true)?.time as number | undefined;

/** Every change of the Deployment's spec.replicas, with the time the test saw it. */
async function watchReplicas(namespace: string, name: string): Promise<{ changes: Array<{ at: number; replicas: number }>; stop: () => void }> {
  const changes: Array<{ at: number; replicas: number }> = [];
  const abort = await new Watch(kubeConfig()).watch(`/apis/apps/v1/namespaces/${namespace}/deployments`, { fieldSelector: `metadata.name=${name}` }, (_phase, d: V1Deployment) => {
    const replicas = d.spec?.replicas ?? 0;
    if (changes.at(-1)?.replicas !== replicas) changes.push({ at: Date.now(), replicas });
  }, () => undefined);
  return { changes, stop: () => abort.abort() };
}

test("[integration] leader killed with SIGKILL (Lease not released): the standby takes over after the lease duration, and each scale has exactly one actor", async (t) => {
  t.timeout(360_000);
  const env = sandboxEnv();
  const fx = await usePoolFixture(t);
  const queue = usePoolQueue(t, fx);
  const base = { kubeconfig: env.KUBECONFIG, namespace: fx.namespace, redisHost: env.REDIS_HOST, redisPort: env.REDIS_PORT };
  const [a, b] = await Promise.all([useOperator(t, { ...base, podName: "operator-a" }), useOperator(t, { ...base, podName: "operator-b" })]);
  await until("one leader", async () => (await leads(a)) !== (await leads(b)), 30_000);
  const [leader, standby] = (await leads(a)) ? [a, b] : [b, a];
  const [leaderName, standbyName] = leader === a ? ["operator-a", "operator-b"] : ["operator-b", "operator-a"];
  const leases = kubeConfig().makeApiClient(CoordinationV1Api);
  const leaseBefore = await leases.readNamespacedLease({ namespace: fx.namespace, name: "genpool-operator" });
  t.is(leaseBefore.spec?.holderIdentity, leaderName);
  const replicas = await watchReplicas(fx.namespace, fx.deployment);
  t.teardown(replicas.stop);

  await queue.addBulk(Array.from({ length: 25 }, () => ({ name: "gen", data: {} })));
  await until("5 replicas", async () => (await replicasOf(fx.namespace, fx.deployment)) === 5, 45_000);
  const scaleLines = (): number => leader.lines("Scaled worker Deployment").length + standby.lines("Scaled worker Deployment").length;
  // Events are written after each scale patch: wait for the last one rather than racing it.
  await until("the leader's scale events", async () => (await scaleEvents(fx.namespace, fx.pool)).length === scaleLines(), 15_000);

  // A crash: no SIGTERM handler runs, so the Lease still names the dead leader.
  const killedAt = Date.now();
  t.is(await leader.stop("SIGKILL"), null);
  t.is((await leases.readNamespacedLease({ namespace: fx.namespace, name: "genpool-operator" })).spec?.holderIdentity, leaderName);
  // Demand rises while nobody leads: only the standby, once it leads, may act on it.
  await queue.addBulk(Array.from({ length: 25 }, () => ({ name: "gen", data: {} })));
  await until("the standby leads", () => leads(standby), leaseDurationMs + 3 * retryMs + 5_000);
  const takeoverAt = ledAt(standby)!;
  await until("10 replicas", async () => (await replicasOf(fx.namespace, fx.deployment)) === 10, 45_000);
  await until("the new leader's scale events", async () => {
    const events = await scaleEvents(fx.namespace, fx.pool);
    return events.length === scaleLines() && events.some((e) => e.instance === standbyName);
  }, 15_000);
  const firstStandbyScale = standby.lines("Scaled worker Deployment")[0]?.time as number;
  t.log(`takeover ${takeoverAt - killedAt} ms after SIGKILL; first scale by the new leader ${firstStandbyScale - takeoverAt} ms after it led`);

  // Takeover timing. The standby counts the lease duration from when it last saw the Lease change,
  // on its own clock: that is at most one retry period after the leader's last renewal, which came
  // at most one retry period before the kill; it then notices expiry at its next round. So the
  // takeover lands between leaseDuration - retry and leaseDuration + 2 * retry after the kill, and
  // never while the dead leader's last renewal could still be valid.
  const takeoverMs = takeoverAt - killedAt;
  t.true(takeoverMs >= leaseDurationMs - retryMs, `took over ${takeoverMs} ms after the kill: the Lease could still be valid`);
  t.true(takeoverMs <= leaseDurationMs + 2 * retryMs + 1_000, `took over ${takeoverMs} ms after the kill`);
  const leaseAfter = await leases.readNamespacedLease({ namespace: fx.namespace, name: "genpool-operator" });
  t.is(leaseAfter.spec?.holderIdentity, standbyName);
  t.is(leaseAfter.spec?.leaseTransitions, (leaseBefore.spec?.leaseTransitions ?? 0) + 1);

  // One actor per decision: every replica change has exactly one scale log line and one Event,
  // the standby acted only once it led, and the killed leader acted only before the kill.
  const byLeader = leader.lines("Scaled worker Deployment");
  const byStandby = standby.lines("Scaled worker Deployment");
  t.true(byLeader.length >= 1 && byStandby.length >= 1);
  const scaled = [...byLeader, ...byStandby].sort((x, y) => (x.time as number) - (y.time as number));
  t.deepEqual(replicas.changes.slice(1).map((c) => c.replicas), scaled.map((l) => l.to), "a replica change without its one scale action, or the reverse");
  t.is(replicas.changes[0]?.replicas, 1);
  t.is(scaled.at(-1)?.to, 10);
  t.true(byLeader.every((l) => (l.time as number) < killedAt), "the killed leader scaled after the kill");
  t.true(byStandby.every((l) => (l.time as number) >= takeoverAt), "the standby scaled before it led");
  t.deepEqual(replicas.changes.filter((c) => c.at > killedAt && c.at < takeoverAt), [], "the Deployment changed while nobody led");
  const events = await scaleEvents(fx.namespace, fx.pool);
  t.is(events.filter((e) => e.instance === leaderName).length, byLeader.length);
  t.is(events.filter((e) => e.instance === standbyName).length, byStandby.length);
  t.is(events.length, scaled.length);
});
