/** The Genpool operator: wiring only. Observe (kube, queue) -> decide (scaling) -> act (kube). */
import { createServer } from "node:http";
import { loadConfig, type Config } from "./config.ts";
import { systemClock } from "./clock.ts";
import { createLogger } from "./log.ts";
import { GenerationPoolApi as Api } from "./resource/index.ts";
import { decide } from "./scaling/decide.ts";
import { initialHistory } from "./scaling/history.ts";
import { loadKubeConfig } from "./kube/client.ts";
import { PoolClient } from "./kube/pools.ts";
import { DeploymentClient } from "./kube/deployments.ts";
import { PodClient } from "./kube/pods.ts";
import { NodeClient } from "./kube/nodes.ts";
import { GpuNode } from "../cluster/contract.ts";
import { EventClient } from "./kube/events.ts";
import { LeaseClient } from "./kube/lease.ts";
import { RestartingWatch, collectionPaths } from "./kube/watch.ts";
import { connectBlockingRedis, connectRedis } from "./queue/connection.ts";
import { announceStopBy } from "./queue/stop-by.ts";
import { readQueueDemand } from "./queue/demand.ts";
import { QueueWakeups } from "./queue/wakeups.ts";
import { WorkQueue, poolKey } from "./controller/workqueue.ts";
import { PoolReconciler } from "./controller/reconcile.ts";
import { PoolMemories } from "./controller/memory.ts";
import { PoolIndex } from "./controller/index-tracker.ts";
import { LeaderElector } from "./leader/elector.ts";
import { OperatorMetrics } from "./http/metrics.ts";
import { createApp } from "./http/app.ts";

const log = createLogger();
function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    log.fatal({ err: (err as Error).message }, "Invalid configuration");
    process.exit(2);
  }
}
const config = loadConfigOrExit();
const clock = systemClock;
const kc = loadKubeConfig(config.KUBECONFIG);
const redisTarget = { host: config.REDIS_HOST, port: config.REDIS_PORT, password: config.REDIS_PASSWORD, tls: config.REDIS_TLS };
const redis = connectRedis(redisTarget, (err) => log.debug({ err: err.message }, "Redis connection error"));
const metrics = new OperatorMetrics();
const memories = new PoolMemories();
const index = new PoolIndex();
const known = new Set<string>();
const work = new WorkQueue();
let leading = false;

const wakeupBlockMs = 5_000;
const wakeups = new QueueWakeups({
  reader: connectBlockingRedis(redisTarget, wakeupBlockMs, (err) => log.debug({ err: err.message }, "Redis connection error")),
  control: redis,
  blockMs: wakeupBlockMs,
  wake: (q) => {
    for (const key of index.poolsOnQueue(q)) work.add(key, true);
  },
  // Reading resumes from the last event id by itself; queue reads report outages as conditions.
  onError: (err) => log.debug({ err: err.message }, "Queue events error"),
});

/** Matches the watched event streams to the pools; a failure is retried at the next resync. */
function syncWakeups(): void {
  wakeups.sync(index.queues()).catch((err: unknown) => log.warn({ err: String(err) }, "Queue events sync failed"));
}

// The GPU node step exists only with a cluster name: without it no AWS client is created, and the
// AWS SDK (about 60 MB of resident memory once loaded) is not even imported.
const cloud = config.EKS_CLUSTER_NAME === undefined
  ? undefined
  : (await import("./aws/aws-node-group-cloud.ts")).createAwsNodeGroupCloud({ clusterName: config.EKS_CLUSTER_NAME });

const reconciler = new PoolReconciler({
  pools: new PoolClient(kc),
  deployments: new DeploymentClient(kc),
  pods: new PodClient(kc),
  events: new EventClient(kc, config.POD_NAME),
  readDemand: (q) => readQueueDemand(redis, { queue: q.name, prefix: q.prefix, delayedLeadSeconds: config.DELAYED_LEAD_SECONDS }, clock),
  announceStopBy: (queue, pod, stopByMs) => announceStopBy(redis, { queue, pod, stopByMs, now: clock.now() }),
  decide,
  initialHistory,
  track: (key, target) => {
    if (target === undefined) known.delete(key);
    if (index.set(key, target)) syncWakeups();
  },
  memories,
  nodes: cloud === undefined ? undefined : { cloud, kube: new NodeClient(kc) },
  clock,
  log,
  metrics,
});

