/**
 * Bearer JWT authentication: RS256 through a JWKS URL or HS256 with a shared secret; issuer and
 * audience are checked, `exp` is required (a token that never expires is refused), `alg: none`
 * and any other algorithm are rejected. The user id is `sub`.
 */
import { createSecretKey, KeyObject } from "node:crypto";
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import type { Context, Next } from "koa";
import { userIdSchema } from "../worker/job/schema.ts";
import { ApiError, UnavailableError } from "./errors.ts";

/** Returns the user id of a valid token, or throws ApiError(401). */
export type TokenVerifier = (token: string) => Promise<string>;

/** Verifier settings (from ApiConfig). */
export interface AuthConfig {
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
  JWT_JWKS_URL?: string | undefined;
  JWT_HS256_SECRET?: string | undefined;
}

const unauthorized = (message: string): ApiError =>
  new ApiError(401, "unauthorized", message, { headers: { "WWW-Authenticate": 'Bearer error="invalid_token"' } });

/** Human-readable reason for a jose failure. */
function reason(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "Bearer token has expired";
  if (err instanceof errors.JWTClaimValidationFailed) return `Bearer token claim "${err.claim}" is invalid: ${err.reason}`;
  if (err instanceof errors.JOSEAlgNotAllowed) return "Bearer token algorithm is not allowed";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "Bearer token signature is invalid";
  if (err instanceof errors.JWKSNoMatchingKey) return "Bearer token key is unknown";
  return "Bearer token is invalid";
}

/** Builds the verifier once at start. */
export function createVerifier(cfg: AuthConfig): TokenVerifier {
  // A KeyObject is imported once; raw bytes would be imported again on every verification.
  const key: JWTVerifyGetKey | KeyObject = cfg.JWT_JWKS_URL
    ? createRemoteJWKSet(new URL(cfg.JWT_JWKS_URL))
    : createSecretKey(Buffer.from(cfg.JWT_HS256_SECRET ?? "", "utf8"));
  const algorithms = cfg.JWT_JWKS_URL ? ["RS256"] : ["HS256"];
  return async (token) => {
    let sub: string | undefined;
    try {
      const opts = { issuer: cfg.JWT_ISSUER, audience: cfg.JWT_AUDIENCE, algorithms, clockTolerance: 5, requiredClaims: ["exp"] };
      const { payload } = key instanceof KeyObject ? await jwtVerify(token, key, opts) : await jwtVerify(token, key, opts);
      sub = payload.sub;
    } catch (err) {
      // The key set could not be fetched (unreachable, timed out, not 200, not a JWKS): not the
      // caller's fault. jose throws the base JOSEError only for a failed JWKS response.
      if (!(err instanceof errors.JOSEError) || err.constructor === errors.JOSEError || err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
        throw new UnavailableError("jwks", { cause: err });
      }
      throw unauthorized(reason(err));
    }
    const parsed = userIdSchema.safeParse(sub);
    if (!parsed.success) throw unauthorized(`Bearer token subject is not a valid user id: ${parsed.error.issues[0]?.message ?? ""}`);
    return parsed.data;
  };
}

/** Koa middleware: sets ctx.state.userId or throws 401. */
export function requireUser(verify: TokenVerifier) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const header = ctx.get("authorization");
    const match = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header);
    if (!match?.[1]) throw unauthorized("Authorization header with a Bearer token is required");
    ctx.state.userId = await verify(match[1]);
    await next();
  };
}
