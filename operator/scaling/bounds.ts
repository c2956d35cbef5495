/** The replica bounds in force at an instant: the spec's, overridden by the first active schedule. */
import type { GenerationPoolSpec } from "../resource/index.ts";
import { activeSchedule } from "./schedule.ts";
import type { EffectiveBounds } from "./types.ts";

/**
 * min/max/warmIdle at `now`. A schedule overrides only the fields it sets. The CRD keeps
 * min <= max for the combinations it can see; should a schedule still yield min > max, max wins
 * (a ceiling is the cost guard the user asked for).
 */
export function effectiveBounds(spec: GenerationPoolSpec, now: number): EffectiveBounds {
  const schedule = activeSchedule(spec.schedules, now);
  const max = schedule?.max ?? spec.replicas.max;
  return {
    min: Math.min(schedule?.min ?? spec.replicas.min, max),
    max,
    warmIdle: schedule?.warmIdle ?? spec.replicas.warmIdle,
    schedule: schedule?.name,
  };
}
