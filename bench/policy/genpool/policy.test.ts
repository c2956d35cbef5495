import test from "ava";
import { simulate } from "../sim.ts";
import { constantConfig, smallGroups } from "../testing.ts";
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

test("with BullMQ-style counters in the observation, Genpool asks for arrivals × mean service before the queue grows", (t) => {
  // 1 job/s for 16 s, jobs of 15 s each: Little's law says 15 workers; the queue holds only
  // 10 jobs (ceil(10 / 5) = 2 by backlog alone). Counters are cumulative, as the operator reads them.
  const config = constantConfig({ groups: smallGroups(30) });
  const reasons: string[] = [];
  const policy = genpool(config, defaultPoolSpec(config.groups), (d) => reasons.push(d.reason));
  const groups = config.groups.map((g) => ({ ...g, desired: g.minNodes, nodes: [] }));
  let last = 0;
  for (let nowS = 0; nowS <= 16; nowS += 2) {
    const counters = { addedTotal: nowS, completedTotal: nowS / 2, completedServiceSTotal: 15 * (nowS / 2) };
    const queue = { waiting: 10, active: 0, oldestWaitS: 5, ...counters };
    const workers = { desired: last, live: last, pending: 0, starting: 0, ready: 0, busy: 0, oldestPendingS: undefined };
    last = policy.step({ nowS, queue, workers, groups }).workers;
  }
  t.is(reasons.at(-1), "arrival-rate");
  t.is(last, 15);
});

test("without counters, Genpool decides on the backlog alone", (t) => {
  const config = constantConfig();
  const reasons: string[] = [];
  const policy = genpool(config, defaultPoolSpec(config.groups), (d) => reasons.push(d.reason));
  const groups = config.groups.map((g) => ({ ...g, desired: g.minNodes, nodes: [] }));
  const workers = { desired: 0, live: 0, pending: 0, starting: 0, ready: 0, busy: 0, oldestPendingS: undefined };
  t.is(policy.step({ nowS: 0, queue: { waiting: 10, active: 0, oldestWaitS: 5 }, workers, groups }).workers, 2);
  t.is(reasons[0], "backlog");
});
