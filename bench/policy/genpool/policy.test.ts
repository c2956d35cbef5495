import test from "ava";
import { simulate } from "../sim.ts";
import { constantConfig } from "../testing.ts";
import { fromRows } from "../trace.ts";
import { defaultPoolSpec } from "./pool.ts";
import { genpool } from "./policy.ts";

test("Genpool, through the operator's decide() and node planner, orders the nodes for a burst at its first reconcile", (t) => {
  // 40 jobs of 60 s at t=0.5 on 1 on-demand base + up to 10 spot nodes (boot 10 s, pull 5, load 5).
  // decide() asks for ceil(40 / 5) = 8 workers at once (demand counts queued + active), the
  // planner orders 7 spot nodes at the same reconcile; they serve jobs from 20.5 s at the latest.
  const trace = fromRows("burst", "", Array.from({ length: 40 }, () => ({ arrivalS: 0.5, serviceS: 60 })));
  const config = constantConfig();
  const run = simulate(trace, genpool(config, defaultPoolSpec(config.groups)), config);
  t.is(run.completions.length, 40);
  const firstSpotStart = Math.min(...run.completions.filter((c) => c.startS > 0.5).map((c) => c.startS));
  t.true(firstSpotStart <= 22.5, `first job on a new worker at ${firstSpotStart} s`);
  t.true(run.nodesLaunched >= 8, `${run.nodesLaunched} nodes launched`);
});
