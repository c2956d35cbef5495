/**
 * The built-in traces. Rates are chosen so that a pool of one on-demand node plus the design's
 * twenty spot nodes is busy but rarely saturated on the diurnal day, saturated for a while by the
 * flash crowd, and nearly idle at night.
 */
import { rngStream } from "../rng.ts";
import { fromRows, type Trace } from "../trace.ts";
import { IMAGE_SERVICE, poissonArrivals, withService } from "./arrivals.ts";

const HOUR = 3600;

/** Consumer SaaS day: trough 0.05 jobs/s at 05:00, peak 1.3 jobs/s at 17:00, 24 h. */
export function diurnal(seed: number): Trace {
  const rng = rngStream(seed, "trace:diurnal");
  const rate = (t: number): number => 0.05 + 1.25 * Math.pow(0.5 - 0.5 * Math.cos((2 * Math.PI * (t / HOUR - 5)) / 24), 1.5);
  const rows = withService(rng, poissonArrivals(rng, 24 * HOUR, 1.3, rate));
  return fromRows("diurnal", "consumer-SaaS day, 0.05 -> 1.3 jobs/s, peak 17:00", rows, 24 * HOUR);
}

/** Flash crowd: 0.12 jobs/s, then x10 within one minute at 30 min, held 15 min, back over 5 min; 2 h. */
export const FLASH = { startS: 1800, rampS: 60, holdS: 900, fallS: 300, baseRate: 0.12, factor: 10 } as const;

/** The flash-crowd rate at time t, jobs/s. */
export function flashRate(t: number): number {
  const f = FLASH;
  const peak = f.baseRate * f.factor;
  const s = t - f.startS;
  if (s < 0) return f.baseRate;
  if (s < f.rampS) return f.baseRate + ((peak - f.baseRate) * s) / f.rampS;
  if (s < f.rampS + f.holdS) return peak;
  const down = s - f.rampS - f.holdS;
  if (down < f.fallS) return peak - ((peak - f.baseRate) * down) / f.fallS;
  return f.baseRate;
}

/** The flash crowd trace. */
export function flashCrowd(seed: number): Trace {
  const rng = rngStream(seed, "trace:flash-crowd");
  const rows = withService(rng, poissonArrivals(rng, 2 * HOUR, FLASH.baseRate * FLASH.factor, flashRate));
  const trace = fromRows("flash-crowd", "0.12 jobs/s, x10 within a minute at 00:30 for 15 min, 2 h", rows, 2 * HOUR);
  return { ...trace, burst: { startS: FLASH.startS, ratePerS: FLASH.baseRate * FLASH.factor } };
}

/** Quiet night: one job every ten minutes on average, 8 h. */
export function quietNight(seed: number): Trace {
  const rng = rngStream(seed, "trace:quiet-night");
  const rows = withService(rng, poissonArrivals(rng, 8 * HOUR, 1 / 600, () => 1 / 600));
  return fromRows("quiet-night", "sparse jobs, 1 per 10 min on average, 8 h", rows, 8 * HOUR);
}

/**
 * Spot interruption storm: steady 0.5 jobs/s where one job in ten is a 2.5-minute batch (longer
 * than the two-minute notice), and from 1 h to 2.5 h each spot node is reclaimed 4 times an hour.
 */
export function spotStorm(seed: number): Trace {
  const rng = rngStream(seed, "trace:spot-storm");
  const arrivals = poissonArrivals(rng, 4 * HOUR, 0.5, () => 0.5);
  const rows = arrivals.map((arrivalS) => {
    const long = rng() < 0.1;
    const service = long ? { medianS: 150, sigma: 0.2 } : IMAGE_SERVICE;
    return withService(rng, [arrivalS], service)[0]!;
  });
  const trace = fromRows("spot-storm", "0.5 jobs/s (10 % 2.5-min batches), spot reclaimed 4x/node-hour from 1 h to 2.5 h, 4 h", rows, 4 * HOUR);
  return { ...trace, interruptionWindows: [{ startS: HOUR, endS: 2.5 * HOUR, perNodeHour: 4 }] };
}

/** Built-in trace generators by name. */
export const BUILTIN_TRACES: Record<string, (seed: number) => Trace> = {
  diurnal,
  "flash-crowd": flashCrowd,
  "quiet-night": quietNight,
  "spot-storm": spotStorm,
};
