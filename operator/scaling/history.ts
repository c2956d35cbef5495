/**
 * The decision history behind stabilization windows and step limits, kept by the caller between
 * decisions (like the HPA's recommendation list, in memory). Consecutive equal entries merge into
 * the latest one: for "highest/lowest value within the last N seconds" the latest occurrence of a
 * value is the one that counts, so merging loses nothing and the list stays as short as the number
 * of changes within the longest window.
 */
import type { GenerationPoolSpec } from "../resource/index.ts";
import type { HistoryEntry } from "./types.ts";

/** Start of a history after a (re)start: as if the current size had just been recommended, so the first scale-down waits a full window. */
export function initialHistory(current: number, now: number): HistoryEntry[] {
  return [{ at: now, recommended: current, decided: current }];
}

/** Longest look-back any rule needs, seconds. */
export function retentionSeconds(spec: GenerationPoolSpec): number {
  const { scaleUp: up, scaleDown: down } = spec;
  return Math.max(up.stabilizationSeconds, down.stabilizationSeconds, up.stepPeriodSeconds, down.stepPeriodSeconds);
}

/** Entries younger than `seconds` before `now` (a 0 s window holds nothing). */
export function within(history: readonly HistoryEntry[], seconds: number, now: number): HistoryEntry[] {
  return history.filter((e) => e.at > now - seconds * 1000 && e.at <= now);
}

/** The history with this decision appended, merged and pruned. */
export function record(history: readonly HistoryEntry[], entry: HistoryEntry, spec: GenerationPoolSpec): HistoryEntry[] {
  const kept = within(history, retentionSeconds(spec), entry.at);
  const last = kept.at(-1);
  if (last !== undefined && last.recommended === entry.recommended && last.decided === entry.decided) kept.pop();
  kept.push(entry);
  return kept;
}

/** Seconds until the latest entry matching `pick` leaves a window of `seconds`; undefined when none matches. */
export function secondsUntilExpiry(entries: readonly HistoryEntry[], pick: (e: HistoryEntry) => boolean, seconds: number, now: number): number | undefined {
  const latest = entries.filter(pick).reduce<number | undefined>((t, e) => Math.max(t ?? e.at, e.at), undefined);
  return latest === undefined ? undefined : Math.max(1, Math.ceil((latest + seconds * 1000 - now) / 1000));
}
