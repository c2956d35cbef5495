/** Worker configuration: parsed once from the environment at start (see docs/API.md). */
import { z } from "zod";
import { ConfigError, dbEnv, int, parseEnv, redisEnv, s3Env, str, url } from "./config/env.ts";

const shape = {
  ...dbEnv,
  ...redisEnv,
  ...s3Env,
  POD_NAME: str("POD_NAME").regex(/^[A-Za-z0-9._-]{1,253}$/, { error: (i) => `POD_NAME must be a pod name (letters, digits, '.', '_', '-'), got ${JSON.stringify(i.input)}` }),
  BACKEND: z.enum(["invokeai", "procedural"], { error: (i) => `BACKEND must be invokeai or procedural, got ${JSON.stringify(i.input)}` }).default("procedural"),
  INVOKEAI_URL: url("INVOKEAI_URL"),
  /** Pod's terminationGracePeriodSeconds: how long SIGTERM may take in total. */
  GRACE_PERIOD_SECONDS: int("GRACE_PERIOD_SECONDS", 1, 86_400, 30),
  /** Part of the grace period kept to cancel the running generation and hand the job back. */
  HANDOVER_RESERVE_SECONDS: int("HANDOVER_RESERVE_SECONDS", 0, 3600, 5),
  GENERATION_TIMEOUT_SECONDS: int("GENERATION_TIMEOUT_SECONDS", 1, 86_400, 900),
  /** Longest wait for one HTTP answer from InvokeAI; each call is tried 3 times. */
  INVOKEAI_REQUEST_TIMEOUT_SECONDS: int("INVOKEAI_REQUEST_TIMEOUT_SECONDS", 1, 600, 30),
  POLL_INTERVAL_MS: int("POLL_INTERVAL_MS", 10, 60_000, 750),
  /** BullMQ lock duration; a killed worker's job is re-delivered after about this long. */
  LOCK_DURATION_MS: int("LOCK_DURATION_MS", 1000, 600_000, 30_000),
  /** Port of /healthz, /readyz and /metrics; 0 (the default) turns the server off. The chart sets 9102. */
  HEALTH_PORT: int("HEALTH_PORT", 0, 65_535, 0),
};

/** Parsed worker configuration. */
export type WorkerConfig = z.infer<z.ZodObject<typeof shape>>;

/** Reads and validates the worker environment; throws ConfigError listing every problem. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv): WorkerConfig {
  const cfg = parseEnv(shape, env);
  if (cfg.BACKEND === "invokeai" && !cfg.INVOKEAI_URL) {
    throw new ConfigError("Invalid configuration:\n  INVOKEAI_URL is required when BACKEND is invokeai, got nothing");
  }
  if (cfg.HANDOVER_RESERVE_SECONDS >= cfg.GRACE_PERIOD_SECONDS) {
    throw new ConfigError(`Invalid configuration:\n  HANDOVER_RESERVE_SECONDS must be less than GRACE_PERIOD_SECONDS (${cfg.GRACE_PERIOD_SECONDS}), got ${cfg.HANDOVER_RESERVE_SECONDS}`);
  }
  return cfg;
}
