import test from "ava";
import { eventually } from "../../worker/test-support.ts";
import { fastSpec, usePoolFixture } from "../operator/support/fixtures.ts";
import { replicasOf, useOperator } from "../operator/support/operator.ts";
import { audit, settle } from "./support/audit.ts";
import { PodBridge } from "./support/pod-bridge.ts";
import { assertExactlyOnce, record } from "./support/report.ts";
import { startStack } from "./support/stack.ts";
import { Stream } from "./support/stream.ts";

const seconds = Number(process.env.LOAD_OPERATOR_SECONDS ?? 30);

test("[integration] load with the operator scaling the worker Deployment: pods become worker processes, the backlog scales them out and back in, nothing lost", async (t) => {
  t.timeout(seconds * 1000 + 480_000);
  const stack = await startStack({ workers: 0, scenario: { pendingPolls: 0, runningPolls: 10 }, workerEnv: { POLL_INTERVAL_MS: "100", GRACE_PERIOD_SECONDS: "20" } });
  t.teardown(() => stack.close());
  const queue = stack.world.env.QUEUE_NAME;
  const fx = await usePoolFixture(t, { gpuNodes: 1, replicas: 1, spec: (deployment) => fastSpec(deployment, queue, { replicas: { min: 1, max: 4 } }) });
  const bridge = new PodBridge(stack, fx.namespace, fx.deployment).start();
  t.teardown(() => bridge.stop());
  await useOperator(t, { namespace: fx.namespace, redisHost: "127.0.0.1", redisPort: stack.redis.port, podName: "rel-operator", resyncSeconds: 5 });
  await eventually(async () => (await stack.queue.getWorkers()).length >= 1, 120_000, "the first pod's worker to connect");

  // A job takes about 1 s (10 polls of 100 ms), so one worker cannot keep up with 4 POST/s and
  // the backlog passes the target of 5 per worker: the operator must scale out.
  const stream = new Stream({ api: stack.api, tokens: stack.tokens, perSecond: 4 }).start();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const result = await stream.stop();
  const stores = { db: stack.world.db, s3: stack.world.s3, bucket: stack.world.env.S3_BUCKET, queue: stack.queue };
  const settled = await settle(stores, result.accepted, 180_000);
  const a = await audit(stores, result.accepted);
  const peak = bridge.peak;
  record(t, { fault: "load with the operator scaling the Deployment", stream: result, audit: a, detail: `${seconds} s at 4 POST/s; pool min 1, max 4, target backlog 5 per worker; worker processes peaked at ${peak}` });
  assertExactlyOnce(t, a, settled ? "" : `(not settled)\n${stack.workerLogs()}`);
  t.true(peak > 1, `the operator scaled the Deployment out and more worker processes ran (peak ${peak})`);
  await eventually(async () => (await replicasOf(fx.namespace, fx.deployment)) === 1 && bridge.size === 1, 120_000, "scale-in to the pool minimum after the drain");
  await eventually(() => bridge.terminated.length >= peak - 1, 60_000, "the scaled-in workers to exit");
  t.true(bridge.terminated.every((x) => x.code === 0), `scaled-in workers exit 0 after SIGTERM: ${JSON.stringify(bridge.terminated)}`);
});
