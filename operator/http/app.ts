import Koa from "koa";
import Router from "@koa/router";
import type { OperatorMetrics } from "./metrics.ts";

/** What the probes ask the running operator. */
export interface Health {
  /** The process works (its loops are not stuck). */
  live(): boolean;
  /** Watches and the election are running; a standby is ready too (it is ready to take over). */
  ready(): boolean;
}

/** Koa app for /healthz, /readyz and /metrics; the caller listens. */
export function createApp(deps: { metrics: OperatorMetrics; health: Health }): Koa {
  const app = new Koa();
  const router = new Router();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      ctx.status = 500;
      ctx.body = { error: err instanceof Error ? err.message : String(err) };
    }
  });
  router.get("/healthz", (ctx) => {
    ctx.status = deps.health.live() ? 200 : 503;
    ctx.body = ctx.status === 200 ? "ok" : "not live";
  });
  router.get("/readyz", (ctx) => {
    ctx.status = deps.health.ready() ? 200 : 503;
    ctx.body = ctx.status === 200 ? "ok" : "not ready";
  });
  router.get("/metrics", async (ctx) => {
    ctx.type = deps.metrics.registry.contentType;
    ctx.body = await deps.metrics.registry.metrics();
  });
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
