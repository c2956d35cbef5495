import test from "ava";
import { costOf } from "./cost.ts";
import { defaultConfig, designGroups } from "./config.ts";
import { oracle } from "./oracle.ts";
import { percentile } from "./metrics.ts";
import { simulate } from "./sim.ts";
import { constantConfig, fixedPolicy } from "./testing.ts";
import { fromRows } from "./trace.ts";
import { spotStorm } from "./traces/builtin.ts";
import { targetTracking } from "./baselines/target-tracking.ts";

const OD = 1.006 / 3600; // $ per on-demand node-second
const SPOT = (1.006 * 0.3) / 3600; // $ per spot node-second (70 % off)

test("a constant rate the base absorbs waits 0 s and costs the base alone", (t) => {
  // 10 jobs, one every 20 s from t=0, 10 s each: the base worker is always free when one arrives.
  // The period is the end of the last job rounded up: 180 + 10 = 190 s. The run ends at the first
  // event at or after 190 s once every job is done: the tick at 190 s (ticks every 5 s).
  // Cost = 190 s x $1.006/h = $0.05309; the oracle is the same base for the same period: waste 0.
  const trace = fromRows("constant", "", Array.from({ length: 10 }, (_, i) => ({ arrivalS: i * 20, serviceS: 10 })));
  const config = constantConfig();
  const run = simulate(trace, fixedPolicy({ workers: 1, nodes: { od: 1, spot: 0 } }), config);
  t.is(run.completions.length, 10);
  t.deepEqual([...new Set(run.completions.map((c) => c.waitS))], [0]);
  t.is(run.endS, 190);
  const cost = costOf(run.billing, config);
  t.is(cost.usd.toFixed(5), (190 * OD).toFixed(5));
  t.is(oracle(trace, config).cost.usd.toFixed(5), cost.usd.toFixed(5));
});

test("a single burst waits for boot, pull and load of the extra nodes", (t) => {
  // 4 jobs of 30 s at t=1; the policy asks for 4 workers / 3 spot nodes at the t=0 tick.
  // Job 0 runs on the warm base worker at 1 s (wait 0) and ends at 31 s.
  // Spot nodes: launched at 0, Ready at 10 (boot), image pulled at 15, model loaded at 20:
  // jobs 1-3 start at 20 (wait 19 s) and end at 50 s, which ends the run.
  // Cost: on-demand 50 s + spot 3 x 50 s = 50 x 1.006/3600 + 150 x 0.3018/3600 = $0.026547.
  // Oracle: job 0 on the base (free), jobs 1-3 arrive while it is busy -> 3 x 30 s of spot
  // = $0.007545, plus the base for the period (31 s) = $0.008663 -> $0.016208.
  const trace = fromRows("burst", "", Array.from({ length: 4 }, () => ({ arrivalS: 1, serviceS: 30 })));
  const config = constantConfig();
  const run = simulate(trace, fixedPolicy({ workers: 4, nodes: { od: 1, spot: 3 } }), config);
  t.deepEqual(run.completions.map((c) => [c.id, c.startS, c.waitS, c.endS]), [[0, 1, 0, 31], [1, 20, 19, 50], [2, 20, 19, 50], [3, 20, 19, 50]]);
  const waits = run.completions.map((c) => c.waitS);
  t.is(percentile(waits, 50), 19);
  t.is(percentile(waits, 25), 0);
  t.is(run.endS, 50);
  t.is(costOf(run.billing, config).usd.toFixed(6), (50 * OD + 150 * SPOT).toFixed(6));
  const bound = oracle(trace, config);
  t.is(bound.baseJobs, 1);
  t.is(bound.cost.usd.toFixed(6), (31 * OD + 90 * SPOT).toFixed(6));
});

test("workers beyond the node capacity stay pending and are placed when a node turns Ready", (t) => {
  // 2 workers wanted, nodes only at t=0 for the base: the second pod waits for a spot node the
  // policy asks for at its first tick (t=0): Ready at 10, pulled 15, loaded 20.
  const trace = fromRows("two", "", [{ arrivalS: 0.5, serviceS: 100 }, { arrivalS: 0.5, serviceS: 100 }]);
  const run = simulate(trace, fixedPolicy({ workers: 2, nodes: { spot: 1 } }), constantConfig());
  t.deepEqual(run.completions.map((c) => c.startS), [0.5, 20]);
  t.is(run.nodesLaunched, 2);
});

test("a run is deterministic for a seed and changes with it", (t) => {
  const config = defaultConfig({ groups: designGroups(), seed: 7 });
  const trace = spotStorm(7);
  const a = simulate(trace, targetTracking(config), config);
  const b = simulate(trace, targetTracking(config), config);
  t.deepEqual(a, b);
  const other = defaultConfig({ groups: designGroups(), seed: 8 });
  t.notDeepEqual(simulate(trace, targetTracking(other), other).billing, a.billing);
});

test("under a spot storm every job is completed or counted lost, and every interrupted job is accounted for", (t) => {
  // Notices with a job that fits in 120 s let it finish; longer jobs (the storm's 2.5-min batches)
  // are handed back; a job handed back on its last attempt is lost.
  const config = defaultConfig({ groups: designGroups(), seed: 3, maxAttempts: 1 });
  const trace = spotStorm(3);
  const run = simulate(trace, targetTracking(config), config);
  t.true(run.notices > 10);
  t.true(run.interruptedJobs > 0);
  t.is(run.completions.length + run.lost.length, trace.jobs.length);
  t.is(run.interruptedJobs, run.finishedOnNotice + run.requeued + run.lost.length);
  t.is(run.requeued, 0, "with one attempt a handed-back job is lost, not requeued");
  const ids = new Set(run.completions.map((c) => c.id));
  t.is(ids.size, run.completions.length, "no job completes twice");
});
