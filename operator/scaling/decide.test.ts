import test from "ava";
import { decide } from "./decide.ts";
import { NOON, observation, past, type ObservationParts } from "./observation-builder.ts";
import type { DecisionReason, LimitedBy } from "./types.ts";

interface Row {
  why: string;
  given: ObservationParts;
  workers: number;
  reason: DecisionReason;
  limitedBy?: LimitedBy;
  requeueAfterSeconds?: number | undefined;
}

const allWeek = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const always = (extra: Record<string, unknown>): Record<string, unknown> => ({ schedules: [{ name: "now", timeZone: "UTC", days: allWeek, start: "00:00", end: "24:00", ...extra }] });

// The specification of decide(), one behaviour per row. Defaults: max 100, target 5, up step 10 / 15 s,
// down window 60 s, down step 10 / 60 s, zero after 600 s idle, no history, now = Monday noon UTC.
const rows: Row[] = [
  { why: "the design's figure: 50 queued jobs at target 5 ask for 10 workers", given: { queue: { waiting: 50 } }, workers: 10, reason: "backlog" },
  { why: "a partial worker rounds up: 1 job needs 1 worker", given: { queue: { waiting: 1 } }, workers: 1, reason: "backlog" },
  { why: "prioritized and soon-due delayed jobs are demand too", given: { queue: { waiting: 4, prioritized: 3, delayedSoon: 3 } }, workers: 2, reason: "backlog" },
  { why: "workers taking jobs do not change the count: 10 active + 40 waiting is still 10", given: { queue: { waiting: 40, active: 10 }, workers: { current: 10, busy: 10 } }, workers: 10, reason: "backlog" },
  { why: "a paused BullMQ queue feeds no worker, so its jobs are not demand", given: { queue: { waiting: 50, paused: true } }, workers: 0, reason: "idle" },
  { why: "arrival rate: 1.2 jobs/s of 12.5 s each keep 15 workers busy, asked for before the queue has grown", given: { queue: { waiting: 10, arrivalsPerSecond: 1.2, meanServiceSeconds: 12.5 }, workers: { current: 8 }, history: [past(30, 8)] }, workers: 15, reason: "arrival-rate" },
  { why: "arrival rate only adds: a deeper backlog still wins and names itself", given: { queue: { waiting: 100, arrivalsPerSecond: 0.5, meanServiceSeconds: 12 }, workers: { current: 10 }, history: [past(30, 10)] }, workers: 20, reason: "backlog" },
  { why: "arrival rate without a mean service time is ignored (the backlog alone, as before)", given: { queue: { waiting: 10, arrivalsPerSecond: 5 } }, workers: 2, reason: "backlog" },
  { why: "arrival rate of a paused BullMQ queue is no demand: no worker could take those jobs", given: { queue: { waiting: 10, paused: true, arrivalsPerSecond: 2, meanServiceSeconds: 12 } }, workers: 0, reason: "idle" },
  { why: "arrival rate growth obeys the step limit like any scale-up", given: { queue: { waiting: 5, arrivalsPerSecond: 3, meanServiceSeconds: 10 } }, workers: 10, reason: "arrival-rate", limitedBy: "step", requeueAfterSeconds: 15 },
  { why: "busy workers are never removed, even when the backlog asks for fewer", given: { queue: { active: 7 }, workers: { current: 7, busy: 7 }, history: [past(400, 7)] }, workers: 7, reason: "busy-workers" },
  { why: "the backlog is capped at max", given: { spec: { replicas: { max: 4 } }, queue: { waiting: 50 } }, workers: 4, reason: "max-bound", limitedBy: "max" },
  { why: "busy workers above a lowered max stay until they finish", given: { spec: { replicas: { max: 4 } }, queue: { active: 6 }, workers: { current: 6, busy: 6 } }, workers: 6, reason: "busy-workers", limitedBy: "busy-workers" },
  { why: "warm pool: idle workers are kept above the busy ones", given: { spec: { replicas: { max: 10, warmIdle: 2 } }, queue: { active: 3 }, workers: { current: 3, busy: 3 } }, workers: 5, reason: "warm-pool" },
  { why: "the warm pool is capped at max", given: { spec: { replicas: { max: 4, warmIdle: 2 } }, queue: { active: 3 }, workers: { current: 3, busy: 3 } }, workers: 4, reason: "max-bound", limitedBy: "max" },
  { why: "min is a floor even with an empty queue", given: { spec: { replicas: { min: 2, max: 10 } } }, workers: 2, reason: "min-bound" },
  { why: "growth is limited to 10 workers per 15 s step", given: { queue: { waiting: 500 } }, workers: 10, reason: "backlog", limitedBy: "step", requeueAfterSeconds: 15 },
  { why: "a large pool may double in one step (100%)", given: { queue: { waiting: 300, active: 20 }, workers: { current: 20, busy: 20 }, history: [past(30, 20)] }, workers: 40, reason: "backlog", limitedBy: "step" },
  { why: "steps do not chain within a period: the pool was at 0 five seconds ago", given: { queue: { waiting: 500 }, workers: { current: 10 }, history: [past(5, 10, 0), past(4, 100, 10)] }, workers: 10, reason: "backlog", limitedBy: "step", requeueAfterSeconds: 10 },
  { why: "urgent: past the wait objective the step limit is lifted and queued jobs count double", given: { queue: { waiting: 200, oldestWaitingSeconds: 61 } }, workers: 80, reason: "urgent-backlog" },
  { why: "urgent: running jobs keep their workers and the queue gets its own", given: { queue: { waiting: 2, active: 3, oldestWaitingSeconds: 90 }, workers: { current: 3, busy: 3 } }, workers: 4, reason: "urgent-backlog" },
  { why: "scale-down waits for the stabilization window (highest recommendation of 60 s)", given: { queue: { waiting: 10 }, workers: { current: 10 }, history: [past(20, 10)] }, workers: 10, reason: "stabilizing", limitedBy: "stabilization", requeueAfterSeconds: 40 },
  { why: "after the window the pool follows the highest recent recommendation", given: { queue: { waiting: 10 }, workers: { current: 10 }, history: [past(61, 10), past(40, 6), past(20, 4)] }, workers: 6, reason: "stabilizing", limitedBy: "stabilization", requeueAfterSeconds: 20 },
  { why: "once nothing higher is in the window the pool shrinks to the demand", given: { queue: { waiting: 10 }, workers: { current: 10 }, history: [past(61, 10)] }, workers: 2, reason: "backlog" },
  { why: "a pool may keep the HPA's five-minute window: it holds the peak that long", given: { spec: { scaleDown: { stabilizationSeconds: 300 } }, queue: { waiting: 10 }, workers: { current: 10 }, history: [past(100, 10)] }, workers: 10, reason: "stabilizing", limitedBy: "stabilization", requeueAfterSeconds: 200 },
  { why: "shrinking is limited to 10 workers per 60 s step", given: { queue: { waiting: 10 }, workers: { current: 30 }, history: [past(61, 30)] }, workers: 20, reason: "backlog", limitedBy: "step", requeueAfterSeconds: 60 },
  { why: "an idle pool keeps one worker until the idle delay has passed", given: { workers: { current: 1 }, idleSince: NOON - 100_000, history: [past(400, 1)] }, workers: 1, reason: "idle-delay", limitedBy: "idle-delay", requeueAfterSeconds: 500 },
  { why: "after 600 s idle the pool goes to zero at once", given: { workers: { current: 3 }, idleSince: NOON - 600_000, history: [past(10, 3)] }, workers: 0, reason: "idle-to-zero" },
  { why: "an idle pool at zero stays at zero: the warm pool is not started without demand", given: { spec: { replicas: { max: 10, warmIdle: 2 } }, idleSince: NOON - 5000 }, workers: 0, reason: "idle" },
  { why: "an idle pool keeps its warm pool (not just one worker) until the idle delay has passed", given: { spec: { replicas: { max: 10, warmIdle: 2 } }, workers: { current: 2 }, idleSince: NOON - 5000, history: [past(400, 2)] }, workers: 2, reason: "warm-pool", limitedBy: "idle-delay", requeueAfterSeconds: 595 },
  { why: "a schedule with min 1 keeps a worker however long the pool is idle", given: { spec: always({ min: 1 }), workers: { current: 1 }, idleSince: NOON - 3_600_000 }, workers: 1, reason: "schedule" },
  { why: "a schedule's max caps the backlog", given: { spec: always({ max: 3 }), queue: { waiting: 50 } }, workers: 3, reason: "schedule", limitedBy: "max" },
  { why: "a schedule's max applies at once, stabilization does not keep the pool above it", given: { spec: always({ max: 3 }), queue: { waiting: 50 }, workers: { current: 10 }, history: [past(10, 10)] }, workers: 3, reason: "schedule", limitedBy: "max" },
  { why: "a schedule's min applies at once, beyond the step limit", given: { spec: always({ min: 30 }), workers: { current: 0 } }, workers: 30, reason: "schedule" },
  { why: "paused freezes the pool at its current size", given: { spec: { paused: true }, queue: { waiting: 500 }, workers: { current: 7 } }, workers: 7, reason: "paused", requeueAfterSeconds: undefined },
  { why: "queue unreachable: hold, never scale in on missing data", given: { queue: undefined, workers: { current: 5 }, history: [past(400, 0)] }, workers: 5, reason: "queue-unreachable", requeueAfterSeconds: 15 },
  { why: "queue unreachable below min: raising to min needs no queue data", given: { spec: { replicas: { min: 2, max: 10 } }, queue: undefined }, workers: 2, reason: "min-bound" },
  { why: "a scale-up stabilization window follows the lowest recent recommendation", given: { spec: { scaleUp: { stabilizationSeconds: 60 } }, queue: { waiting: 50 }, workers: { current: 2 }, history: [past(30, 4, 2)] }, workers: 4, reason: "stabilizing", limitedBy: "stabilization", requeueAfterSeconds: 30 },
];

