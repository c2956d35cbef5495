/**
 * The API's Prometheus metrics, served on their own port (METRICS_PORT), never on the public
 * one: requests by route and status, their duration, and what the recovery sweep repaired.
 */
import { createServer, type Server } from "node:http";
import type { Context, Next } from "koa";
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { listen, sendMetrics } from "../worker/http/health.ts";
import type { SweepResult } from "./recovery.ts";

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);

export class ApiMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: "genpool_api_requests_total",
    help: "Requests answered, by method, route pattern (`unmatched` for unknown paths) and status.",
    labelNames: ["method", "route", "status"],
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: "genpool_api_request_duration_seconds",
    help: "Time from a request's arrival to its answer, by method and route pattern.",
    labelNames: ["method", "route"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly recovered = new Counter({
    name: "genpool_api_recovered_generations_total",
    help: "Generations the recovery sweep repaired: readded (Redis had lost the job), failed (BullMQ had given the job up).",
    labelNames: ["action"],
    registers: [this.registry],
  });
  readonly sweeps = new Counter({ name: "genpool_api_recovery_sweeps_total", help: "Recovery sweeps this replica ran (holding the lock).", registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "genpool_api_" });
    for (const action of ["readded", "failed"]) this.recovered.inc({ action }, 0);
  }

  /** Koa middleware; put it first, so that it sees the status the error middleware set. */
  middleware() {
    return async (ctx: Context, next: Next): Promise<void> => {
      const started = process.hrtime.bigint();
      try {
        await next();
      } finally {
        const method = METHODS.has(ctx.method) ? ctx.method : "other";
        const route = (ctx as Context & { _matchedRoute?: string })._matchedRoute ?? "unmatched";
        this.requests.inc({ method, route, status: String(ctx.status) });
        this.duration.observe({ method, route }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    };
  }

  /** Counts one sweep's repairs (startRecovery's onSweep). */
  sweep(r: SweepResult): void {
    if (!r.ran) return;
    this.sweeps.inc();
    this.recovered.inc({ action: "readded" }, r.readded.length);
    this.recovered.inc({ action: "failed" }, r.failed.length);
  }
}

/** Serves GET /metrics on `port` (all interfaces), as the worker's probe port does; resolves once it listens. */
export function serveMetrics(port: number, metrics: ApiMetrics): Promise<Server> {
  const server = createServer((req, res) => {
    if ((req.url ?? "/").split("?")[0] !== "/metrics") return void res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    if (req.method !== "GET") return void res.writeHead(405, { allow: "GET" }).end();
    sendMetrics(res, metrics.registry);
  });
  return listen(server, port);
}
