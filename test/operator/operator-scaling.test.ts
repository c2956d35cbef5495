import test from "ava";
import { Queue, Worker } from "bullmq";
import { setTimeout as sleep } from "node:timers/promises";
import { Watch } from "@kubernetes/client-node";
import { kubeConfig, sandboxEnv } from "../support/sandbox.ts";
import { podsOf, running } from "../support/gpu-workloads.ts";
import { replicasOf, scaleEvents, until, useOperator } from "./support/operator.ts";
import { usePoolFixture } from "./support/fixtures.ts";
import { busyHashKey } from "../../worker/job/keys.ts";

test("[integration] scales out on a burst, drains, returns to min and never deletes a busy worker's pod", async (t) => {
  t.timeout(180_000);
  const env = sandboxEnv();
  const fx = await usePoolFixture(t);
  const connection = { host: env.REDIS_HOST, port: env.REDIS_PORT };
  const queue = new Queue(fx.queue, { connection });
  t.teardown(() => queue.close());
  const op = await useOperator(t, { namespace: fx.namespace, redisHost: env.REDIS_HOST, redisPort: env.REDIS_PORT, podName: "operator-a" });

  await until("pool status written", async () => (await replicasOf(fx.namespace, fx.deployment)) === 1);

  // 50 jobs at 5 per worker: 10 workers. The last 3 jobs run long so a scale-down happens while they run.
  const jobs = Array.from({ length: 50 }, (_, i) => ({ name: "gen", data: { ms: i >= 47 ? 9_000 : 400 } }));
  await queue.addBulk(jobs);
  await until("10 replicas", async () => (await replicasOf(fx.namespace, fx.deployment)) === 10, 45_000);
  await until("10 pods Running on fake GPU nodes", async () => {
    const pods = running(await podsOf(fx.namespace, fx.deployment));
    return pods.length === 10 && pods.every((p) => p.spec?.nodeName?.startsWith(fx.nodegroup) === true);
  }, 60_000);

  // Track which pods run a job, and every pod deletion the ReplicaSet makes.
  const busy = new Set<string>();
  const busyWhenDeleted: string[] = [];
  const deleted = new Set<string>();
  const finishedWhileAlive: string[] = [];
  const longJobPods = new Set<string>();
  const abort = await new Watch(kubeConfig()).watch(
    `/api/v1/namespaces/${fx.namespace}/pods`,
    {},
    (phase, pod: { metadata?: { name?: string; deletionTimestamp?: string } }) => {
      const name = pod.metadata?.name ?? "";
      if ((phase === "DELETED" || pod.metadata?.deletionTimestamp !== undefined) && !deleted.has(name)) {
        deleted.add(name);
        if (busy.has(name)) busyWhenDeleted.push(name);
      }
    },
    () => undefined,
  );
  t.teardown(() => abort.abort());

  // One BullMQ worker per pod, named after it and registering the job it runs, as a worker pod
  // does (POD_NAME; docs/API.md "Worker registration").
  const registry = await queue.client;
  const pods = running(await podsOf(fx.namespace, fx.deployment)).map((p) => p.metadata!.name!);
  const workers = pods.map((pod) => new Worker(fx.queue, async (job) => {
    busy.add(pod);
    await registry.hset(busyHashKey(fx.queue), { [job.id!]: pod });
    if ((job.data as { ms: number }).ms > 1_000) longJobPods.add(pod);
    await sleep((job.data as { ms: number }).ms);
    busy.delete(pod);
    await registry.hdel(busyHashKey(fx.queue), job.id!);
    if (!deleted.has(pod)) finishedWhileAlive.push(pod);
  }, { connection, name: pod, concurrency: 1 }));
  t.teardown(() => Promise.all(workers.map((w) => w.close(true))));

  await until("queue drained", async () => (await queue.getJobCountByTypes("waiting", "active", "prioritized")) === 0, 60_000);
  await until("back to min (1)", async () => (await replicasOf(fx.namespace, fx.deployment)) === 1, 30_000);
  await until("pods gone", async () => (await podsOf(fx.namespace, fx.deployment)).length === 1, 30_000);

  t.deepEqual(busyWhenDeleted, [], "a pod was deleted while its worker ran a job");
  t.is(longJobPods.size, 3);
  for (const pod of longJobPods) t.true(finishedWhileAlive.includes(pod), `${pod} was deleted before its long job finished`);
  t.true(deleted.size >= 9, `expected 9 deleted pods, saw ${deleted.size}`);
  // Events are written after the scale patches: wait for the last one rather than racing it.
  await until("the scale-down event", async () => (await scaleEvents(fx.namespace, fx.pool)).some((e) => e.reason === "ScaledDown"), 15_000);
  const events = await scaleEvents(fx.namespace, fx.pool);
  t.true(events.some((e) => e.reason === "ScaledUp" && /from 1 to 10/.test(e.message)), JSON.stringify(events));
  t.true(events.some((e) => e.reason === "ScaledDown"), JSON.stringify(events));
  // The long jobs held their pods while the rest scaled in: an intermediate step above min.
  const downs = op.lines("Scaled worker Deployment").filter((l) => (l.to as number) < (l.from as number));
  t.true(downs.some((l) => (l.to as number) >= 3 && (l.to as number) < 10), JSON.stringify(downs));
  const metrics = await op.metrics();
  t.regex(metrics, /genpool_scale_actions_total\{namespace="[^"]+",pool="pool",direction="up"\} 1/);
  t.regex(metrics, /genpool_reconcile_duration_seconds_count \d+/);
});
