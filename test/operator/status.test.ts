import test from "ava";
import { buildStatus, statusChanged, type StatusInput } from "../../operator/controller/status.ts";
import { parseGenerationPool } from "../../operator/resource/index.ts";
import { decide, initialHistory } from "../../operator/scaling/index.ts";
import type { QueueDemand } from "../../operator/queue/demand.ts";

const pool = parseGenerationPool({
  apiVersion: "genpool.io/v1alpha1",
  kind: "GenerationPool",
  metadata: { name: "p", namespace: "ns", generation: 3 },
  spec: { queue: { name: "q" }, workload: { deploymentName: "w" }, replicas: { min: 1, max: 10 } },
});
const queue = (waiting: number, oldest: number): QueueDemand => ({ waiting, prioritized: 0, active: 0, delayedSoon: 0, delayedTotal: 0, paused: false, oldestWaitingSeconds: oldest, activeJobs: [] });

function input(now: number, q: QueueDemand | undefined, previous = pool): StatusInput {
  const decision = decide({ spec: pool.spec, queue: q, workers: { current: 2, ready: 2, busy: 0 }, idleSince: null, history: initialHistory(2, now), now });
  return { pool: previous, queue: q, queueError: q === undefined ? "connect ECONNREFUSED" : undefined, current: 2, ready: 2, busy: 0, decision, lastScaleTime: undefined, now };
}

test("a steady pool does not rewrite its status (rounded ages, decision time kept)", (t) => {
  const first = buildStatus(input(1_000_000, queue(10, 12.2)));
  const again = buildStatus(input(1_007_000, queue(10, 12.4), { ...pool, status: first }));
  t.false(statusChanged(first, again));
  t.is(again.observedGeneration, 3);
});

test("an unreachable queue flips QueueReachable and Ready, keeps the last queue figures", (t) => {
  const first = buildStatus(input(1_000_000, queue(10, 1)));
  const down = buildStatus(input(1_060_000, undefined, { ...pool, status: first }));
  t.true(statusChanged(first, down));
  const cond = (type: string) => down.conditions?.find((c) => c.type === type);
  t.like(cond("QueueReachable"), { status: "False", reason: "RedisUnavailable", lastTransitionTime: "1970-01-01T00:17:40Z" });
  t.like(cond("Ready"), { status: "False", reason: "QueueUnreachable" });
  t.is(cond("Paused")?.lastTransitionTime, "1970-01-01T00:16:40Z", "an unchanged condition keeps its transition time");
  t.deepEqual(down.queue, first.queue);
});

test("a held scale-down sets ScalingLimited with the reason, and lifting it clears the condition", (t) => {
  const first = buildStatus(input(1_000_000, queue(10, 1)));
  const held = buildStatus({ ...input(1_001_000, queue(0, 0), { ...pool, status: first }), held: "busy pods not ready (w-1)" });
  const limited = held.conditions?.find((c) => c.type === "ScalingLimited");
  t.like(limited, { status: "True", reason: "ScaleDownHeld" });
  t.regex(limited?.message ?? "", /^Decided \d+, keeping 2: busy pods not ready \(w-1\)$/);
  const lifted = buildStatus(input(1_002_000, queue(0, 0), { ...pool, status: held }));
  t.not(lifted.conditions?.find((c) => c.type === "ScalingLimited")?.reason, "ScaleDownHeld");
});
