/**
 * Verified-token cache in front of a TokenVerifier: a Bearer token that verified once maps to its
 * user id until the token's `exp` or `maxAgeMs` after the check, whichever comes first, so a
 * client sending the same token again costs a map lookup instead of a signature check.
 * Only successes are cached, keyed by the whole token (signature included); a token without `exp`
 * is never cached; at most `maxEntries` tokens are kept (the least recently used goes first).
 */
import { decodeJwt } from "jose";
import type { TokenVerifier } from "./auth.ts";

/** Bounds of the cache. */
export interface TokenCacheOptions {
  maxEntries: number;
  /** Upper bound on how long a verification is reused (key rotation and revocation take effect after it). */
  maxAgeMs: number;
  /** Clock in ms. */
  now: () => number;
}

/** Defaults of the API process. */
export const TOKEN_CACHE_DEFAULTS: Omit<TokenCacheOptions, "now"> = { maxEntries: 10_000, maxAgeMs: 5 * 60_000 };

interface Entry {
  userId: string;
  /** Reuse while now < until (ms). */
  until: number;
}

/** How long a token verified at `nowMs` may be reused; 0 when not at all. Pure. */
export function reuseUntil(exp: unknown, nowMs: number, maxAgeMs: number): number {
  if (typeof exp !== "number" || !Number.isFinite(exp)) return 0;
  const until = Math.min(exp * 1000, nowMs + maxAgeMs);
  return until > nowMs ? until : 0;
}

/** Wraps `verify` with the cache. */
export function cachedVerifier(verify: TokenVerifier, opts: TokenCacheOptions): TokenVerifier {
  const entries = new Map<string, Entry>();
  return async (token) => {
    const hit = entries.get(token);
    if (hit !== undefined) {
      entries.delete(token);
      if (opts.now() < hit.until) {
        entries.set(token, hit); // most recently used last
        return hit.userId;
      }
    }
    const checkedAt = opts.now();
    const userId = await verify(token);
    const until = reuseUntil(decodeJwt(token).exp, checkedAt, opts.maxAgeMs);
    if (until > 0) {
      entries.set(token, { userId, until });
      if (entries.size > opts.maxEntries) entries.delete(entries.keys().next().value as string);
    }
    return userId;
  };
}
