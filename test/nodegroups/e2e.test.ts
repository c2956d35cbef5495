/**
 * End to end on the sandbox: jobs in BullMQ -> the operator (EKS_CLUSTER_NAME, moto) grows the
 * worker Deployment and the GPU node groups -> the mirror turns instances into KWOK GPU nodes after
 * a boot delay -> the scheduler places the worker pods -> a real worker process per Running pod
 * (procedural backend) stores PNGs in S3 and rows in PostgreSQL -> the queue drains -> pods and
 * nodes go back to zero. Faults: a spot node interrupted mid-job, and spot capacity unavailable.
 *
 * The two tests run one after the other: each runs an operator and up to 4 worker processes.
 */
import test, { type ExecutionContext } from "ava";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { CoreV1Api } from "@kubernetes/client-node";
import { imageKey, busyHashKey, stopByKey } from "../../worker/job/keys.ts";
import type { JobData } from "../../worker/job/schema.ts";
import { podsOf, running } from "../support/gpu-workloads.ts";
import { isNodeSchedulable } from "../support/gpu-nodes.ts";
import { eventually, kubeConfig } from "../support/sandbox.ts";
import { conditionOf, replicasOf, until } from "../operator/support/operator.ts";
import { deploymentName, GpuPoolStack, poolName, type StackOptions } from "./support/stack.ts";

/** A stack for this test, closed at its end; worker output is kept for failure reports. */
async function useStack(t: ExecutionContext, options: StackOptions = {}): Promise<{ stack: GpuPoolStack; output: string[] }> {
  const output: string[] = [];
  const stack = await GpuPoolStack.start({ ...options, onWorkerOutput: (pod, line) => output.push(`${pod} ${line}`) });
  t.teardown(() => stack.close());
  return { stack, output };
}

/** Every job completed exactly once: one S3 object and one image row each, one "Job completed" log line each. */
async function assertExactlyOnce(t: ExecutionContext, stack: GpuPoolStack, jobs: JobData[], output: string[]): Promise<void> {
  const w = stack.world;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await w.s3.send(new ListObjectsV2Command({ Bucket: w.env.S3_BUCKET, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ""));
    token = page.NextContinuationToken;
  } while (token);
  t.deepEqual(keys.sort(), jobs.map((j) => imageKey(j.userId, j.category, j.imageName)).sort(), "one S3 object per job");
  const rows = await w.db.query<{ name: string; generation_id: string }>("SELECT name, generation_id FROM images");
  t.deepEqual(rows.rows.map((r) => r.name).sort(), jobs.map((j) => j.imageName).sort(), "one image row per job");
  const statuses = await w.db.query<{ status: string; n: string }>("SELECT status, count(*) AS n FROM generations GROUP BY status");
  t.deepEqual(statuses.rows.map((r) => [r.status, Number(r.n)]), [["completed", jobs.length]]);
  t.like(await stack.queue.getJobCounts("completed", "failed", "waiting", "active", "delayed"), { completed: jobs.length, failed: 0, waiting: 0, active: 0, delayed: 0 });
  const completions = new Map<string, number>();
  for (const line of output) {
    const m = /"jobId":"([^"]+)".*"msg":"Job completed"/.exec(line);
    if (m) completions.set(m[1]!, (completions.get(m[1]!) ?? 0) + 1);
  }
  t.deepEqual([...completions.entries()].filter(([, n]) => n !== 1), [], "no job completed twice");
  t.is(completions.size, jobs.length, "every job completed by a worker");
}

/** Pods, worker processes and nodes of both groups back to zero. */
async function assertBackToBase(stack: GpuPoolStack): Promise<void> {
  await until("worker Deployment back to 0", async () => (await replicasOf(stack.namespace, deploymentName)) === 0, 120_000);
  await until("no worker pods or processes", async () => (await podsOf(stack.namespace, deploymentName)).length === 0 && stack.workers.alive().length === 0, 120_000);
  for (const group of [stack.spot, stack.onDemand]) {
    await until(`${group} back to 0 in moto`, async () => (await stack.desired(group)) === 0, 90_000);
    await until(`${group} has no nodes`, async () => (await stack.mirror.nodesOf(group)).length === 0, 120_000);
  }
}

