import test from "ava";
import { eventually } from "../../worker/test-support.ts";
import { jobOf } from "./support/busy.ts";
import { runFault } from "./support/scenario.ts";

test("[integration] PostgreSQL restarts under load: requests during the outage are refused, every accepted generation completes once", async (t) => {
  const run = await runFault(t, {
    fault: "PostgreSQL fast shutdown + restart",
    perSecond: 2,
    afterSeconds: 6,
    inject: async (stack) => {
      await eventually(() => jobOf(stack, stack.workers[0]!.pod), 30_000, "a worker busy");
      const downMs = await stack.postgres.restart(2000);
      return `postgres stopped (SIGINT, every connection cut) while workers ran jobs, back after ${(downMs / 1000).toFixed(1)} s`;
    },
  });
  const refused = Object.entries(run.stream.outcomes).filter(([k]) => k !== "202");
  t.true(refused.length > 0, `some requests were refused while PostgreSQL was down: ${JSON.stringify(run.stream.outcomes)}`);
  t.deepEqual(refused.map(([k]) => k), ["503"], `refused requests get 503 (retry later), not 500: ${JSON.stringify(run.stream.outcomes)} ${run.stream.samples.join(" | ")}`);
  t.true(run.stack.workers.every((w) => w.child.exitCode === null), "workers survive the outage");
});
