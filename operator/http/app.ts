import type { IncomingMessage, ServerResponse } from "node:http";
import type { OperatorMetrics } from "./metrics.ts";

/** What the probes ask the running operator. */
export interface Health {
  /** The process works (its loops are not stuck). */
  live(): boolean;
  /** Watches and the election are running; a standby is ready too (it is ready to take over). */
  ready(): boolean;
}

/** A node:http request listener. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface Reply {
  status: number;
  type: string;
  body: string;
}

const text = (status: number, body: string): Reply => ({ status, type: "text/plain; charset=utf-8", body });

/**
 * /healthz, /readyz and /metrics as a plain node:http listener; the caller listens. Three fixed GET
 * routes do not need Koa and its router: loading them costs the operator about 10 MB of resident
 * memory (docs/BENCHMARKS.md "Operator").
 */
export function createApp(deps: { metrics: OperatorMetrics; health: Health }): RequestHandler {
  const routes: Record<string, () => Promise<Reply> | Reply> = {
    "/healthz": () => (deps.health.live() ? text(200, "ok") : text(503, "not live")),
    "/readyz": () => (deps.health.ready() ? text(200, "ok") : text(503, "not ready")),
    "/metrics": async () => ({ status: 200, type: deps.metrics.registry.contentType, body: await deps.metrics.registry.metrics() }),
  };
  const answer = async (req: IncomingMessage): Promise<Reply> => {
    const route = routes[new URL(req.url ?? "/", "http://operator").pathname];
    if (route === undefined) return text(404, "not found");
    if (req.method !== "GET" && req.method !== "HEAD") return text(405, "method not allowed");
    return route();
  };
  return (req, res) => {
    void answer(req)
      .catch((err: unknown) => text(500, err instanceof Error ? err.message : String(err)))
      .then((r) => {
        res.writeHead(r.status, { "Content-Type": r.type, "Content-Length": Buffer.byteLength(r.body), ...(r.status === 405 ? { Allow: "GET, HEAD" } : {}) });
        res.end(req.method === "HEAD" ? undefined : r.body);
      });
  };
}
