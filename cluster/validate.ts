/**
 * Constructor-time validation for cluster/ constructs. Every message names the construct,
 * the prop, the value given and what is allowed, so a bad cdk.json fails synth with a line
 * a platform engineer can act on.
 */

/** A prop value that the construct cannot build from. */
export class InvalidPropError extends Error {
  override readonly name = "InvalidPropError";
  constructor(
    readonly construct: string,
    readonly prop: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${construct}: prop "${prop}" is ${JSON.stringify(value)}; allowed: ${allowed}`);
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function requireIntInRange(construct: string, prop: string, value: number, [min, max]: readonly [number, number]): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPropError(construct, prop, value, `an integer from ${min} to ${max}`);
  }
}

/** Throws unless minSize ≤ maxSize (both already range-checked). */
export function requireMinNotAboveMax(construct: string, min: number, max: number): void {
  if (min > max) {
    throw new InvalidPropError(construct, "maxSize", max, `at least minSize (${min})`);
  }
}

/** Throws unless `value` is one of `allowed`. */
export function requireOneOf<T>(construct: string, prop: string, value: T, allowed: readonly T[]): void {
  if (!allowed.includes(value)) {
    throw new InvalidPropError(construct, prop, value, `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  }
}

/** Fills every prop left undefined from `defaults` (a spread would copy explicit undefineds). */
export function withDefaults<D extends object>(defaults: D, props: Partial<D>): D {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(props)) if (v !== undefined) out[k] = v;
  return out as D;
}