for (const row of rows) {
  test(`decide: ${row.why}`, (t) => {
    const decision = decide(observation(row.given));
    t.is(decision.workers, row.workers);
    t.is(decision.reason, row.reason);
    t.is(decision.limitedBy, row.limitedBy ?? "none");
    if ("requeueAfterSeconds" in row) t.is(decision.requeueAfterSeconds, row.requeueAfterSeconds);
  });
}

test("the decision is recorded in the history it hands back, equal neighbours merged", (t) => {
  const first = decide(observation({ queue: { waiting: 50 } }));
  t.deepEqual(first.history, [{ at: NOON, recommended: 10, decided: 10 }]);
  const second = decide({ ...observation({ queue: { waiting: 50 }, workers: { current: 10 } }), history: first.history, now: NOON + 2000 });
  t.deepEqual(second.history, [{ at: NOON + 2000, recommended: 10, decided: 10 }]);
});

test("history older than the longest window is dropped", (t) => {
  const decision = decide(observation({ history: [past(61, 5), past(59, 4)], workers: { current: 4 }, queue: { waiting: 20 } }));
  t.deepEqual(decision.history.map((e) => e.recommended), [4]);
});

test("idleSince starts when the pool becomes idle, is kept while idle and cleared by demand", (t) => {
  t.is(decide(observation({ idleSince: null })).idleSince, NOON);
  t.is(decide(observation({ idleSince: NOON - 5000 })).idleSince, NOON - 5000);
  t.is(decide(observation({ idleSince: NOON - 5000, queue: { waiting: 1 } })).idleSince, null);
  t.is(decide(observation({ idleSince: NOON - 5000, workers: { busy: 1, current: 1 } })).idleSince, null);
});

