import test from "ava";
import { eventually } from "../../worker/test-support.ts";
import { generationRow, midJob } from "./support/busy.ts";
import { runFault } from "./support/scenario.ts";

test("[integration] worker SIGTERM mid-job under load: a job that fits the grace period finishes, one that does not is handed back; nothing lost", async (t) => {
  const held: { finished?: string; handedBack?: string; codes: (number | string)[] } = { codes: [] };
  const run = await runFault(t, {
    fault: "worker SIGTERM mid-job (grace period)",
    perSecond: 2,
    stack: { workerEnv: { GRACE_PERIOD_SECONDS: "3", HANDOVER_RESERVE_SECONDS: "1", LOCK_DURATION_MS: "30000" } },
    inject: async (stack) => {
      // 1. A short job: it finishes within the 2 s the grace period leaves, then the worker exits.
      const first = stack.workers[1]!;
      held.finished = await eventually(() => midJob(stack, first.pod), 60_000, "worker 1 busy");
      first.child.kill("SIGTERM");
      held.codes.push(await first.exited);
      stack.addWorker();
      // 2. A job that cannot finish: every running item stalls in InvokeAI until the worker has
      // handed its job back (canceled in InvokeAI, back to the wait list, no stall detection).
      const second = stack.workers[0]!;
      const polls = stack.fake.scenario.runningPolls;
      stack.fake.scenario.runningPolls = 1_000_000;
      held.handedBack = await eventually(() => midJob(stack, second.pod), 60_000, "worker 0 busy");
      second.child.kill("SIGTERM");
      held.codes.push(await second.exited);
      stack.fake.scenario.runningPolls = polls;
      stack.addWorker();
      return "SIGTERM to a worker with a short job, then to one whose job outlasts GRACE_PERIOD_SECONDS 3 − HANDOVER_RESERVE_SECONDS 1; a replacement starts after each";
    },
  });
  t.deepEqual(held.codes, [0, 0], "both workers exit 0 within the grace period");
  const finished = await generationRow(run.stack, held.finished!);
  t.is(finished?.status, "completed");
  t.is(finished?.attempts, 1, "the short job was finished by the stopping worker, not redone");
  const handedBack = await generationRow(run.stack, held.handedBack!);
  t.is(handedBack?.status, "completed", `the handed-back job (${held.handedBack}) completes`);
  t.true((handedBack?.attempts ?? 0) >= 2, "it was taken up again by another worker");
  const job = await run.stack.queue.getJob(held.handedBack!);
  t.true((job?.attemptsStarted ?? 0) >= 2, "the job was started again after the hand-back");
  // The hand-back itself is not a failed attempt: the stopping worker moved the job back to wait.
  const victim = run.stack.workers[0]!.child.output().split("\n");
  t.true(victim.some((l) => l.includes("handing the current job back")), "the grace period ran out and the worker handed its job back");
  t.false(victim.some((l) => l.includes(held.handedBack!) && l.includes("Job failed")), `the stopping worker did not fail ${held.handedBack}`);
  // attemptsMade counts finished attempts: the completion only. The hand-back is not one, and a
  // job seen before the API committed its row waits for the commit instead of failing once.
  const about = run.stack.workers.flatMap((w) => w.child.output().split("\n").filter((l) => l.includes(held.handedBack!)).map((l) => `${w.pod}: ${l}`));
  t.is(job?.attemptsMade, 1, `no failed attempt of ${held.handedBack}:\n${about.join("\n")}`);
  t.true(run.stack.workers.slice(0, 2).every((w) => w.child.output().includes("Stopped")), run.stack.workerLogs());
});
