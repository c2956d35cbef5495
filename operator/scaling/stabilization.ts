/**
 * Stabilization windows, as in the HPA: scaling up goes to the lowest recommendation of the
 * scale-up window, scaling down to the highest of the scale-down window. With the defaults
 * (0 s up, 300 s down) the pool grows at once and shrinks only after five minutes of lower demand.
 */
import type { GenerationPoolSpec } from "../resource/index.ts";
import { secondsUntilExpiry, within } from "./history.ts";
import type { HistoryEntry } from "./types.ts";

/** A stabilized worker count. */
export interface Stabilized {
  workers: number;
  /** The window kept the count away from the recommendation. */
  held: boolean;
  /** When the entry holding it leaves the window. */
  requeueAfterSeconds: number | undefined;
}

/** Inputs of stabilize(). */
export interface StabilizeInput {
  spec: GenerationPoolSpec;
  recommended: number;
  current: number;
  history: readonly HistoryEntry[];
  now: number;
  /** Skip the scale-up window (urgent backlog). */
  skipUp: boolean;
  /** Skip the scale-down window (idle delay already passed). */
  skipDown: boolean;
}

function up(input: StabilizeInput): Stabilized {
  const window = input.spec.scaleUp.stabilizationSeconds;
  const entries = within(input.history, window, input.now);
  const lowest = Math.min(input.recommended, ...entries.map((e) => e.recommended));
  const workers = Math.max(input.current, lowest);
  if (workers >= input.recommended) return { workers, held: false, requeueAfterSeconds: undefined };
  return { workers, held: true, requeueAfterSeconds: secondsUntilExpiry(entries, (e) => e.recommended === lowest, window, input.now) };
}

function down(input: StabilizeInput): Stabilized {
  const window = input.spec.scaleDown.stabilizationSeconds;
  const entries = within(input.history, window, input.now);
  const highest = Math.max(input.recommended, ...entries.map((e) => e.recommended));
  const workers = Math.min(input.current, highest);
  if (workers <= input.recommended) return { workers, held: false, requeueAfterSeconds: undefined };
  return { workers, held: true, requeueAfterSeconds: secondsUntilExpiry(entries, (e) => e.recommended === highest, window, input.now) };
}

/** The worker count the windows allow in the direction of the recommendation. */
export function stabilize(input: StabilizeInput): Stabilized {
  if (input.recommended > input.current && !input.skipUp) return up(input);
  if (input.recommended < input.current && !input.skipDown) return down(input);
  return { workers: input.recommended, held: false, requeueAfterSeconds: undefined };
}
