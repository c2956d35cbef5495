import test from "ava";
import fc from "fast-check";
import { decide } from "./decide.ts";
import { NOON, observation } from "./observation-builder.ts";
import type { HistoryEntry, Observation } from "./types.ts";

// Random pools (no schedules), queues, workers and histories around NOON.
const specArb = fc
  .record({
    min: fc.integer({ min: 0, max: 20 }),
    extra: fc.integer({ min: 0, max: 30 }),
    warm: fc.integer({ min: 0, max: 10 }),
    target: fc.integer({ min: 1, max: 10 }),
    objective: fc.integer({ min: 1, max: 120 }),
    upWindow: fc.integer({ min: 0, max: 120 }),
    upStep: fc.integer({ min: 1, max: 20 }),
    upPercent: fc.integer({ min: 0, max: 200 }),
    upPeriod: fc.integer({ min: 1, max: 60 }),
    urgent: fc.integer({ min: 1, max: 4 }),
    downWindow: fc.integer({ min: 0, max: 600 }),
    downStep: fc.integer({ min: 1, max: 20 }),
    downPeriod: fc.integer({ min: 1, max: 120 }),
    zeroDelay: fc.integer({ min: 0, max: 1200 }),
  })
  .map((s) => {
    const max = Math.max(1, s.min + s.extra);
    return {
      replicas: { min: Math.min(s.min, max), max, warmIdle: Math.min(s.warm, max) },
      targetBacklogPerWorker: s.target,
      queueWaitObjectiveSeconds: s.objective,
      scaleUp: { stabilizationSeconds: s.upWindow, maxStepWorkers: s.upStep, maxStepPercent: s.upPercent, stepPeriodSeconds: s.upPeriod, urgentMultiplier: s.urgent },
      scaleDown: { stabilizationSeconds: s.downWindow, maxStepWorkers: s.downStep, stepPeriodSeconds: s.downPeriod, scaleToZeroDelaySeconds: s.zeroDelay },
    };
  });

const queueArb = fc.record({
  waiting: fc.integer({ min: 0, max: 300 }),
  prioritized: fc.integer({ min: 0, max: 20 }),
  active: fc.integer({ min: 0, max: 60 }),
  delayedSoon: fc.integer({ min: 0, max: 20 }),
  paused: fc.constantFrom(false, false, false, true),
  oldestWaitingSeconds: fc.integer({ min: 0, max: 300 }),
  // Optional arrival figures: absent for pools whose reader does not provide them.
  arrivalsPerSecond: fc.option(fc.double({ min: 0, max: 20, noNaN: true }), { nil: undefined }),
  meanServiceSeconds: fc.option(fc.double({ min: 0, max: 120, noNaN: true }), { nil: undefined }),
});

const historyArb = fc
  .array(fc.record({ secondsAgo: fc.integer({ min: 0, max: 900 }), recommended: fc.integer({ min: 0, max: 80 }), decided: fc.integer({ min: 0, max: 80 }) }), { maxLength: 8 })
  .map((entries) => entries.sort((a, b) => b.secondsAgo - a.secondsAgo).map<HistoryEntry>((e) => ({ at: NOON - e.secondsAgo * 1000, recommended: e.recommended, decided: e.decided })));

const obsArb = fc
  .record({
    spec: specArb,
    queue: fc.option(queueArb, { nil: undefined, freq: 10 }),
    current: fc.integer({ min: 0, max: 80 }),
    busyShare: fc.integer({ min: 0, max: 100 }),
    history: historyArb,
    idleFor: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: null }),
    paused: fc.boolean(),
  })
  .map((o): Observation => {
    // Busy workers hold active jobs and are part of the Deployment.
    const busy = Math.floor((Math.min(o.current, o.queue?.active ?? o.current) * o.busyShare) / 100);
    const base = observation({ spec: { ...o.spec, paused: o.paused && o.busyShare < 5 }, workers: { current: o.current, ready: o.current, busy }, history: o.history, idleSince: o.idleFor === null ? null : NOON - o.idleFor * 1000 });
    return { ...base, queue: o.queue };
  });

