/**
 * The floors `npm run bench:api` measures POST against: a server that answers
 * POST /api/v1/generations with 202 and the API's response shape, doing none of the API's work
 * (no token, no validation, no Redis, no PostgreSQL).
 *   FLOOR=http  Node's http server alone (reads the body, answers).
 *   FLOOR=koa   the API's own Koa stack: errorMiddleware, @koa/bodyparser with the API's
 *               options, @koa/router; the route only sets the answer.
 * Listens on PORT; prints "ready" on stdout once listening.
 */
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { bodyParser } from "@koa/bodyparser";
import { Router } from "@koa/router";
import Koa from "koa";
import { pino } from "pino";
import { errorMiddleware } from "./errors.ts";

const port = Number(process.env.PORT);
const floor = process.env.FLOOR;

/** The API's 202 body for a new generation. */
function accepted(): { id: string; status: "queued"; statusUrl: string } {
  const id = randomUUID();
  return { id, status: "queued", statusUrl: `/api/v1/generations/${id}` };
}

if (floor === "http") {
  createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const body = accepted();
      res.writeHead(202, { "content-type": "application/json; charset=utf-8", location: body.statusUrl });
      res.end(JSON.stringify(body));
    });
  }).listen(port, "127.0.0.1", () => process.stdout.write("ready\n"));
} else if (floor === "koa") {
  const app = new Koa({ proxy: true });
  const router = new Router();
  router.post("/api/v1/generations", (ctx) => {
    const body = accepted();
    ctx.status = 202;
    ctx.set("Location", body.statusUrl);
    ctx.body = body;
  });
  app.use(errorMiddleware(pino({ level: "silent" })));
  app.use(bodyParser({ enableTypes: ["json"], jsonLimit: 16_384, encoding: "utf-8" }));
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.listen(port, "127.0.0.1", () => process.stdout.write("ready\n"));
} else {
  process.stderr.write(`FLOOR must be http or koa, got ${JSON.stringify(floor)}\n`);
  process.exit(2);
}
