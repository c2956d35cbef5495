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
