import { createServer } from "node:net";
import test from "ava";
import { Queue } from "bullmq";
import { createWorld } from "../api/test-support.ts";
import { enqueueGeneration, eventually, exited, generation, spawnWorker } from "./test-support.ts";

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const get = async (port: number, path: string): Promise<{ status: number; body: string }> => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
};

test("[integration] worker probes: ready once it takes jobs, metrics count finished jobs, not ready while stopping", async (t) => {
  const world = await createWorld();
  const queue = new Queue(world.env.QUEUE_NAME, { connection: { host: world.env.REDIS_HOST, port: world.env.REDIS_PORT, password: world.env.REDIS_PASSWORD } });
  t.teardown(async () => {
    await queue.close();
    await world.cleanup();
  });
  const port = await freePort();
  const worker = spawnWorker(world, { BACKEND: "procedural", HEALTH_PORT: String(port), GRACE_PERIOD_SECONDS: "20" });
  t.teardown(() => void worker.kill("SIGKILL"));

  await eventually(() => get(port, "/readyz").then((r) => r.status === 200, () => false), 30_000, "ready");
  t.is((await get(port, "/healthz")).status, 200);
  t.is((await get(port, "/nope")).status, 404);

  const jobs = [await enqueueGeneration(world, queue), await enqueueGeneration(world, queue, { seed: 8 })];
  for (const job of jobs) await eventually(async () => (await generation(world, job.generationId)).status === "completed", 30_000, "completed");
  const metrics = await eventually(async () => {
    const body = (await get(port, "/metrics")).body;
    return /genpool_worker_jobs_total\{outcome="completed"\} 2/.test(body) ? body : null;
  }, 10_000, "two completed jobs in /metrics");
  t.regex(metrics, /genpool_worker_job_duration_seconds_count 2/);
  t.regex(metrics, /genpool_worker_queue_wait_seconds_count 2/);
  t.notRegex(metrics, /outcome="failed"\} [1-9]/);

  // SIGTERM: the probe stops answering ready (or the server is already closed) and the worker exits cleanly.
  worker.kill("SIGTERM");
  const stopping = await eventually(() => get(port, "/readyz").then((r) => (r.status === 503 ? r : null), () => ({ status: 0, body: "closed" })), 10_000, "not ready");
  t.true(stopping.status === 503 || stopping.body === "closed", JSON.stringify(stopping));
  t.is(await exited(worker), 0, worker.output());
});
