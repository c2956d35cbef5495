/**
 * Poisson arrivals with a time-varying rate (Lewis-Shedler thinning) and the service-time model
 * shared by the built-in traces.
 */
import { draw, exponential, type Duration, type Rng } from "../rng.ts";

/** Image generation on one A10G (g5.xlarge): SDXL, 1024x1024, 30 steps ~ 12 s, varying with steps and size. */
export const IMAGE_SERVICE: Duration = { medianS: 12, sigma: 0.35 };

/** Arrival times in [0, durationS) of a Poisson process whose rate (jobs/s) is `rate(t)` <= `maxRate`. */
export function poissonArrivals(rng: Rng, durationS: number, maxRate: number, rate: (t: number) => number): number[] {
  const out: number[] = [];
  let t = exponential(rng, maxRate);
  while (t < durationS) {
    if (rng() * maxRate < rate(t)) out.push(t);
    t += exponential(rng, maxRate);
  }
  return out;
}

/** Rows with service times drawn from `service` for each arrival. */
export function withService(rng: Rng, arrivals: number[], service: Duration = IMAGE_SERVICE): { arrivalS: number; serviceS: number }[] {
  return arrivals.map((arrivalS) => ({ arrivalS, serviceS: Math.max(1, draw(rng, service)) }));
}
