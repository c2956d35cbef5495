import test from "ava";
import { simulate } from "../sim.ts";
import { constantConfig } from "../testing.ts";
import { fromRows } from "../trace.ts";
import { kedaCa } from "./keda-ca.ts";

test("KEDA polls, the HPA steps up by max(100 %, 4) and the Cluster Autoscaler adds nodes for pending pods", (t) => {
  // 40 jobs of 600 s at t=0.5; base worker takes job 0, 39 queued.
  // t=30: KEDA reads 39 -> HPA wants ceil(39/5)=8, limited to 1 + max(1, 4) = 5 replicas;
  //       the Deployment creates 4 pods, which the CA (every 10 s) first sees pending at 40:
  //       4 spot nodes at 40, Ready 50, loaded 60 -> jobs 1-4 wait 59.5 s.
  // t=45: HPA again (metric still 39) -> 8 replicas (5 + 5 allowed); 3 pods pending;
  //       CA at 50 adds 3 nodes, Ready 60, loaded 70: jobs 5-7 wait 69.5 s.
  const trace = fromRows("burst", "", Array.from({ length: 40 }, () => ({ arrivalS: 0.5, serviceS: 600 })));
  const config = constantConfig();
  const run = simulate(trace, kedaCa(config), config);
  const wait = new Map(run.completions.map((c) => [c.id, c.waitS]));
  t.deepEqual([1, 2, 3, 4].map((id) => wait.get(id)), [59.5, 59.5, 59.5, 59.5]);
  t.deepEqual([5, 6, 7].map((id) => wait.get(id)), [69.5, 69.5, 69.5]);
});

test("an empty spot node goes only after 10 minutes unneeded", (t) => {
  // One job of 20 s at t=0.5 and a second at t=0.5: KEDA at 30 s reads 1 queued -> ceil(1/5) = 1
  // replica = the minimum, so nothing scales; both run on the base in turn (wait 20 s for job 1).
  const trace = fromRows("pair", "", [{ arrivalS: 0.5, serviceS: 20 }, { arrivalS: 0.5, serviceS: 20 }]);
  const config = constantConfig();
  const run = simulate(trace, kedaCa(config), config);
  t.deepEqual(run.completions.map((c) => c.waitS), [0, 20]);
  t.is(run.nodesLaunched, 1, "only the warm base node");
});
