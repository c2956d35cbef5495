/** API configuration: parsed once from the environment at start (see docs/API.md). */
import { z } from "zod";
import { ConfigError, dbEnv, int, parseEnv, redisEnv, s3Env, str, url } from "../worker/config/env.ts";

const shape = {
  ...dbEnv,
  ...redisEnv,
  ...s3Env,
  PORT: int("PORT", 1, 65535, 9090),
  JWT_ISSUER: str("JWT_ISSUER"),
  JWT_AUDIENCE: str("JWT_AUDIENCE"),
  JWT_JWKS_URL: url("JWT_JWKS_URL"),
  JWT_HS256_SECRET: z.string().optional(),
  ALLOWED_MODELS: str("ALLOWED_MODELS"),
  RATE_LIMIT_MAX: int("RATE_LIMIT_MAX", 1, 1_000_000, 10),
  RATE_LIMIT_WINDOW_SECONDS: int("RATE_LIMIT_WINDOW_SECONDS", 1, 86_400, 60),
  JOB_ATTEMPTS: int("JOB_ATTEMPTS", 1, 100, 5),
  JOB_BACKOFF_MS: int("JOB_BACKOFF_MS", 0, 3_600_000, 5000),
  BODY_LIMIT_BYTES: int("BODY_LIMIT_BYTES", 256, 10_000_000, 16_384),
  PRESIGN_SECONDS: int("PRESIGN_SECONDS", 60, 604_800, 3600),
  RECOVERY_INTERVAL_SECONDS: int("RECOVERY_INTERVAL_SECONDS", 0, 3600, 30),
  RECOVERY_MIN_AGE_SECONDS: int("RECOVERY_MIN_AGE_SECONDS", 1, 86_400, 60),
  METRICS_PORT: int("METRICS_PORT", 0, 65535, 0),
};

/** Parsed API configuration. */
export type ApiConfig = Omit<z.infer<z.ZodObject<typeof shape>>, "ALLOWED_MODELS"> & {
  ALLOWED_MODELS: [string, ...string[]];
};

/** Reads and validates the API environment; throws ConfigError listing every problem. */
export function loadApiConfig(env: NodeJS.ProcessEnv): ApiConfig {
  const cfg = parseEnv(shape, env);
  const models = cfg.ALLOWED_MODELS.split(",").map((m) => m.trim()).filter(Boolean);
  const problems: string[] = [];
  if (models.length === 0) problems.push(`ALLOWED_MODELS must list at least one model name, comma-separated, got ${JSON.stringify(cfg.ALLOWED_MODELS)}`);
  const secret = cfg.JWT_HS256_SECRET ?? "";
  if (!cfg.JWT_JWKS_URL && !secret) problems.push("JWT_JWKS_URL or JWT_HS256_SECRET is required, got neither");
  if (cfg.JWT_JWKS_URL && secret) problems.push("set only one of JWT_JWKS_URL and JWT_HS256_SECRET, got both");
  if (secret && Buffer.byteLength(secret) < 32) problems.push(`JWT_HS256_SECRET must be at least 32 bytes, got ${Buffer.byteLength(secret)}`);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return { ...cfg, ALLOWED_MODELS: models as [string, ...string[]] };
}
