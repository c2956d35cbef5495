import test from "ava";
import { eventually } from "../../worker/test-support.ts";
import { runFault } from "./support/scenario.ts";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test("[integration] InvokeAI erroring under load: 500s and OOM are retried to completion, a permanent error fails with its reason", async (t) => {
  const run = await runFault(t, {
    fault: "InvokeAI erroring (enqueue 500s, OOM, then a permanent ValueError)",
    perSecond: 2,
    inject: async (stack) => {
      const fake = stack.fake;
      // Transient: enqueue answers 500 (database is locked) and items end in CUDA OOM for 3 s.
      fake.scenario.enqueueErrors = 6;
      fake.scenario.ending = { kind: "fail", errorType: "OutOfMemoryError", errorMessage: "CUDA out of memory. Tried to allocate 2.00 GiB" };
      await sleep(3000);
      fake.scenario.ending = { kind: "complete" };
      await sleep(2000);
      // Permanent: items enqueued in the next 1.5 s fail with an error no retry fixes.
      fake.scenario.ending = { kind: "fail", errorType: "ValueError", errorMessage: "model file /models/sdxl-base is corrupted" };
      await eventually(() => fake.listItems().some((i) => i.ending.kind === "fail" && i.ending.errorType === "ValueError"), 10_000, "an item to take the permanent error");
      await sleep(1500);
      fake.scenario.ending = { kind: "complete" };
      return "6 enqueue calls answer 500 and items fail with CUDA OOM for 3 s; 2 s later items fail with ValueError for 1.5 s";
    },
  });
  t.true(run.audit.reattempted > 0, "transient errors were retried");
  t.true(run.audit.failed.length > 0, "the permanent error failed some generations");
  for (const f of run.audit.failed) t.regex(f.why, /^InvokeAI failed: ValueError: model file \/models\/sdxl-base is corrupted$/, `${f.id} fails with InvokeAI's reason, not retried`);
});
