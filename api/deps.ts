/** Everything the API app needs, injected by main.ts or by tests. */
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Pool } from "../worker/adapters/pg.ts";
import type { ImageStorage } from "./adapters/s3.ts";
import type { JobQueue } from "./adapters/queue.ts";
import type { TokenVerifier } from "./auth.ts";
import type { ApiConfig } from "./config.ts";
import type { ApiMetrics } from "./metrics.ts";

/** Settings the routes read. */
export type AppSettings = Pick<
  ApiConfig,
  "ALLOWED_MODELS" | "QUEUE_NAME" | "RATE_LIMIT_MAX" | "RATE_LIMIT_WINDOW_SECONDS" | "BODY_LIMIT_BYTES" | "PRESIGN_SECONDS"
>;

/** Dependencies of createApp(). */
export interface AppDeps {
  config: AppSettings;
  db: Pool;
  /** Redis for rate limits and readiness (fail-fast client). */
  redis: Redis;
  queue: JobQueue;
  storage: ImageStorage;
  verifyToken: TokenVerifier;
  log: Logger;
  /** Clock in ms (injectable for rate-limit windows). */
  now: () => number;
  /** Request metrics, when METRICS_PORT serves them. */
  metrics?: ApiMetrics;
}