const runs = { numRuns: 2000 };

test("min <= desired <= max outside schedules (above max only to keep busy workers)", (t) => {
  fc.assert(
    fc.property(obsArb, (obs) => {
      if (obs.spec.paused || obs.queue === undefined) return;
      const d = decide(obs);
      const { min, max } = obs.spec.replicas;
      if (d.workers < min) throw new Error(`${d.workers} < min ${min}`);
      if (d.workers > Math.max(max, obs.workers.busy)) throw new Error(`${d.workers} > max ${max}`);
    }),
    runs,
  );
  t.pass();
});

test("never below the busy workers, whatever the state", (t) => {
  fc.assert(fc.property(obsArb, (obs) => decide(obs).workers >= obs.workers.busy), runs);
  t.pass();
});

test("no scale-down inside the window: a smaller pool only when nothing higher was recommended within it", (t) => {
  fc.assert(
    fc.property(obsArb, (obs) => {
      const d = decide(obs);
      if (d.workers >= obs.workers.current || d.limitedBy === "max" || d.reason === "idle-to-zero" || obs.queue === undefined) return true;
      const windowStart = obs.now - obs.spec.scaleDown.stabilizationSeconds * 1000;
      return obs.history.filter((e) => e.at > windowStart).every((e) => e.recommended <= d.workers);
    }),
    runs,
  );
  t.pass();
});

test("zero only after the idle delay", (t) => {
  fc.assert(
    fc.property(obsArb, (obs) => {
      const d = decide(obs);
      if (d.workers > 0 || obs.workers.current === 0) return true;
      return d.idleSince !== null && obs.now - d.idleSince >= obs.spec.scaleDown.scaleToZeroDelaySeconds * 1000 && obs.spec.replicas.min === 0;
    }),
    runs,
  );
  t.pass();
});

test("more backlog never means fewer workers, all else equal", (t) => {
  fc.assert(
    fc.property(obsArb, fc.integer({ min: 1, max: 200 }), fc.constantFrom("waiting", "prioritized", "delayedSoon", "active"), (obs, more, field) => {
      if (obs.queue === undefined) return true;
      const bigger = { ...obs, queue: { ...obs.queue, [field]: obs.queue[field] + more } };
      return decide(bigger).workers >= decide(obs).workers;
    }),
    runs,
  );
  t.pass();
});

test("decide() is pure: same answer twice, input untouched", (t) => {
  fc.assert(
    fc.property(obsArb, (obs) => {
      const copy = structuredClone(obs);
      const first = decide(obs);
      const second = decide(obs);
      return JSON.stringify(first) === JSON.stringify(second) && JSON.stringify(obs) === JSON.stringify(copy);
    }),
    runs,
  );
  t.pass();
});

test("a higher arrival rate or a longer mean service time never means fewer workers, all else equal", (t) => {
  fc.assert(
    fc.property(obsArb, fc.double({ min: 0, max: 10, noNaN: true }), fc.constantFrom("arrivalsPerSecond", "meanServiceSeconds"), (obs, more, field) => {
      if (obs.queue === undefined) return true;
      const filled = { ...obs, queue: { ...obs.queue, arrivalsPerSecond: obs.queue.arrivalsPerSecond ?? 0, meanServiceSeconds: obs.queue.meanServiceSeconds ?? 0 } };
      const bigger = { ...filled, queue: { ...filled.queue, [field]: filled.queue[field] + more } };
      return decide(bigger).workers >= decide(filled).workers;
    }),
    runs,
  );
  t.pass();
});

test("arrival figures never lower the decision below the backlog-only one", (t) => {
  fc.assert(
    fc.property(obsArb, (obs) => {
      if (obs.queue === undefined) return true;
      const { arrivalsPerSecond: _rate, meanServiceSeconds: _service, ...backlogOnly } = obs.queue;
      return decide(obs).workers >= decide({ ...obs, queue: backlogOnly }).workers;
    }),
    runs,
  );
  t.pass();
});
