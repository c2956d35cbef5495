import test from "ava";
import { defaultPoolSpec } from "./genpool/pool.ts";
import { shadow, shadowLog } from "./shadow.ts";
import { constantConfig } from "./testing.ts";
import { fromRows } from "./trace.ts";

test("shadow mode logs each change the operator would have made, with its reasons", (t) => {
  // 40 jobs of 60 s at t=0.5: the first change is the scale-out for the backlog, with spot nodes
  // ordered for demand; the warm start (1 worker, base node) is the first line.
  const trace = fromRows("burst", "", Array.from({ length: 40 }, () => ({ arrivalS: 0.5, serviceS: 60 })));
  const config = constantConfig();
  const run = shadow(trace, config, defaultPoolSpec(config.groups));
  t.is(run.replay.runs.length, 1);
  const [first, second] = run.changes;
  t.is(first!.workers, 1);
  t.true(second!.workers > 1);
  t.regex(second!.reason, /backlog/);
  t.is(second!.nodeReasons.spot, "Demand");
  const log = shadowLog(run);
  t.regex(log, /\| 00:00:02 \| 39 \| 1 \| \d+ \| (urgent-)?backlog \|/);
});
