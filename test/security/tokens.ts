/**
 * Tokens for the authorization matrix: valid ones for a user and every kind of bad token, for an
 * API configured with RS256 through a JWKS URL or with an HS256 secret.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, SignJWT, type JWTPayload } from "jose";
import { AUDIENCE, ISSUER, SECRET } from "../../api/test-support.ts";
import type { AuthConfig } from "../../api/auth.ts";

type Key = Parameters<SignJWT["sign"]>[0];

/** How the API under test verifies tokens, and how to sign tokens it accepts. */
export interface AuthSetup {
  mode: "jwks" | "hs256";
  config: AuthConfig;
  /** A token the API accepts for `sub`. */
  valid(sub: string): Promise<string>;
  /** Every kind of bad token, by name; each must be refused with 401 on every secured route. */
  bad: Record<string, () => Promise<string>>;
}

const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");
const now = (): number => Math.floor(Date.now() / 1000);

function claims(sub: string, extra: JWTPayload = {}): JWTPayload {
  return { sub, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 600, ...extra };
}

function sign(payload: JWTPayload, alg: string, key: Key, kid?: string): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT", ...(kid ? { kid } : {}) }).sign(key);
}

/** The signed token with its payload replaced (signature no longer matches). */
function tamper(token: string, payload: JWTPayload): string {
  const [header, , signature] = token.split(".");
  return `${header}.${b64(payload)}.${signature}`;
}

/** Bad tokens that do not depend on the verification mode; `good` signs like a valid token. */
function common(good: (payload: JWTPayload) => Promise<string>): Record<string, () => Promise<string>> {
  return {
    "expired 60 s ago": () => good(claims("alice", { iat: now() - 700, exp: now() - 60 })),
    "not valid before an hour from now": () => good(claims("alice", { nbf: now() + 3600 })),
    "no expiry": () => good(claims("alice", { exp: undefined })),
    "wrong audience": () => good(claims("alice", { aud: "another-api" })),
    "wrong issuer": () => good(claims("alice", { iss: "https://evil.test/" })),
    "subject not a safe user id": () => good(claims("../../admin")),
    "no subject": () => good(claims("alice", { sub: undefined })),
    "alice's signature over bob's claims": async () => tamper(await good(claims("alice")), claims("bob")),
    "alg none": () => Promise.resolve(`${b64({ alg: "none", typ: "JWT" })}.${b64(claims("alice"))}.`),
    "not a JWT": () => Promise.resolve("not-a-jwt"),
    "three garbage segments": () => Promise.resolve("aaaa.bbbb.cccc"),
  };
}

/** RS256 through a JWKS URL served on loopback; the server is closed with `teardown`. */
export async function jwksSetup(teardown: (fn: () => void) => void): Promise<AuthSetup> {
  // Node KeyObjects, not WebCrypto keys: the same RSA key can then also sign RS384.
  const key = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...(await exportJWK(key.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  teardown(() => void server.close());
  const good = (payload: JWTPayload): Promise<string> => sign(payload, "RS256", key.privateKey, "k1");
  return {
    mode: "jwks",
    config: { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json` },
    valid: (sub) => good(claims(sub)),
    bad: {
      ...common(good),
      "another RSA key under the same kid": () => sign(claims("alice"), "RS256", other.privateKey, "k1"),
      "an unknown kid": () => sign(claims("alice"), "RS256", other.privateKey, "k2"),
      "RS384 with the right key": () => sign(claims("alice"), "RS384", key.privateKey, "k1"),
      "HS256 with a shared secret": () => sign(claims("alice"), "HS256", new TextEncoder().encode(SECRET)),
      "HS256 keyed with the public JWK (algorithm confusion)": () => sign(claims("alice"), "HS256", new TextEncoder().encode(JSON.stringify(jwk)), "k1"),
    },
  };
}

/** HS256 with the test secret. */
export function hs256Setup(): AuthSetup {
  const secret = new TextEncoder().encode(SECRET);
  const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const good = (payload: JWTPayload): Promise<string> => sign(payload, "HS256", secret);
  return {
    mode: "hs256",
    config: { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_HS256_SECRET: SECRET },
    valid: (sub) => good(claims(sub)),
    bad: {
      ...common(good),
      "HS256 with another secret": () => sign(claims("alice"), "HS256", new TextEncoder().encode("another-secret-that-is-at-least-32-bytes")),
      "HS512 with the right secret": () => sign(claims("alice"), "HS512", secret),
      "RS256 (an asymmetric token)": () => sign(claims("alice"), "RS256", rsa.privateKey, "k1"),
    },
  };
}
