import test from "ava";
import { eventually } from "../../worker/test-support.ts";
import { jobOf } from "./support/busy.ts";
import { runFault } from "./support/scenario.ts";

test("[integration] Redis (AOF on) crashes and restarts under load: the API refuses while it is down, every accepted generation completes once", async (t) => {
  let backlog = 0;
  const run = await runFault(t, {
    fault: "Redis SIGKILL + restart (AOF, appendfsync everysec)",
    perSecond: 2,
    afterSeconds: 6,
    inject: async (stack) => {
      await eventually(() => jobOf(stack, stack.workers[0]!.pod), 30_000, "a worker busy");
      const counts = await stack.queue.getJobCounts("wait", "active", "delayed");
      backlog = counts.wait! + counts.active! + counts.delayed!;
      const downMs = await stack.redis.restart("SIGKILL", 2000);
      return `redis-server SIGKILLed with ${backlog} job(s) waiting or active, back after ${(downMs / 1000).toFixed(1)} s on the same AOF`;
    },
  });
  t.true(backlog > 0, "the crash hit a non-empty queue");
  t.true((run.stream.outcomes["503"] ?? 0) > 0, `the API answered 503 while Redis was down: ${JSON.stringify(run.stream.outcomes)}`);
  t.true(run.stack.workers.every((w) => w.child.exitCode === null), "workers waited the outage out");
});
