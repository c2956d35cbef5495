/** API entrypoint: config, connections, migrations, listen; closes cleanly on SIGTERM. */
import { pino } from "pino";
import { createPool } from "../worker/adapters/pg.ts";
import { pipelined } from "./adapters/pg.ts";
import { createProducerRedis, createQueue } from "../worker/adapters/redis.ts";
import { createS3 } from "../worker/adapters/s3.ts";
import { ConfigError } from "../worker/config/env.ts";
import { bullJobQueue, bullQueueInspector } from "./adapters/queue.ts";
import { s3Storage } from "./adapters/s3.ts";
import { createApp } from "./app.ts";
import { createVerifier } from "./auth.ts";
import { loadApiConfig, type ApiConfig } from "./config.ts";
import { migrate } from "./db/migrate.ts";
import { ApiMetrics, serveMetrics } from "./metrics.ts";
import { RECOVERY_DEFAULTS, startRecovery } from "./recovery.ts";
import { cachedVerifier, TOKEN_CACHE_DEFAULTS } from "./token-cache.ts";

// Asynchronous stdout: lines written while a write is in flight go out together in the next one
// (one syscall for many requests under load); pino flushes what is left when the process exits.
const log = pino({ name: "genpool-api" }, pino.destination({ dest: 1, sync: false }));

function config(): ApiConfig {
  try {
    return loadApiConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<void> {
  const cfg = config();
  const db = pipelined(createPool(cfg));
  const applied = await migrate(db);
  if (applied.length > 0) log.info({ applied }, "Applied database migrations");
  const redis = createProducerRedis(cfg);
  const queue = createQueue(cfg);
  const jobs = bullJobQueue(queue, { attempts: cfg.JOB_ATTEMPTS, backoffMs: cfg.JOB_BACKOFF_MS });
  const metrics = cfg.METRICS_PORT > 0 ? new ApiMetrics() : undefined;
  const app = createApp({
    config: cfg,
    db,
    redis,
    queue: jobs,
    storage: s3Storage(createS3(cfg), cfg.S3_BUCKET),
    verifyToken: cachedVerifier(createVerifier(cfg), { ...TOKEN_CACHE_DEFAULTS, now: Date.now }),
    log,
    now: Date.now,
    metrics,
  });
  const server = app.listen(cfg.PORT, () => log.info({ port: cfg.PORT, queue: cfg.QUEUE_NAME }, "API listening"));
  server.requestTimeout = 30_000;
  const recovery = startRecovery(
    { db, queueName: cfg.QUEUE_NAME, queue: jobs, inspector: bullQueueInspector(queue), log, onSweep: metrics && ((r) => metrics.sweep(r)) },
    { ...RECOVERY_DEFAULTS, intervalSeconds: cfg.RECOVERY_INTERVAL_SECONDS, minAgeSeconds: cfg.RECOVERY_MIN_AGE_SECONDS },
  );
  const metricsServer = metrics ? await serveMetrics(cfg.METRICS_PORT, metrics) : undefined;
  if (metricsServer) log.info({ port: cfg.METRICS_PORT }, "Metrics on /metrics");
  const shutdown = (): void => {
    log.info({}, "Shutting down API");
    metricsServer?.close();
    server.close(() => {
      void recovery
        .stop()
        .then(() => Promise.allSettled([queue.close(), redis.quit(), db.end()]))
        .then(() => process.exit(0));
    });
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((err: unknown) => {
  log.fatal({ err }, "API failed to start");
  process.exit(1);
});
