import test from "ava";
import { eventually } from "../../worker/test-support.ts";
import { generationRow, midJob } from "./support/busy.ts";
import { runFault } from "./support/scenario.ts";

test("[integration] worker SIGKILLed mid-job under load: its job is re-delivered, every accepted generation completes once", async (t) => {
  let killedJob = "";
  const run = await runFault(t, {
    fault: "worker SIGKILL mid-job",
    perSecond: 2,
    inject: async (stack) => {
      const victim = stack.workers[0]!;
      killedJob = await eventually(() => midJob(stack, victim.pod), 60_000, "the worker to be mid-job");
      victim.child.kill("SIGKILL");
      await victim.exited;
      stack.addWorker(); // the pod's container restarts
      return "SIGKILL to 1 of 2 workers while it ran a job; a replacement starts at once (LOCK_DURATION_MS 2000)";
    },
  });
  const killed = await generationRow(run.stack, killedJob);
  t.is(killed?.status, "completed", `the job the killed worker held (${killedJob}) completes`);
  t.true((killed?.attempts ?? 0) >= 2, "it was taken up again after the kill");
});
