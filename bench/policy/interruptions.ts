/** Spot interruption rate over time: the run's base rate, overridden inside a trace's storm windows. */
import type { InterruptionWindow } from "./trace.ts";

/** Interruptions per spot node-hour at time t. */
export function interruptionRate(windows: InterruptionWindow[], basePerNodeHour: number, t: number): number {
  const w = windows.find((x) => t >= x.startS && t < x.endS);
  return w === undefined ? basePerNodeHour : w.perNodeHour;
}
