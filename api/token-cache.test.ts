import test from "ava";
import { createVerifier, type TokenVerifier } from "./auth.ts";
import { ApiError } from "./errors.ts";
import { cachedVerifier, reuseUntil } from "./token-cache.ts";
import { AUDIENCE, ISSUER, SECRET, token } from "./test-support.ts";

/** The real HS256 verifier, counting how often it really runs; a settable clock for the cache. */
function setup(opts: { maxEntries?: number; maxAgeMs?: number } = {}): { verify: TokenVerifier; checks: () => number; clock: { ms: number } } {
  const real = createVerifier({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_HS256_SECRET: SECRET });
  let n = 0;
  const counted: TokenVerifier = (t) => {
    n++;
    return real(t);
  };
  const clock = { ms: Date.now() };
  const verify = cachedVerifier(counted, { maxEntries: opts.maxEntries ?? 100, maxAgeMs: opts.maxAgeMs ?? 300_000, now: () => clock.ms });
  return { verify, checks: () => n, clock };
}

const reuse: { why: string; exp: unknown; now: number; maxAge: number; until: number }[] = [
  { why: "exp before the age bound", exp: 100, now: 50_000, maxAge: 300_000, until: 100_000 },
  { why: "age bound before exp", exp: 1000, now: 50_000, maxAge: 10_000, until: 60_000 },
  { why: "already expired", exp: 40, now: 50_000, maxAge: 300_000, until: 0 },
  { why: "expires exactly now", exp: 50, now: 50_000, maxAge: 300_000, until: 0 },
  { why: "no exp claim", exp: undefined, now: 50_000, maxAge: 300_000, until: 0 },
  { why: "exp not a number", exp: "100", now: 50_000, maxAge: 300_000, until: 0 },
];
for (const row of reuse) {
  test(`token cache: reuseUntil, ${row.why}`, (t) => {
    t.is(reuseUntil(row.exp, row.now, row.maxAge), row.until);
  });
}

test("token cache: the same token is verified once, then served from the cache", async (t) => {
  const { verify, checks } = setup();
  const jwt = await token("alice");
  t.is(await verify(jwt), "alice");
  t.is(await verify(jwt), "alice");
  t.is(await verify(jwt), "alice");
  t.is(checks(), 1);
  t.is(await verify(await token("bob")), "bob");
  t.is(checks(), 2);
});

test("token cache: a token is checked again once its exp has passed, and after the age bound", async (t) => {
  const { verify, checks, clock } = setup({ maxAgeMs: 60_000 });
  const jwt = await token("alice", { expiresIn: "10m" });
  await verify(jwt);
  clock.ms += 59_000;
  await verify(jwt);
  t.is(checks(), 1, "within the age bound");
  clock.ms += 2000;
  await verify(jwt);
  t.is(checks(), 2, "past the age bound");
  clock.ms += 10 * 60_000;
  await verify(jwt); // the cache's clock is past exp; the real check still accepts it (its clock is real time)
  t.is(checks(), 3, "past exp");
});

test("token cache: failures are not cached, and a token with another signature is not a hit", async (t) => {
  const { verify, checks } = setup();
  const expired = await token("alice", { expiresIn: Math.floor(Date.now() / 1000) - 60 });
  for (let i = 0; i < 2; i++) {
    const err = await t.throwsAsync(verify(expired), { instanceOf: ApiError });
    t.is(err.status, 401);
    t.regex(err.message, /expired/);
  }
  t.is(checks(), 2);
  const good = await token("alice");
  await verify(good);
  const forged = await token("mallory", { secret: "another-secret-that-is-32-bytes-long!!" });
  const err = await t.throwsAsync(verify(forged), { instanceOf: ApiError });
  t.regex(err.message, /signature/);
  const [header, payload] = good.split(".");
  const spliced = `${header}.${payload}.${forged.split(".")[2]}`;
  await t.throwsAsync(verify(spliced), { instanceOf: ApiError, message: /signature/ });
});

test("token cache: holds at most maxEntries tokens, dropping the least recently used", async (t) => {
  const { verify, checks } = setup({ maxEntries: 2 });
  const [a, b, c] = await Promise.all([token("a"), token("b"), token("c")]);
  await verify(a);
  await verify(b);
  await verify(a); // a is now the most recently used
  await verify(c); // evicts b
  t.is(checks(), 3);
  await verify(a);
  await verify(c);
  t.is(checks(), 3, "a and c are cached");
  await verify(b);
  t.is(checks(), 4, "b was evicted");
});
