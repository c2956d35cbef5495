/** GET /health (liveness, no dependencies) and GET /api/v1/health (readiness: Redis and PostgreSQL). */
import type { Context } from "koa";
import type { AppDeps } from "../deps.ts";

const withTimeout = async <T>(p: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), ms);
  });
  // If the timeout wins, p may still reject later: observe it so it is not an unhandled rejection.
  p.catch(() => undefined);
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
};

const check = async (p: () => Promise<unknown>): Promise<"ok" | "unavailable"> => {
  try {
    await withTimeout(p(), 2000);
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
