import test from "ava";
import { stopByKey } from "./job/keys.ts";
import { enqueueGeneration, eventually, exited, spawnWorker, useWorkerContext } from "./test-support.ts";

test("[integration] SIGTERM after the operator announced an early kill time: the job is handed back before it, not after the pod's own grace", async (t) => {
  const { world, queue, fake } = await useWorkerContext(t);
  fake.scenario.ending = { kind: "hang" };
  // The pod's own grace would let the job run for 59 s; the announced kill time leaves 3 s.
  const worker = spawnWorker(world, { BACKEND: "invokeai", INVOKEAI_URL: fake.url, GRACE_PERIOD_SECONDS: "60", HANDOVER_RESERVE_SECONDS: "1", LOCK_DURATION_MS: "30000", POD_NAME: "worker-rescued" });
  t.teardown(() => void worker.kill("SIGKILL"));
  const job = await enqueueGeneration(world, queue, {}, 3);
  await eventually(() => fake.listItems().some((i) => i.status === "in_progress"), 20_000, "in progress");

  await world.redis.set(stopByKey(world.env.QUEUE_NAME, "worker-rescued"), String(Date.now() + 3000), "PX", 60_000);
  const sent = Date.now();
  worker.kill("SIGTERM");
  t.is(await exited(worker), 0, worker.output());
  const tookMs = Date.now() - sent;
  t.log(`handed back ${tookMs} ms after SIGTERM`);
  t.true(tookMs < 20_000, `took ${tookMs} ms: the announced kill time was ignored`);
  t.regex(worker.output(), /"announcedStopBy":\d+/);
  t.deepEqual(fake.listItems().map((i) => i.status), ["canceled"]);
  const bullJob = await queue.getJob(job.generationId);
  t.is(await bullJob!.getState(), "waiting", "back in the queue without waiting for stall detection");
});
