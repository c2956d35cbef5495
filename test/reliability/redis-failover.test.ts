import test from "ava";
import { eventually } from "../../worker/test-support.ts";
import { jobOf } from "./support/busy.ts";
import { runFault } from "./support/scenario.ts";
import type { Failover } from "./support/services.ts";

test("[integration] Redis fails over to a replica that missed acknowledged writes: the API adds the lost jobs again, every accepted generation completes once", async (t) => {
  let failover: Failover = { lostBytes: 0, switchMs: 0 };
  let lost: string[] = [];
  const run = await runFault(t, {
    fault: "Redis failover to a lagging replica",
    // 1.5 s a job on 2 workers against 2 POSTs a second: a backlog waits in Redis when it fails over.
    stack: { redis: "replicated", recovery: { intervalSeconds: 1, minAgeSeconds: 3 }, scenario: { runningPolls: 15 } },
    perSecond: 2,
    afterSeconds: 6,
    inject: async (stack, stream) => {
      await eventually(() => jobOf(stack, stack.workers[0]!.pod), 30_000, "a worker busy");
      failover = await stack.replicated!.failover(2500);
      // What the new primary does not know of, among the generations accepted so far, was lost.
      const states = await Promise.all(stream.accepted.map(async (a) => ({ id: a.id, state: await stack.queue.getJobState(a.id) })));
      lost = states.filter((s) => s.state === "unknown").map((s) => s.id);
      return `${lost.length} of ${stream.accepted.length} accepted jobs gone after the failover: replica cut off for 2.5 s while the primary acknowledged writes (${failover.lostBytes} bytes never replicated), primary SIGKILLed, replica promoted and the endpoint moved in ${failover.switchMs} ms; the API's recovery sweep (RECOVERY_INTERVAL_SECONDS 1, RECOVERY_MIN_AGE_SECONDS 3) added back those still queued`;
    },
    lostByRedis: () => new Set(lost),
  });
  t.true(failover.lostBytes > 0, "the primary acknowledged writes the replica never received");
  t.true(lost.length > 0, `the failover lost accepted jobs: ${lost.length}`);
  t.true(run.stack.recovery.readded > 0, `the sweep added back ${run.stack.recovery.readded} of the ${lost.length} lost job(s) (the others were running in a worker, which completed them)`);
  t.true(run.stack.workers.every((w) => w.child.exitCode === null), "workers reconnected to the new primary");
});
