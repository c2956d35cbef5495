import test from "ava";
import { restartDelay } from "./watch.ts";

test("watch restart delay: the base after a normal end or a first failure, doubling per failure in a row, capped", (t) => {
  t.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map((f) => restartDelay(f, 1_000, 8_000)), [1_000, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000, 8_000]);
});
