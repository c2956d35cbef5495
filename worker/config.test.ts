import test from "ava";
import { loadApiConfig } from "../api/config.ts";
import { loadWorkerConfig } from "./config.ts";
import { ConfigError } from "./config/env.ts";
import { pngSize } from "./png.ts";
import { drawPng } from "./procedural/draw.ts";
import { finishWithinMs, parseStopBy } from "./process/shutdown.ts";

const common = { DB_HOST: "db", DB_NAME: "genpool", DB_USER: "u", DB_PASSWORD: "p", REDIS_HOST: "redis", S3_BUCKET: "b", AWS_REGION: "eu-west-1" };

test("worker config: defaults", (t) => {
  const cfg = loadWorkerConfig({ ...common, POD_NAME: "w-0" });
  t.like(cfg, { BACKEND: "procedural", QUEUE_NAME: "gpu-generation", DB_PORT: 5432, REDIS_PORT: 6379, REDIS_TLS: false, GRACE_PERIOD_SECONDS: 30, HEALTH_PORT: 0 });
});

const workerErrors: { why: string; env: Record<string, string>; message: RegExp }[] = [
  { why: "every missing variable is listed", env: {}, message: /DB_HOST is required[\s\S]*S3_BUCKET is required[\s\S]*POD_NAME is required/ },
  { why: "port out of range names the value", env: { ...common, POD_NAME: "w", DB_PORT: "70000" }, message: /DB_PORT must be an integer from 1 to 65535, got "70000"/ },
  { why: "unknown backend", env: { ...common, POD_NAME: "w", BACKEND: "gpu" }, message: /BACKEND must be invokeai or procedural, got "gpu"/ },
  { why: "invokeai needs a URL", env: { ...common, POD_NAME: "w", BACKEND: "invokeai" }, message: /INVOKEAI_URL is required when BACKEND is invokeai/ },
  { why: "reserve must be below the grace period", env: { ...common, POD_NAME: "w", GRACE_PERIOD_SECONDS: "5", HANDOVER_RESERVE_SECONDS: "5" }, message: /HANDOVER_RESERVE_SECONDS must be less than GRACE_PERIOD_SECONDS \(5\), got 5/ },
  { why: "HEALTH_PORT must be a port (0 turns it off)", env: { ...common, POD_NAME: "w", HEALTH_PORT: "70000" }, message: /HEALTH_PORT must be an integer from 0 to 65535, got "70000"/ },
  { why: "REDIS_TLS must be a boolean", env: { ...common, POD_NAME: "w", REDIS_TLS: "maybe" }, message: /REDIS_TLS must be true or false, got "maybe"/ },
];

for (const row of workerErrors) {
  test(`worker config: ${row.why}`, (t) => {
    const err = t.throws(() => loadWorkerConfig(row.env), { instanceOf: ConfigError });
    t.regex(err.message, row.message);
  });
}

const api = { ...common, JWT_ISSUER: "https://issuer/", JWT_AUDIENCE: "genpool", ALLOWED_MODELS: "sdxl-base, sd15" };

test("api config: models are a trimmed list; one JWT key source is required", (t) => {
  const cfg = loadApiConfig({ ...api, JWT_JWKS_URL: "https://issuer/.well-known/jwks.json" });
  t.deepEqual(cfg.ALLOWED_MODELS, ["sdxl-base", "sd15"]);
  t.is(cfg.PORT, 9090);
  t.regex(t.throws(() => loadApiConfig(api)).message, /JWT_JWKS_URL or JWT_HS256_SECRET is required/);
  t.regex(t.throws(() => loadApiConfig({ ...api, JWT_HS256_SECRET: "short" })).message, /at least 32 bytes, got 5/);
  t.regex(t.throws(() => loadApiConfig({ ...api, JWT_JWKS_URL: "not a url" })).message, /JWT_JWKS_URL must be an absolute URL, got "not a url"/);
  t.regex(t.throws(() => loadApiConfig({ ...api, JWT_JWKS_URL: "https://x/", JWT_HS256_SECRET: "x".repeat(40) })).message, /only one/);
});

test("shutdown: the running job may use the grace period minus the handover reserve", (t) => {
  t.is(finishWithinMs({ gracePeriodSeconds: 120, handoverReserveSeconds: 10 }), 110_000);
  t.is(finishWithinMs({ gracePeriodSeconds: 5, handoverReserveSeconds: 10 }), 0);
});

test("shutdown: an announced kill time earlier than the grace period wins; a later one or none changes nothing", (t) => {
  const s = { gracePeriodSeconds: 120, handoverReserveSeconds: 10 };
  const now = 1_000_000;
  t.is(finishWithinMs(s, { now, stopBy: now + 30_000 }), 20_000, "30 s left minus the 10 s reserve");
  t.is(finishWithinMs(s, { now, stopBy: now + 600_000 }), 110_000, "the pod's own grace is earlier");
  t.is(finishWithinMs(s, { now, stopBy: now + 5_000 }), 0, "less than the reserve: hand back at once");
  t.is(finishWithinMs(s, { now, stopBy: null }), 110_000);
  t.deepEqual(["1764150000000", null, undefined, "", "soon", "-5", "1.5"].map(parseStopBy), [1764150000000, null, null, null, null, null, null]);
});

test("procedural PNG: real PNG of the requested size, deterministic in prompt and seed", (t) => {
  const a = drawPng("a fox", 1, 96, 64);
  t.deepEqual(pngSize(a), { width: 96, height: 64 });
  t.true(a.equals(drawPng("a fox", 1, 96, 64)));
  t.false(a.equals(drawPng("a fox", 2, 96, 64)));
  t.false(a.equals(drawPng("a cat", 1, 96, 64)));
  t.is(pngSize(Buffer.from("not a png at all, clearly")), null);
});
