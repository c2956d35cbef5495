import test from "ava";
import { pino } from "pino";
import { LeaderElector } from "../../operator/leader/elector.ts";
import { LeaseClient, LeaseConflictError } from "../../operator/kube/lease.ts";
import { kubeConfig, useNamespace } from "../support/sandbox.ts";

/** A clock the test moves by hand (the only fake besides InvokeAI that the house rules allow). */
class ManualClock {
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
}

const timing = { leaseDurationMs: 15_000, retryMs: 2_000, renewDeadlineMs: 10_000 };
const log = pino({ level: "silent" });

function elector(namespace: string, identity: string, clock: ManualClock, changes: string[]) {
  return new LeaderElector({
    store: new LeaseClient(kubeConfig(), namespace, "election"),
    identity,
    clock,
    timing,
    handlers: { onStartedLeading: () => changes.push(`${identity}+`), onStoppedLeading: () => changes.push(`${identity}-`) },
    log,
  });
}

test("[integration] one leader at a time; a standby takes over only after the lease duration on its own clock", async (t) => {
  const namespace = await useNamespace(t);
  const clock = new ManualClock();
  const changes: string[] = [];
  const a = elector(namespace, "a", clock, changes);
  const b = elector(namespace, "b", clock, changes);

  t.true(await a.round(), "a creates the Lease and leads");
  t.false(await b.round(), "b sees a valid Lease");
  clock.t += 2_000;
  t.true(await a.round(), "a renews");
  t.false(await b.round(), "b sees the renewal");
  clock.t += 14_000;
  t.false(await b.round(), "b saw the Lease change 14 s ago: still valid");
  // a stops renewing (crashed). b takes over 15 s after the last change it observed.
  clock.t += 1_500;
  t.true(await b.round(), "b acquires after the lease duration");
  const lease = await new LeaseClient(kubeConfig(), namespace, "election").read();
  t.like(lease, { holder: "b", transitions: 1, leaseDurationSeconds: 15 });
  t.false(await a.round(), "a comes back and finds b holding a valid Lease");
  t.deepEqual(changes, ["a+", "b+", "a-"]);
});

test("[integration] release hands the Lease over at once", async (t) => {
  const namespace = await useNamespace(t);
  const clock = new ManualClock();
  const changes: string[] = [];
  const a = elector(namespace, "a", clock, changes);
  const b = elector(namespace, "b", clock, changes);
  t.true(await a.round());
  t.false(await b.round());
  await a.release();
  t.true(await b.round(), "b acquires without waiting for expiry");
  t.deepEqual(changes, ["a+", "a-", "b+"]);
});

test("[integration] writes are conditional on resourceVersion: a stale write loses", async (t) => {
  const namespace = await useNamespace(t);
  const store = new LeaseClient(kubeConfig(), namespace, "race");
  const created = await store.write(undefined, { holder: "a", leaseDurationSeconds: 15, transitions: 0, now: Date.now(), acquired: true });
  await store.write(created, { holder: "a", leaseDurationSeconds: 15, transitions: 0, now: Date.now(), acquired: false });
  await t.throwsAsync(store.write(created, { holder: "b", leaseDurationSeconds: 15, transitions: 1, now: Date.now(), acquired: true }), { instanceOf: LeaseConflictError });
  t.is((await store.read())?.holder, "a");
});

test("[integration] the first round that reaches the API server after failed ones reports it back (the watches re-open on it)", async (t) => {
  const namespace = await useNamespace(t);
  const clock = new ManualClock();
  const live = new LeaseClient(kubeConfig(), namespace, "election");
  // The same Lease through a client whose API server address refuses connections.
  const unreachable = kubeConfig();
  unreachable.clusters = unreachable.clusters.map((c) => ({ ...c, server: "https://127.0.0.1:1" }));
  const dead = new LeaseClient(unreachable, namespace, "election");
  let cut = false;
  const store = { read: () => (cut ? dead : live).read(), write: (...a: Parameters<LeaseClient["write"]>) => (cut ? dead : live).write(...a) };
  const back: number[] = [];
  const a = new LeaderElector({
    store, identity: "a", clock, timing, log,
    handlers: { onStartedLeading: () => undefined, onStoppedLeading: () => undefined, onApiServerBack: () => back.push(clock.t) },
  });
  t.true(await a.round());
  clock.t += 2_000;
  t.true(await a.round());
  t.deepEqual(back, [], "no report while every round reached it");
  cut = true;
  clock.t += 2_000;
  t.true(await a.round(), "still leading before the renew deadline");
  t.is(a.lastContact, clock.t - 2_000, "a refused connection is no contact");
  clock.t += 2_000;
  await a.round();
  t.deepEqual(back, []);
  cut = false;
  clock.t += 2_000;
  t.true(await a.round());
  t.deepEqual(back, [clock.t], "reported once, on the first round that got through");
  clock.t += 2_000;
  await a.round();
  t.is(back.length, 1);
});
