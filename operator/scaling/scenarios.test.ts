import test from "ava";
import { decide } from "./decide.ts";
import { initialHistory } from "./history.ts";
import { NOON, observation } from "./observation-builder.ts";
import type { Decision, HistoryEntry } from "./types.ts";

/**
 * A small world: a queue, workers that each run one job for `jobSeconds`, and a Deployment that
 * takes the decided size at once (idle pods removed first). decide() runs every `tickSeconds`,
 * carrying history and idleSince as the operator does.
 */
interface World {
  spec?: Record<string, unknown>;
  jobSeconds: number;
  /** Jobs arriving at a second (keys are seconds since start). */
  arrivals: Record<number, number>;
  seconds: number;
  start?: number;
  tickSeconds?: number;
  /** Seconds during which Redis cannot be read. */
  outage?: [number, number];
}

interface Tick {
  second: number;
  workers: number;
  waiting: number;
  busy: number;
  decision: Decision;
}

function simulate(world: World): Tick[] {
  const dt = world.tickSeconds ?? 2;
  const start = world.start ?? NOON;
  let waiting = 0;
  let running: number[] = [];
  let current = 0;
  let history: HistoryEntry[] = initialHistory(0, start);
  let idleSince: number | null = null;
  const ticks: Tick[] = [];
  for (let s = 0; s <= world.seconds; s += dt) {
    for (let a = s - dt + 1; a <= s; a++) waiting += world.arrivals[a] ?? 0;
    running = running.map((r) => r - dt).filter((r) => r > 0);
    const taken = Math.min(waiting, current - running.length);
    waiting -= taken;
    running.push(...Array.from({ length: taken }, () => world.jobSeconds));
    const down = world.outage !== undefined && s >= world.outage[0] && s < world.outage[1];
    const base = observation({ spec: world.spec, queue: { waiting, active: running.length, oldestWaitingSeconds: waiting > 0 ? s : 0 }, workers: { current, busy: running.length } });
    const decision = decide({ ...base, queue: down ? undefined : base.queue, history, idleSince, now: start + s * 1000 });
    history = decision.history;
    idleSince = decision.idleSince;
    current = decision.workers;
    ticks.push({ second: s, workers: current, waiting, busy: running.length, decision });
  }
  return ticks;
}

const at = (ticks: Tick[], second: number): Tick => ticks.find((t) => t.second >= second) ?? ticks[ticks.length - 1]!;

test("scales out on a burst: 50 jobs bring 10 workers in the first decision", (t) => {
  const ticks = simulate({ jobSeconds: 20, arrivals: { 0: 50 }, seconds: 10 });
  t.is(ticks[0]?.workers, 10);
  t.is(ticks[0]?.decision.reason, "backlog");
});

test("holds during cooldown: the pool keeps its size for the 60 s window after demand falls", (t) => {
  const ticks = simulate({ jobSeconds: 10, arrivals: { 0: 50 }, seconds: 1000 });
  const drained = ticks.find((k) => k.waiting === 0 && k.busy === 0)!;
  t.true(drained.second < 200, `drained at ${drained.second}`);
  // The last recommendation of 10 was made while 50 jobs were still counted.
  const lastTen = Math.max(...ticks.filter((k) => k.decision.recommended === 10).map((k) => k.second));
  for (const k of ticks.filter((k) => k.second < lastTen + 60)) t.is(k.workers, 10, `second ${k.second}`);
  t.true(ticks.filter((k) => k.second > lastTen && k.second < lastTen + 60).every((k) => k.decision.reason === "stabilizing" || k.decision.recommended === 10));
  t.true(at(ticks, lastTen + 62).workers < 10);
});

test("goes to zero only after the queue has been idle for 600 s", (t) => {
  const ticks = simulate({ jobSeconds: 20, arrivals: { 0: 3 }, seconds: 1200 });
  const idleFrom = ticks.find((k) => k.decision.idleSince !== null)!.second;
  t.true(ticks.filter((k) => k.second < idleFrom + 600).every((k) => k.workers >= 1));
  t.is(at(ticks, idleFrom + 600).workers, 0);
  t.is(at(ticks, idleFrom + 600).decision.reason, "idle-to-zero");
  t.is(ticks.at(-1)?.workers, 0);
  t.is(ticks.at(-1)?.decision.reason, "idle");
});

test("wakes from zero on the first job", (t) => {
  const ticks = simulate({ jobSeconds: 20, arrivals: { 100: 1 }, seconds: 120 });
  t.is(at(ticks, 98).workers, 0);
  t.is(at(ticks, 100).workers, 1);
});

test("sleeps at night and wakes with the day schedule's floor at 08:00", (t) => {
  // The pool keeps 2 workers; the night schedule (22:00-08:00 UTC) lets it reach zero.
  const days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
  const spec = { replicas: { min: 2, max: 20 }, schedules: [{ name: "night", timeZone: "UTC", days, start: "22:00", end: "08:00", min: 0 }] };
  const start = Date.parse("2026-11-23T21:50:00Z");
  const ticks = simulate({ spec, start, jobSeconds: 20, arrivals: {}, seconds: 11 * 3600, tickSeconds: 60 });
  t.is(at(ticks, 0).workers, 2);
  t.is(at(ticks, 0).decision.requeueAfterSeconds, 600, "re-run when the night starts");
  const night = at(ticks, 2 * 3600);
  t.is(night.workers, 0);
  t.is(night.decision.bounds.schedule, "night");
  t.is(at(ticks, 10 * 3600 + 10 * 60).workers, 2, "08:00: back to the floor at once");
});

test("a long wait makes scale-up urgent and skips the step limit", (t) => {
  const ticks = simulate({ spec: { replicas: { max: 100 }, scaleUp: { maxStepWorkers: 2, maxStepPercent: 0, stepPeriodSeconds: 60 } }, jobSeconds: 600, arrivals: { 0: 100 }, seconds: 90 });
  t.is(at(ticks, 0).workers, 2, "step-limited at first");
  t.is(at(ticks, 0).decision.limitedBy, "step");
  const urgent = ticks.find((k) => k.decision.reason === "urgent-backlog")!;
  t.true(urgent.second > 60 && urgent.second <= 62, `urgent at ${urgent.second}`);
  t.true(urgent.workers > 20, `${urgent.workers} workers`);
});

test("a Redis outage holds the pool: no scale-in on missing data", (t) => {
  const ticks = simulate({ jobSeconds: 10, arrivals: { 0: 50 }, seconds: 2000, outage: [100, 1500] });
  const during = ticks.filter((k) => k.second >= 100 && k.second < 1500);
  t.true(during.every((k) => k.workers === 10 && k.decision.reason === "queue-unreachable"));
  t.true(at(ticks, 1900).workers < 10, "shrinks once the queue can be read again");
});
