/** The Koa application: createApp(deps) wires middleware and routes; main.ts listens. */
import { bodyParser } from "@koa/bodyparser";
import { Router } from "@koa/router";
import Koa from "koa";
import type { Logger } from "pino";
import { requireUser } from "./auth.ts";
import type { AppDeps } from "./deps.ts";
import { errorMiddleware } from "./errors.ts";
import { openApiDocument } from "./openapi.ts";
import { createGeneration, readGeneration } from "./routes/generations.ts";
import { liveness, readiness } from "./routes/health.ts";
import { deleteImage, imageUrl, listOwnImages } from "./routes/images.ts";

export type { AppDeps } from "./deps.ts";

/** Builds the app without listening; tests use `app.callback()`. */
export function createApp(deps: AppDeps): Koa {
  const router = new Router();
  const auth = requireUser(deps.verifyToken);
  const openapi = openApiDocument(deps.config.ALLOWED_MODELS);

  router.get("/health", liveness());
  router.get("/api/v1/health", readiness(deps));
  router.get("/api/v1/openapi.json", (ctx) => {
    ctx.body = openapi;
  });
  router.post("/api/v1/generations", auth, createGeneration(deps));
  router.get("/api/v1/generations/:id", auth, readGeneration(deps));
  router.get("/api/v1/images", auth, listOwnImages(deps));
  router.get("/api/v1/images/:name/url", auth, imageUrl(deps));
  router.delete("/api/v1/images/:name", auth, deleteImage(deps));

  return serve(router, deps.log, deps.config.BODY_LIMIT_BYTES, deps.metrics ? [deps.metrics.middleware()] : []);
}

/**
 * A Koa app answering `router`'s routes behind the middleware every route runs with: JSON errors,
 * the JSON body parser (at most `bodyLimitBytes`) and 405/501 for known paths. `outer` run first
 * (metrics: they see the status the error middleware sets).
 */
export function serve(router: Router, log: Logger, bodyLimitBytes: number, outer: Koa.Middleware[] = []): Koa {
  const app = new Koa({ proxy: true });
  for (const m of outer) app.use(m);
  app.use(errorMiddleware(log));
  app.use(bodyParser({ enableTypes: ["json"], jsonLimit: bodyLimitBytes, encoding: "utf-8" }));
  app.use(router.routes());
  app.use(router.allowedMethods()); // sets 405/501 and Allow; errorMiddleware answers them in JSON
  return app;
}
