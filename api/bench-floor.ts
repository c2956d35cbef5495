/**
 * The floors `npm run bench:api` measures POST against: a server that answers
 * POST /api/v1/generations with 202 and the API's response shape, doing none of the API's work
 * (no token, no validation, no Redis, no PostgreSQL).
 *   FLOOR=http  Node's http server alone (reads the body, answers).
 *   FLOOR=koa   the API's own Koa stack (`serve()` of api/app.ts: errorMiddleware,
 *               @koa/bodyparser, @koa/router); the route only sets the answer.
 * Listens on PORT.
 */
import { createServer } from "node:http";
import { randomUUID } from "node:crypto";
import { Router } from "@koa/router";
import { pino } from "pino";
import { serve } from "./app.ts";

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
  }).listen(port, "127.0.0.1");
} else if (floor === "koa") {
  const router = new Router();
  router.post("/api/v1/generations", (ctx) => {
    const body = accepted();
    ctx.status = 202;
    ctx.set("Location", body.statusUrl);
    ctx.body = body;
  });
  // BODY_LIMIT_BYTES' default
  serve(router, pino({ level: "silent" }), 16_384).listen(port, "127.0.0.1");
} else {
  process.stderr.write(`FLOOR must be http or koa, got ${JSON.stringify(floor)}\n`);
  process.exit(2);
}
