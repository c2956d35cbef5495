import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import test from "ava";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { createVerifier } from "./auth.ts";
import { ApiError } from "./errors.ts";

const ISSUER = "https://issuer.test/";
const AUDIENCE = "genpool-api";

test("RS256 through a JWKS URL: valid tokens pass; HS256, another key and a wrong audience are 401", async (t) => {
  const { publicKey, privateKey } = await generateKeyPair("RS256");
  const other = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256", use: "sig" };
  const server = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  t.teardown(() => void server.close());
  const verify = createVerifier({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json` });
  const sign = (key: Parameters<SignJWT["sign"]>[0], alg: string, aud = AUDIENCE) =>
    new SignJWT({}).setProtectedHeader({ alg, kid: "k1" }).setSubject("user-1").setIssuer(ISSUER).setAudience(aud).setIssuedAt().setExpirationTime("5m").sign(key);

  t.is(await verify(await sign(privateKey, "RS256")), "user-1");
  const rejected = async (token: string, message: RegExp) => {
    const err = await t.throwsAsync(verify(token), { instanceOf: ApiError });
    t.is(err.status, 401);
    t.regex(err.message, message);
  };
  await rejected(await sign(other.privateKey, "RS256"), /signature/);
  await rejected(await sign(privateKey, "RS256", "someone-else"), /aud/);
  // Algorithm confusion: an HS256 token "signed" with the public key's bytes must not pass.
  await rejected(await sign(new TextEncoder().encode(JSON.stringify(jwk)), "HS256"), /algorithm/);
});
