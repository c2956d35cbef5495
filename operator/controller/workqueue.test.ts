import test from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import { WorkQueue } from "./workqueue.ts";

async function until(probe: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(5);
  }
}

// While the API server is down, Redis still sends a queue event per job: each one used to run the
// failing reconcile again at once, so the retry rate followed the event rate instead of the backoff.
test("work queue: wake-ups of a key in error backoff wait for its retry; after a success they run at once", async (t) => {
  const q = new WorkQueue({ baseDelayMs: 1_000, maxDelayMs: 1_000 });
  const at: number[] = [];
  const run = q.run(() => {
    at.push(Date.now());
    return at.length === 1 ? Promise.reject(new Error("API server unreachable")) : Promise.resolve({});
  }, () => undefined);
  q.add("ns/a");
  await until(() => at.length === 1);
  for (let i = 0; i < 50; i++) {
    q.add("ns/a", i % 2 === 0); // queue events (urgent) and resyncs alike
    await sleep(1);
  }
  t.is(at.length, 1, "a wake-up ran the failing key before its backoff ended");
  await until(() => at.length === 2);
  t.true(at[1]! - at[0]! >= 950, `retried after ${at[1]! - at[0]!} ms, before the 1 s backoff`);

  // The retry succeeded: the backoff is over and a wake-up runs the key without delay.
  await sleep(20);
  q.add("ns/a", true);
  await until(() => at.length === 3, 900);
  q.stop();
  await run;
  t.is(at.length, 3);
});

test("work queue: a key that failed while other keys were added keeps them flowing", async (t) => {
  const q = new WorkQueue({ baseDelayMs: 1_000, maxDelayMs: 1_000 });
  const seen: string[] = [];
  const run = q.run((key) => {
    seen.push(key);
    return key === "ns/a" ? Promise.reject(new Error("boom")) : Promise.resolve({});
  }, () => undefined);
  q.add("ns/a");
  await until(() => seen.length === 1);
  q.add("ns/a", true);
  q.add("ns/b", true);
  await until(() => seen.length === 2);
  q.stop();
  await run;
  // Only the failing key waits; the others are not held back by its backoff.
  t.deepEqual(seen, ["ns/a", "ns/b"]);
});
