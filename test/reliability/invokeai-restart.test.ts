import test from "ava";
import { eventually } from "../../worker/test-support.ts";
import { runFault } from "./support/scenario.ts";

const running = (stack: { fake: { listItems: () => { status: string }[] } }): boolean => stack.fake.listItems().some((i) => i.status === "in_progress");

test("[integration] InvokeAI restarting under load, with its database kept and then reset (item ids from 1 again): every job completes once", async (t) => {
  let enqueuedBefore = 0;
  const run = await runFault(t, {
    fault: "InvokeAI restart (DB kept), then restart with a fresh DB (item ids reset)",
    perSecond: 2,
    afterSeconds: 6,
    inject: async (stack) => {
      const fake = stack.fake;
      await eventually(() => running(stack), 20_000, "an item in progress");
      await fake.restart({ persistDb: true, downMs: 1000 }); // in-progress items come back canceled
      await eventually(() => fake.enqueued > 0 && running(stack), 20_000, "an item in progress again");
      enqueuedBefore = fake.enqueued;
      await fake.restart({ persistDb: false, downMs: 1000 }); // items gone, ids restart at 1, new model keys
      return "restart with the queue DB kept (in-progress items canceled), then restart with a fresh DB (items lost, ids reused); 1 s down each";
    },
  });
  t.true(run.audit.reattempted > 0, "jobs interrupted by the restarts were retried");
  t.true(run.stack.fake.enqueued > enqueuedBefore, "work went on after the reset");
});
