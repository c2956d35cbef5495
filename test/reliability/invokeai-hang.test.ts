import test from "ava";
import { eventually } from "../../worker/test-support.ts";
import { generationRow } from "./support/busy.ts";
import { runFault } from "./support/scenario.ts";

test("[integration] InvokeAI hanging under load: a stuck item is canceled at the generation timeout and retried; nothing lost", async (t) => {
  const stuck: string[] = [];
  const run = await runFault(t, {
    fault: "InvokeAI hanging (items never finish; GENERATION_TIMEOUT_SECONDS 2)",
    perSecond: 2,
    afterSeconds: 6,
    stack: { workerEnv: { GENERATION_TIMEOUT_SECONDS: "2" } },
    inject: async (stack) => {
      const fake = stack.fake;
      fake.scenario.ending = { kind: "hang" };
      await eventually(() => {
        const hung = fake.listItems().filter((i) => i.ending.kind === "hang").map((i) => i.destination);
        return hung.length >= 2 ? (stuck.push(...hung), true) : null;
      }, 20_000, "two items to hang");
      fake.scenario.ending = { kind: "complete" };
      return "every item enqueued during the window stays in_progress forever (2 items hung); workers time out after 2 s, cancel and retry";
    },
  });
  for (const id of stuck) {
    const row = await generationRow(run.stack, id);
    t.is(row?.status, "completed", `${id} hung in InvokeAI, then completed`);
    t.true((row?.attempts ?? 0) >= 2, `${id} was retried after the timeout`);
  }
  t.true(run.stack.fake.listItems().every((i) => i.status !== "in_progress"), "no hung item is left running in InvokeAI: the worker canceled them");
});
