/**
 * Step limits: how far the pool may move within one step period. The base is the size the pool had
 * at any point in the period (lowest for growth, highest for shrinking), so a burst of events a
 * few milliseconds apart cannot chain several steps. Growth allows max(maxStepWorkers,
 * ceil(base * maxStepPercent / 100)) more workers; shrinking removes at most maxStepWorkers.
 */
import type { GenerationPoolSpec } from "../resource/index.ts";
import { secondsUntilExpiry, within } from "./history.ts";
import type { HistoryEntry } from "./types.ts";

/** A step-limited worker count. */
export interface Stepped {
  workers: number;
  limited: boolean;
  /** When the entry that set the base leaves the period. */
  requeueAfterSeconds: number | undefined;
}

/** Inputs of limitStep(). */
export interface StepInput {
  spec: GenerationPoolSpec;
  target: number;
  current: number;
  history: readonly HistoryEntry[];
  now: number;
  /** Skip the growth limit (urgent backlog). */
  skipUp: boolean;
  /** Skip the shrink limit (idle delay already passed). */
  skipDown: boolean;
}

function grow(input: StepInput): Stepped {
  const { stepPeriodSeconds: period, maxStepWorkers, maxStepPercent } = input.spec.scaleUp;
  const entries = within(input.history, period, input.now);
  const base = Math.min(input.current, ...entries.map((e) => e.decided));
  const allowed = base + Math.max(maxStepWorkers, Math.ceil((base * maxStepPercent) / 100));
  if (input.target <= allowed) return { workers: input.target, limited: false, requeueAfterSeconds: undefined };
  const requeue = secondsUntilExpiry(entries, (e) => e.decided === base, period, input.now) ?? period;
  return { workers: Math.max(input.current, allowed), limited: true, requeueAfterSeconds: requeue };
}

function shrink(input: StepInput): Stepped {
  const { stepPeriodSeconds: period, maxStepWorkers } = input.spec.scaleDown;
  const entries = within(input.history, period, input.now);
  const base = Math.max(input.current, ...entries.map((e) => e.decided));
  const allowed = base - maxStepWorkers;
  if (input.target >= allowed) return { workers: input.target, limited: false, requeueAfterSeconds: undefined };
  const requeue = secondsUntilExpiry(entries, (e) => e.decided === base, period, input.now) ?? period;
  return { workers: Math.min(input.current, allowed), limited: true, requeueAfterSeconds: requeue };
}

/** The worker count the step limits allow on the way to `target`. */
export function limitStep(input: StepInput): Stepped {
  if (input.target > input.current && !input.skipUp) return grow(input);
  if (input.target < input.current && !input.skipDown) return shrink(input);
  return { workers: input.target, limited: false, requeueAfterSeconds: undefined };
}