const watches = [
  ...collectionPaths(Api.group, Api.version, Api.plural, config.WATCH_NAMESPACES).map((path) =>
    new RestartingWatch(kc, {
      path,
      onChange: (k) => {
        const key = poolKey(k.namespace, k.name);
        known.add(key);
        work.add(key, true);
      },
      onError: (err) => log.warn({ path, err: String(err) }, "Watch ended"),
    })),
  ...collectionPaths("apps", "v1", "deployments", config.WATCH_NAMESPACES).map((path) =>
    new RestartingWatch(kc, {
      path,
      onChange: (k) => {
        for (const key of index.poolsOfDeployment(k.namespace, k.name)) work.add(key, true);
      },
      onError: (err) => log.warn({ path, err: String(err) }, "Watch ended"),
    })),
  // A GPU node turning Ready or getting a termination taint: every pool looks again.
  ...(cloud === undefined ? [] : [new RestartingWatch(kc, {
    path: "/api/v1/nodes",
    labelSelector: `${GpuNode.roleLabel}=true`,
    onChange: () => {
      for (const key of known) work.add(key, true);
    },
    onError: (err) => log.warn({ path: "/api/v1/nodes", err: String(err) }, "Watch ended"),
  })]),
];

const elector = new LeaderElector({
  store: new LeaseClient(kc, config.LEADER_ELECTION_NAMESPACE, config.LEADER_ELECTION_LEASE_NAME),
  identity: config.POD_NAME,
  clock,
  timing: { leaseDurationMs: config.LEASE_DURATION_SECONDS * 1000, retryMs: config.LEASE_RENEW_SECONDS * 1000, renewDeadlineMs: config.LEASE_DURATION_SECONDS * 1000 * 2 / 3 },
  handlers: {
    onStartedLeading: () => {
      leading = true;
      metrics.leader.set(1);
      for (const key of known) work.add(key);
    },
    onStoppedLeading: () => {
      leading = false;
      metrics.leader.set(0);
      // Another replica acts now; what this one remembered may be stale when it leads again.
      memories.clear();
    },
    onApiServerBack: () => {
      for (const w of watches) w.retryNow();
    },
  },
  log,
});

let lastLoop = clock.now();
void work.run(
  async (key) => {
    lastLoop = clock.now();
    if (!leading) return {};
    const end = metrics.reconcileDuration.startTimer();
    try {
      return await reconciler.reconcile(key);
    } finally {
      end();
    }
  },
  (key, err, retryMs) => {
    const [namespace = "", pool = ""] = key.split("/");
    metrics.reconcileErrors.inc({ namespace, pool });
    log.error({ namespace, pool, err: String(err), retryMs }, "Reconcile failed");
  },
);

const resync = setInterval(() => {
  lastLoop = clock.now();
  syncWakeups();
  for (const key of known) work.add(key);
}, config.RESYNC_SECONDS * 1000);

const app = createApp({
  metrics,
  health: {
    live: () => clock.now() - lastLoop < Math.max(config.RESYNC_SECONDS * 3000, 60_000),
    // Ready once the API server answered an election round recently (leader or standby alike).
    ready: () => clock.now() - elector.lastContact < config.LEASE_DURATION_SECONDS * 1000,
  },
});
const server = createServer(app).listen(config.METRICS_PORT, () => {
  log.info({ port: config.METRICS_PORT, identity: config.POD_NAME, namespaces: config.WATCH_NAMESPACES, eksCluster: config.EKS_CLUSTER_NAME ?? null }, "Operator started");
});

for (const w of watches) w.start();
elector.start();

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "Shutting down");
  clearInterval(resync);
  for (const w of watches) w.stop();
  work.stop();
  await elector.release().catch((err: unknown) => log.warn({ err: String(err) }, "Lease release failed"));
  await wakeups.closeAll();
  redis.disconnect();
  cloud?.close();
  server.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
