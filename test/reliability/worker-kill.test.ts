import test from "ava";
import { busyHashKey } from "../../worker/job/keys.ts";
import { eventually } from "../../worker/test-support.ts";
import { runFault } from "./support/scenario.ts";
import type { Stack } from "./support/stack.ts";

/** The job a worker is running right now, from the busy hash the worker keeps. */
async function jobOf(stack: Stack, pod: string): Promise<string | null> {
  const busy = await stack.world.redis.hgetall(busyHashKey(stack.world.env.QUEUE_NAME));
  return Object.entries(busy).find(([, p]) => p === pod)?.[0] ?? null;
}

test("[integration] worker SIGKILLed mid-job under load: its job is re-delivered, every accepted generation completes once", async (t) => {
  let killedJob = "";
  const run = await runFault(t, {
    fault: "worker SIGKILL mid-job",
    perSecond: 3,
    inject: async (stack) => {
      const victim = stack.workers[0]!;
      killedJob = await eventually(() => jobOf(stack, victim.pod), 30_000, "the worker to be busy");
      victim.child.kill("SIGKILL");
      await victim.exited;
      stack.addWorker(); // the pod's container restarts
      return `SIGKILL to 1 of 2 workers while it ran a job; a replacement starts at once (LOCK_DURATION_MS 2000)`;
    },
  });
  const killed = await run.stack.world.db.query<{ status: string; attempts: number }>("SELECT status, attempts FROM generations WHERE id = $1", [killedJob]);
  t.is(killed.rows[0]?.status, "completed", `the job the killed worker held (${killedJob}) completes`);
  t.true((killed.rows[0]?.attempts ?? 0) >= 2, "it was taken up again after the kill");
});
