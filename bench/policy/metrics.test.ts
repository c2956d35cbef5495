import test from "ava";
import { percentile } from "./metrics.ts";

// Nearest rank: the smallest value with at least p % of the values at or below it.
const rows: [number[], number, number][] = [
  [[], 95, 0],
  [[7], 50, 7],
  [[1, 2, 3, 4], 50, 2],
  [[4, 3, 2, 1], 75, 3],
  [[1, 2, 3, 4], 100, 4],
  [Array.from({ length: 100 }, (_, i) => i + 1), 95, 95],
  [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
];
for (const [values, p, expected] of rows) {
  test(`p${p} of [${values.length > 5 ? `1..${values.length}` : values.join(",")}] is ${expected}`, (t) => {
    t.is(percentile(values, p), expected);
  });
}
