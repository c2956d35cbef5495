import test from "ava";
import { simulate } from "../sim.ts";
import { constantConfig } from "../testing.ts";
import { fromRows } from "../trace.ts";
import { splitCapacity, targetTracking } from "./target-tracking.ts";

test("scales out only after three one-minute datapoints above 5 queued jobs per instance", (t) => {
  // 40 jobs of 600 s at t=0.5. Base worker takes job 0; 39 wait. Datapoints at 0 (0 queued),
  // 60, 120, 180 (39 per instance): the third high one, at 180 s, sets capacity ceil(39 / 5) = 8:
  // 7 spot nodes launched at 180, Ready at 190, workers loaded at 200 -> jobs 1-7 wait 199.5 s.
  // At 240 s: 32 queued / 8 instances = 4, not above 5: no further scale-out.
  const trace = fromRows("burst", "", Array.from({ length: 40 }, () => ({ arrivalS: 0.5, serviceS: 600 })));
  const config = constantConfig({ groups: constantConfig().groups.map((g) => (g.capacityType === "spot" ? { ...g, maxNodes: 20 } : g)) });
  const run = simulate(trace, targetTracking(config), config);
  const byId = new Map(run.completions.map((c) => [c.id, c]));
  t.is(byId.get(0)!.waitS, 0);
  for (let id = 1; id <= 7; id++) t.is(byId.get(id)!.waitS, 199.5);
  t.is(byId.get(8)!.startS, 600.5, "job 8 waits for the base worker to finish job 0");
});

test("a mixed-instances capacity fills the on-demand base first, then spot", (t) => {
  const groups = constantConfig().groups;
  t.deepEqual(splitCapacity(groups, 0), { od: 0, spot: 0 });
  t.deepEqual(splitCapacity(groups, 1), { od: 1, spot: 0 });
  t.deepEqual(splitCapacity(groups, 8), { od: 1, spot: 7 });
  t.deepEqual(splitCapacity(groups, 50), { od: 1, spot: 10 }, "spot stops at its maximum");
});
