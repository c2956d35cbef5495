/**
 * The worker's probe and metrics port: `/healthz` (the event loop answers), `/readyz` (the
 * generator answered, the BullMQ worker runs and Redis is connected) and `/metrics`.
 */
import { createServer, type Server, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";
import type { WorkerMetrics } from "./metrics.ts";

/** Answers with the registry's metrics in Prometheus' text format (500 with the reason if they fail). */
export function sendMetrics(res: ServerResponse, registry: Registry): void {
  registry.metrics().then(
    (body) => res.writeHead(200, { "content-type": registry.contentType }).end(body),
    (err: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(err instanceof Error ? err.message : String(err)),
  );
}

/** Listens on `port` (all interfaces); resolves once listening, rejects if the port is taken. */
export async function listen(server: Server, port: number): Promise<Server> {
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve());
  });
  return server;
}

/** What the probes ask the running worker. */
export interface WorkerState {
  /** Why the worker cannot take jobs now, or null when it can. */
  notReady(): string | null;
}

/** Starts the probe server on `port` (all interfaces); resolves once it listens. */
export async function serveHealth(port: number, state: WorkerState, metrics: WorkerMetrics): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") return void res.writeHead(405, { allow: "GET" }).end();
    if (path === "/healthz") return void res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    if (path === "/readyz") {
      const why = state.notReady();
      return void res.writeHead(why === null ? 200 : 503, { "content-type": "text/plain" }).end(why ?? "ok");
    }
    if (path === "/metrics") return sendMetrics(res, metrics.registry);
    res.writeHead(404, { "content-type": "text/plain" }).end("not found");
  });
  return listen(server, port);
}
