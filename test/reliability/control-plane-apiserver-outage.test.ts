import test from "ava";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue, Worker } from "bullmq";
import { AppsV1Api, Watch, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { busyHashKey } from "../../worker/job/keys.ts";

const deletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost";
import { gpuDeploymentManifest, podsOf, running } from "../support/gpu-workloads.ts";
import { eventually } from "../support/sandbox.ts";
import { RedisServer } from "../operator/support/redis-server.ts";
import { PrivateControlPlane } from "./support/control-plane.ts";
import { replicasOf, useOperator, type OperatorProcess } from "../operator/support/operator.ts";
import { createPoolOn, createPrivatePool, podAlive, readPool } from "./support/control-plane-cluster.ts";
import { countByMessage, counterTotal, linesBetween, scaleDowns } from "./support/control-plane-logs.ts";

/** Length of the API server outage. */
const outageMs = 30_000;
/** Scale-down stabilization window of the pool: shorter than the outage, so stale memory would scale in at once. */
const windowSeconds = 20;
/** Short jobs added during the outage: hundreds of queue events while the API server is away. */
const burstJobs = 300;

/**
 * Pod deletions seen on the private API server, with a watch that reopens after the outage
 * (deletions need the API server, so none can happen while it is down).
 */
function watchPodDeletions(kc: KubeConfig, namespace: string, onDeleting: (pod: string, detail: { cost: string | undefined; ready: string | undefined; node: string | undefined }) => void): () => void {
  let stopped = false;
  let abort: AbortController | undefined;
  const open = async (): Promise<void> => {
    if (stopped) return;
    abort = await new Watch(kc).watch(`/api/v1/namespaces/${namespace}/pods`, {}, (phase, pod: V1Pod) => {
      if (phase !== "DELETED" && pod.metadata?.deletionTimestamp === undefined) return;
      const ready = pod.status?.conditions?.find((c) => c.type === "Ready")?.status;
      onDeleting(pod.metadata?.name ?? "", { cost: pod.metadata?.annotations?.[deletionCostAnnotation], ready, node: pod.spec?.nodeName });
    }, () => void sleep(500).then(open));
  };
  void open();
  return () => {
    stopped = true;
    abort?.abort();
  };
}

/**
 * Stops the API server for `outageMs`, polling the operator's readiness through it (its own HTTP
 * server stays up). Early in it, while the operator still leads, a burst of short jobs makes a
 * burst of queue events: each one wakes the pool, whose reconcile cannot reach the API server.
 */
async function outage(cp: PrivateControlPlane, op: OperatorProcess, queue: Queue): Promise<{ stoppedAt: number; notReadyAt: number | undefined }> {
  const stoppedAt = await cp.stopApiServer();
  let notReadyAt: number | undefined;
  let burst = false;
  while (Date.now() - stoppedAt < outageMs) {
    if (!burst && Date.now() - stoppedAt > 2_000) {
      burst = true;
      await queue.addBulk(Array.from({ length: burstJobs }, () => ({ name: "gen", data: { ms: 10 }, opts: { lifo: true } })));
    }
    if (notReadyAt === undefined && (await op.probe("/readyz")) === 503) notReadyAt = Date.now();
    await sleep(250);
  }
  return { stoppedAt, notReadyAt };
}

/** Time of the first "Leadership changed" line with this value after `since`. */
function leadershipChange(op: OperatorProcess, leading: boolean, since: number): number | undefined {
  return op.lines("Leadership changed").find((l) => l.leading === leading && (l.time as number) > since)?.time as number | undefined;
}

const after = (at: number | undefined, from: number): string => (at === undefined ? "never" : `${at - from} ms`);

test("[integration] kube-apiserver down for 30 s: the operator backs off, recovers, scales in only a full window after it sees again, and never deletes a busy pod", async (t) => {
  t.timeout(420_000);
  const cp = await PrivateControlPlane.start();
  t.teardown(() => cp.down());
  const redis = await RedisServer.start();
  t.teardown(() => redis.stop());
  const kc = cp.kubeConfig();
  const fx = await createPrivatePool(cp, {
    queue: "faults-q",
    gpuNodes: 3,
    spec: (deployment, queue) => ({
      queue: { name: queue },
      workload: { deploymentName: deployment },
      replicas: { min: 1, max: 10 },
      targetBacklogPerWorker: 5,
      scaleUp: { stabilizationSeconds: 0, maxStepWorkers: 20, stepPeriodSeconds: 1 },
      scaleDown: { stabilizationSeconds: windowSeconds, maxStepWorkers: 20, stepPeriodSeconds: 1, scaleToZeroDelaySeconds: 0 },
    }),
  });
  const connection = { host: redis.host, port: redis.port };
  const queue = new Queue(fx.queue, { connection });
  t.teardown(() => queue.close());
  const op = await useOperator(t, { kubeconfig: cp.kubeconfig, namespace: fx.namespace, redisHost: redis.host, redisPort: redis.port, podName: "operator-a" });

  // 3 long jobs first (they outlive the outage and the window), then 47 of 5 s: 10 workers.
  await queue.addBulk([
    ...Array.from({ length: 3 }, () => ({ name: "gen", data: { ms: 100_000 } })),
    ...Array.from({ length: 47 }, () => ({ name: "gen", data: { ms: 5_000 } })),
  ]);
  await eventually("10 replicas", async () => ((await replicasOf(fx.namespace, fx.deployment, kc)) === 10 ? true : undefined), 60_000);
  const pods = await eventually("10 pods Running", async () => {
    const runningPods = running(await podsOf(fx.namespace, fx.deployment, kc));
    return runningPods.length === 10 ? runningPods.map((p) => p.metadata!.name!) : undefined;
  }, 90_000);

  // One BullMQ worker per pod, named after it and registering its job, as a worker pod does.
  const busy = new Set<string>();
  const busyWhenDeleted = new Set<string>();
  const deletions: Array<{ pod: string; at: number; busy: boolean }> = [];
  const stopWatch = watchPodDeletions(kc, fx.namespace, (pod, detail) => {
    if (!deletions.some((d) => d.pod === pod)) deletions.push({ pod, at: Date.now(), busy: busy.has(pod), ...detail });
    if (busy.has(pod)) busyWhenDeleted.add(pod);
  });
  t.teardown(stopWatch);
  const longJobs: Array<{ pod: string; aliveAtEnd: boolean; endedAt: number }> = [];
  const registry = await queue.client;
  const workers = pods.map((pod) => new Worker(fx.queue, async (job) => {
    const { ms } = job.data as { ms: number };
    busy.add(pod);
    await registry.hset(busyHashKey(fx.queue), { [job.id!]: pod });
    await sleep(ms);
    // Long jobs end after the API server is back: the pod must still be there.
    if (ms > 60_000) longJobs.push({ pod, aliveAtEnd: await podAlive(kc, fx.namespace, pod), endedAt: Date.now() });
    await registry.hdel(busyHashKey(fx.queue), job.id!);
    busy.delete(pod);
  }, { connection, name: pod, concurrency: 1 }));
  t.teardown(() => Promise.all(workers.map((w) => w.close(true))));
  await eventually("every worker busy", () => Promise.resolve(busy.size === 10 ? true : undefined), 30_000);

  const errorsBefore = counterTotal(await op.metrics(), "genpool_reconcile_errors_total");
  const before = await readPool(kc, fx.namespace, fx.pool);
  t.is(before.status.replicas?.desired, 10);

  const { stoppedAt, notReadyAt } = await outage(cp, op, queue);
  const restartAt = Date.now();
  const outageLines = linesBetween(op.logs, stoppedAt, restartAt);
  const errorsDuring = counterTotal(await op.metrics(), "genpool_reconcile_errors_total") - errorsBefore;
  const apiReadyAt = await cp.startApiServer();

  // Recovery: ready again, the status written again, and the watch serving a pool created now.
  const readyAgainAt = await eventually("operator ready again", async () => ((await op.probe("/readyz")) === 200 ? Date.now() : undefined), 60_000);
  const statusAgainAt = await eventually("status written again", async () => ((await readPool(kc, fx.namespace, fx.pool)).resourceVersion !== before.resourceVersion ? Date.now() : undefined), 60_000);
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: fx.namespace, body: gpuDeploymentManifest({ namespace: fx.namespace, name: "late-workers", replicas: 1, nodegroup: fx.nodegroup }) });
  const lateCreatedAt = Date.now();
  await createPoolOn(kc, fx.namespace, "late", { queue: { name: "faults-late" }, workload: { deploymentName: "late-workers" }, replicas: { min: 1, max: 1 } });
  // Only the pool watch tells the operator about a new pool (the resync walks known pools only).
  const lateSeenAt = await eventually("the pool created after the outage reconciled", async () => ((await readPool(kc, fx.namespace, "late")).status.observedGeneration === 1 ? Date.now() : undefined), 45_000);

  // The queue drained during the outage; the pool comes down a window later, to the 3 busy workers
  // (the operator deletes the idle pods itself, whatever their readiness), then to min.
  await eventually("a scale-in", () => Promise.resolve(scaleDowns(op.logs).length > 0 ? true : undefined), 120_000);
  await eventually("long jobs done", () => Promise.resolve(longJobs.length === 3 ? true : undefined), 120_000);
  await eventually("back to min (1)", async () => ((await replicasOf(fx.namespace, fx.deployment, kc)) === 1 ? true : undefined), 90_000);
  // The log line follows the scale patch: wait for it rather than racing it.
  await eventually("the scale-in to min logged", () => Promise.resolve(scaleDowns(op.logs).some((d) => d.to === 1) ? true : undefined), 15_000);

  const counts = countByMessage(outageLines);
  const lostAt = leadershipChange(op, false, stoppedAt);
  const regainedAt = leadershipChange(op, true, stoppedAt) ?? Number.NaN;
  const downs = scaleDowns(op.logs);
  t.log(`outage ${restartAt - stoppedAt} ms; log lines during it: ${JSON.stringify(counts)}; reconcile errors +${errorsDuring}`);
  t.log(`readyz 503 after ${after(notReadyAt, stoppedAt)} of outage; API server restart took ${apiReadyAt - restartAt} ms`);
  t.log(`after the API server was ready: operator ready in ${readyAgainAt - apiReadyAt} ms, status written in ${statusAgainAt - apiReadyAt} ms, new pool reconciled ${lateSeenAt - lateCreatedAt} ms after its creation`);
  t.log(`deletions: ${JSON.stringify(deletions.map((d) => ({ ...d, at: d.at - apiReadyAt })))}`);
  t.log(`long jobs: ${JSON.stringify(longJobs.map((j) => ({ ...j, endedAt: j.endedAt - apiReadyAt })))}`);
  t.log(`reconciles that held a scale-down: while a busy pod was not ready ${op.lines("Scale-down held: a busy pod is not ready").length}, for want of an idle pod ${op.lines("Scale-down held: no idle pod to remove").length}`);
  t.log(`scale-downs: ${JSON.stringify(downs.map((d) => ({ afterApiReadyMs: d.at - apiReadyAt, from: d.from, to: d.to })))}`);

  // Backoff, not a hot loop: each watch waits 1 s doubling to 8 s between failures (2 watches,
  // at most 8 failures each in 30 s), election rounds come every 2 s, and a failing reconcile
  // backs off from 200 ms doubling. A retry loop without delay writes thousands of lines in 30 s.
  const seconds = outageMs / 1000;
  t.true((counts["Watch ended"] ?? 0) <= 2 * 8, JSON.stringify(counts));
  t.true((counts["Leader election round failed"] ?? 0) <= seconds / 2 + 2, JSON.stringify(counts));
  t.true((counts["Reconcile failed"] ?? 0) <= 10, JSON.stringify(counts));
  t.true(errorsDuring <= 10, `reconcile errors during the outage: ${errorsDuring}`);
  t.true(outageLines.length <= 4 * seconds, `${outageLines.length} log lines during the outage: ${JSON.stringify(counts)}`);
  // Readiness follows the API server contact (docs/OPERATOR.md): not ready during a long outage.
  t.not(notReadyAt, undefined, "/readyz stayed 200 through a 30 s API server outage");

  // No scale-in before a full window of observations made after the outage. The leader gave up
  // the lead during the outage (renew deadline 10 s), forgetting its history; it starts again
  // from the current size when it leads again, and the API server process did not even run
  // before restartAt.
  t.false(Number.isNaN(regainedAt), "the operator did not lose and regain the lead through a 30 s outage");
  t.log(`lead lost ${after(lostAt, stoppedAt)} into the outage, regained ${regainedAt - apiReadyAt} ms after the API server was ready`);
  t.true(downs.length > 0);
  for (const d of downs) {
    t.true(d.at - regainedAt >= windowSeconds * 1000, `scaled in ${d.at - regainedAt} ms after leading again: ${JSON.stringify(d)}`);
    t.true(d.at - restartAt >= windowSeconds * 1000, `scaled in ${d.at - restartAt} ms after the API server was started again: ${JSON.stringify(d)}`);
  }
  // While the long jobs ran, never below their 3 workers; their pods were never deleted.
  for (const d of downs) {
    const running = longJobs.filter((j) => j.endedAt > d.at).length;
    t.true(d.to >= running, `scaled to ${d.to} while ${running} long jobs ran`);
  }
  t.deepEqual([...busyWhenDeleted], [], "a pod was deleted while its worker ran a job");
  t.deepEqual(longJobs.map((j) => j.aliveAtEnd), [true, true, true]);
});
