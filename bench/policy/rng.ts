/**
 * Seeded pseudo-random numbers. Every random draw in the replay comes from a named stream derived
 * from one seed, so a run is reproducible and one stream (say, boot times) does not shift when
 * another (interruptions) is drawn more or less often.
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** xmur3: a 32-bit hash of a string, used to derive stream seeds. */
function hash(text: string): number {
  let h = 1779033703 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 3432918353);
    h = (h << 13) | (h >>> 19);
  }
  h = Math.imul(h ^ (h >>> 16), 2246822507);
  h = Math.imul(h ^ (h >>> 13), 3266489909);
  return (h ^= h >>> 16) >>> 0;
}

/** mulberry32 seeded from (seed, stream name). */
export function rngStream(seed: number, stream: string): Rng {
  let a = hash(`${seed}:${stream}`);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An exponential draw with the given rate (events per unit time). */
export function exponential(rng: Rng, rate: number): number {
  return -Math.log(1 - rng()) / rate;
}

/** A standard normal draw (Box-Muller). */
export function normal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A duration distribution: log-normal around a median; `sigma` 0 makes it constant. */
export interface Duration {
  medianS: number;
  sigma: number;
}

/** One draw of a duration, in seconds. */
export function draw(rng: Rng, d: Duration): number {
  if (d.sigma === 0) return d.medianS;
  return d.medianS * Math.exp(d.sigma * normal(rng));
}
