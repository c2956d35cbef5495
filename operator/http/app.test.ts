import test, { type ExecutionContext } from "ava";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createApp, type Health } from "./app.ts";
import { OperatorMetrics } from "./metrics.ts";

/** The app on a real listening server (port from the OS); returns its base URL. */
async function serve(t: ExecutionContext, health: Health, metrics = new OperatorMetrics()): Promise<string> {
  const server = createServer(createApp({ metrics, health }));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const healthy: Health = { live: () => true, ready: () => true };

// One row per behaviour of the probe endpoints.
const probes: Array<{ title: string; health: Health; path: string; status: number; body: string }> = [
  { title: "live process answers /healthz 200", health: healthy, path: "/healthz", status: 200, body: "ok" },
  { title: "stuck loops answer /healthz 503 so the kubelet restarts the pod", health: { ...healthy, live: () => false }, path: "/healthz", status: 503, body: "not live" },
  { title: "recent API server contact answers /readyz 200", health: healthy, path: "/readyz", status: 200, body: "ok" },
  { title: "no API server contact answers /readyz 503", health: { ...healthy, ready: () => false }, path: "/readyz", status: 503, body: "not ready" },
  { title: "a query string does not change the route", health: healthy, path: "/healthz?verbose=1", status: 200, body: "ok" },
  { title: "an unknown path is 404", health: healthy, path: "/nope", status: 404, body: "not found" },
  { title: "a probe that throws answers 500 with its message", health: { ...healthy, live: () => { throw new Error("clock broken"); } }, path: "/healthz", status: 500, body: "clock broken" },
];
for (const row of probes) {
  test(`http: ${row.title}`, async (t) => {
    const res = await fetch(`${await serve(t, row.health)}${row.path}`);
    t.is(res.status, row.status);
    t.is(await res.text(), row.body);
  });
}

test("http: /metrics serves the registry in the Prometheus text format", async (t) => {
  const metrics = new OperatorMetrics();
  metrics.leader.set(1);
  metrics.workersDesired.set({ namespace: "gpu", pool: "default" }, 3);
  const res = await fetch(`${await serve(t, healthy, metrics)}/metrics`);
  t.is(res.status, 200);
  t.is(res.headers.get("content-type"), metrics.registry.contentType);
  const body = await res.text();
  t.regex(body, /^genpool_leader 1$/m);
  t.regex(body, /^genpool_workers_desired\{namespace="gpu",pool="default"\} 3$/m);
  t.regex(body, /^genpool_operator_process_resident_memory_bytes \d+$/m);
});

test("http: a write method on a route is 405 with Allow, HEAD has no body", async (t) => {
  const base = await serve(t, healthy);
  const post = await fetch(`${base}/metrics`, { method: "POST" });
  t.is(post.status, 405);
  t.is(post.headers.get("allow"), "GET, HEAD");
  const head = await fetch(`${base}/healthz`, { method: "HEAD" });
  t.is(head.status, 200);
  t.is(await head.text(), "");
});
