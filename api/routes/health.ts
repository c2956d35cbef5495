/** GET /health (liveness, no dependencies) and GET /api/v1/health (readiness: Redis and PostgreSQL). */
import type { Context } from "koa";
import type { AppDeps } from "../deps.ts";
import { within } from "../within.ts";

const check = async (p: () => Promise<unknown>): Promise<"ok" | "unavailable"> => {
  try {
    await within(p(), 2000, "timeout");
    return "ok";
  } catch {
    return "unavailable";
  }
};

/** Handler of GET /health. */
export function liveness() {
  return (ctx: Context): void => {
    ctx.body = { status: "ok" };
  };
}

/** Handler of GET /api/v1/health. */
export function readiness(deps: AppDeps) {
  return async (ctx: Context): Promise<void> => {
    const [redis, postgres] = await Promise.all([check(() => deps.redis.ping()), check(() => deps.db.query("SELECT 1"))]);
    const ok = redis === "ok" && postgres === "ok";
    ctx.status = ok ? 200 : 503;
    ctx.body = { status: ok ? "ok" : "unavailable", checks: { redis, postgres } };
  };
}