async function gpuEvents(namespace: string, reason: string): Promise<string[]> {
  const list = await kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${poolName}` });
  return list.items.filter((e) => e.reason === reason).map((e) => e.message ?? "");
}

test.serial("[integration] e2e: 40 jobs scale spot nodes out and back in; a spot node interrupted mid-job is replaced at once, its worker rescued, every job stored exactly once", async (t) => {
  t.timeout(600_000);
  const started = Date.now();
  const { stack, output } = await useStack(t, {
    maxWorkers: 4, targetBacklogPerWorker: 10, spotMaxNodes: 6, graceSeconds: 15,
    // Long enough that slow node boots on a loaded machine do not send the demand to on-demand.
    spotFallbackDelaySeconds: 120,
  });
  t.is((await stack.mirror.nodesOf(stack.spot)).length + (await stack.mirror.nodesOf(stack.onDemand)).length, 0, "no GPU nodes at first");

  const jobs = await stack.enqueue(40, { width: 768, height: 768 });
  await until("spot group grows to 4 in moto", async () => (await stack.desired(stack.spot)) === 4, 90_000);
  await until("4 spot nodes Ready", async () => (await stack.mirror.nodesOf(stack.spot)).filter(isNodeSchedulable).length === 4, 90_000);
  await until("4 worker pods Running, each with its worker process", async () =>
    running(await podsOf(stack.namespace, deploymentName)).length === 4 && stack.workers.alive().length === 4, 120_000);
  t.is(await stack.desired(stack.onDemand), 0, "spot first: on-demand does not grow");

  // A worker that holds a job right now, and its node.
  const busyKey = busyHashKey(stack.world.env.QUEUE_NAME);
  const [jobId, pod] = await eventually("a worker busy with a job", async () => Object.entries(await stack.world.redis.hgetall(busyKey))[0], 90_000);
  const node = (await podsOf(stack.namespace, deploymentName)).find((p) => p.metadata?.name === pod)?.spec?.nodeName ?? "";
  t.true(node.startsWith(stack.spot), `worker ${pod} runs on a spot node (${node})`);

  const before = (await stack.desired(stack.spot)) + (await stack.desired(stack.onDemand));
  const tainted = Date.now();
  // The notice outlasts the pods' 15 s grace, as the 120 s notice outlasts a worker's grace on AWS.
  await stack.mirror.interrupt(node, 30_000);
  await until("replacement node ordered", async () => (await stack.desired(stack.spot)) + (await stack.desired(stack.onDemand)) > before, 90_000);
  const seenMs = Date.now() - tainted;
  // Logged after the cloud call returns, so it can trail what moto shows.
  const raised = await eventually("the operator logs raising a node group after the taint", () =>
    Promise.resolve(stack.operator.lines("Raised node group size").find((l) => Number(l.time) >= tainted)), 10_000);
  t.truthy(raised, "the operator raised a node group after the taint");
  t.log(`replacement ordered ${Number(raised?.time) - tainted} ms after the spot interruption taint (operator log; seen in moto after ${seenMs} ms); node ${node}, worker ${pod} holding job ${jobId}`);

  await until("worker pod on the interrupted node deleted by the operator", async () => (await gpuEvents(stack.namespace, "RescuedWorker")).some((m) => m.includes(pod)), 90_000);
  const rescued = (await gpuEvents(stack.namespace, "RescuedWorker")).find((m) => m.includes(pod)) ?? "";
  t.regex(rescued, new RegExp(`^Deleted worker pod ${pod} on node ${node} \\(SpotInterruption\\) with a 15 s grace period: (1[01]\\d|120) s before the node goes$`));
  // The kill time the worker reads on SIGTERM: the deletion's grace from the moment of the rescue.
  const stopBy = Number(await stack.world.redis.get(stopByKey(stack.world.env.QUEUE_NAME, pod)));
  t.true(stopBy > tainted && stopBy <= Date.now() + 15_000, `announced kill time ${stopBy} is the rescue time plus the 15 s grace`);
  await until("the rescued worker process exits", () => Promise.resolve(stack.workers.exits.some((e) => e.pod === pod)), 90_000);
  t.like(stack.workers.exits.find((e) => e.pod === pod), { stop: "sigterm", result: 0 }, "stopped by SIGTERM within its grace, before the node went");

  await until("40 generations completed", async () => {
    const r = await stack.world.db.query<{ n: string }>("SELECT count(*) AS n FROM generations WHERE status = 'completed'");
    return Number(r.rows[0]?.n) === 40;
  }, 180_000);
  await assertBackToBase(stack);
  await assertExactlyOnce(t, stack, jobs, output);
  // An idle worker may still be closing when scale-in removes its (empty) node; none was killed without SIGTERM first.
  t.deepEqual(stack.workers.exits.filter((e) => e.result !== 0 && !e.terminated), [], "no worker killed without SIGTERM first");
  t.deepEqual([...stack.mirror.errors, ...stack.workers.errors], []);
  t.log(`scale out, interruption, drain and scale in took ${Math.round((Date.now() - started) / 1000)} s`);
});

test.serial("[integration] e2e: spot capacity unavailable, on-demand takes over after the fallback delay; spot recovering lets everything shrink back", async (t) => {
  t.timeout(600_000);
  const fallbackSeconds = 4;
  const { stack, output } = await useStack(t, { maxWorkers: 2, targetBacklogPerWorker: 10, spotFallbackDelaySeconds: fallbackSeconds });
  stack.mirror.setSpotUnavailable(stack.spot, true);

  const jobs = await stack.enqueue(20, { width: 512, height: 512 });
  await until("spot ordered first", async () => (await stack.desired(stack.spot)) === 2, 90_000);
  t.is(await stack.desired(stack.onDemand), 0);
  await until("on-demand grows", async () => (await stack.desired(stack.onDemand)) === 2, 90_000);
  // When the operator made each call, from its own log (polling moto would add its own delay).
  const raisedAt = (group: string): number => Number(stack.operator.lines("Raised node group size").find((l) => l.group === group)?.time);
  // The operator logs a resize after the cloud call returns, so moto can show it first.
  await until("both resizes logged", () => Promise.resolve(!Number.isNaN(raisedAt(stack.spot)) && !Number.isNaN(raisedAt(stack.onDemand))), 10_000);
  const fallbackMs = raisedAt(stack.onDemand) - raisedAt(stack.spot);
  t.log(`on-demand raised ${fallbackMs} ms after spot (fallback delay ${fallbackSeconds} s)`);
  t.true(fallbackMs >= fallbackSeconds * 1000 - 500, `on-demand raised ${fallbackMs} ms after spot: not before the fallback delay`);
  const degraded = await conditionOf(stack.namespace, poolName, "SpotDegraded");
  t.is(degraded?.status, "True");
  t.true(degraded?.message?.includes(stack.spot) === true, degraded?.message);

  await until("worker pods Running on on-demand nodes", async () => {
    const pods = running(await podsOf(stack.namespace, deploymentName));
    return pods.length === 2 && pods.every((p) => p.spec?.nodeName?.startsWith(stack.onDemand) === true);
  }, 90_000);
  await until("20 generations completed", async () => {
    const r = await stack.world.db.query<{ n: string }>("SELECT count(*) AS n FROM generations WHERE status = 'completed'");
    return Number(r.rows[0]?.n) === 20;
  }, 120_000);
  t.is((await stack.mirror.nodesOf(stack.spot)).length, 0, "no spot node ever joined");

  // Spot comes back: its outstanding instances join, stay empty, and every group shrinks to zero.
  stack.mirror.setSpotUnavailable(stack.spot, false);
  await assertBackToBase(stack);
  await assertExactlyOnce(t, stack, jobs, output);
  t.deepEqual([...stack.mirror.errors, ...stack.workers.errors], []);
});
