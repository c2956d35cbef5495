import test from "ava";
import { runLoad } from "./load.ts";

// Bounded sustained load: correctness is asserted, speed only reported (docs/RELIABILITY.md).
const seconds = Number(process.env.LOAD_SECONDS ?? 60);

test("[integration] sustained load: every accepted generation completes exactly once while workers drain the queue", async (t) => {
  t.timeout(seconds * 1000 + 600_000);
  const f = await runLoad({ seconds, rate: 4, connections: 4, workers: 3 });
  t.log(JSON.stringify({ requests: f.requests, statuses: f.statuses, errors: f.errors, timeouts: f.timeouts, heldPerSecond: f.heldPerSecond, latencyMs: f.latencyMs, maxBacklog: f.maxBacklog, queueWaitMs: f.queueWaitMs, completedPerSecond: f.completedPerSecond, drainSeconds: f.drainSeconds }));
  const a = f.audit;
  const ids = (xs: { id: string; why: string }[]): string => xs.slice(0, 20).map((x) => `${x.id}: ${x.why}`).join("\n");
  t.true(f.settled, "every accepted generation settled after the POSTs stopped");
  t.true(a.accepted > 0, "the API accepted generations");
  t.is(a.lost.length, 0, `lost:\n${ids(a.lost)}`);
  t.is(a.duplicated.length, 0, `duplicated:\n${ids(a.duplicated)}`);
  t.is(a.failed.length, 0, `no fault was injected, yet some failed:\n${ids(a.failed)}`);
  t.is(a.completed, a.accepted);
  t.is(f.statuses["500"] ?? 0, 0, "no internal error under load");
});
