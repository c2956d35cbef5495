import test from "ava";
import { renderChart } from "./chart.ts";
import { replay } from "./run.ts";
import { constantConfig, fixedPolicy } from "./testing.ts";
import { fromRows } from "./trace.ts";

test("the chart is a PNG with one panel per policy", async (t) => {
  const trace = fromRows("burst", "four jobs", Array.from({ length: 4 }, () => ({ arrivalS: 1, serviceS: 30 })));
  const r = replay(trace, constantConfig(), [() => fixedPolicy({ workers: 4, nodes: { spot: 3 } }), () => ({ ...fixedPolicy({ workers: 1, nodes: {} }), name: "hold" })]);
  const png = await renderChart(r);
  t.deepEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  t.true(width > 900, `width ${width}`);
  t.true(height > 2 * 170, `height ${height}: two panels of 170 px`);
});