test("a paused pool and an unreachable queue leave the history and idleSince untouched", (t) => {
  const history = [past(10, 3)];
  for (const given of [{ spec: { paused: true } }, { queue: undefined }] as ObservationParts[]) {
    const decision = decide(observation({ ...given, history, idleSince: NOON - 1000, workers: { current: 3 } }));
    t.deepEqual(decision.history, history);
    t.is(decision.idleSince, NOON - 1000);
  }
});

test("with schedules the decision asks to be re-run at the next boundary", (t) => {
  const spec = { schedules: [{ name: "evening", timeZone: "UTC", days: ["Mon"], start: "18:00", end: "23:00", min: 2 }] };
  t.is(decide(observation({ spec })).requeueAfterSeconds, 6 * 3600);
});

test("the decision reports demand, recommendation and bounds for the status", (t) => {
  const decision = decide(observation({ spec: { replicas: { max: 4 } }, queue: { waiting: 45, active: 5 } }));
  t.like(decision, { demand: 50, recommended: 4, bounds: { min: 0, max: 4, warmIdle: 0, schedule: undefined } });
});

test("arrival figures that are not finite numbers >= 0 are refused, naming the field and the value", (t) => {
  const error = t.throws(() => decide(observation({ queue: { waiting: 1, arrivalsPerSecond: -1, meanServiceSeconds: 12 } })));
  t.is(error.message, "queue.arrivalsPerSecond is -1; allowed: a finite number >= 0, or absent");
  t.throws(() => decide(observation({ queue: { waiting: 1, arrivalsPerSecond: 1, meanServiceSeconds: Number.NaN } })), { message: /queue\.meanServiceSeconds is NaN/ });
});
