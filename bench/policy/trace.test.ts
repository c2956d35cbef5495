import test from "ava";
import { parseTraceCsv } from "./trace.ts";
import { BUILTIN_TRACES, flashRate, FLASH } from "./traces/builtin.ts";

test("a CSV trace is sorted by arrival and its period ends with its last job", (t) => {
  const trace = parseTraceCsv("arrival_s,service_s\n10,5\n0,12.5\n\n", "x.csv");
  t.deepEqual(trace.jobs, [{ id: 0, arrivalS: 0, serviceS: 12.5 }, { id: 1, arrivalS: 10, serviceS: 5 }]);
  t.is(trace.durationS, 15);
});

const bad: [string, string, RegExp][] = [
  ["wrong header", "arrival,service\n1,2", /trace header is "arrival,service"; allowed: "arrival_s,service_s"/],
  ["negative arrival", "arrival_s,service_s\n-1,2", /trace line 2: arrival_s is "-1"; allowed: a number >= 0/],
  ["zero service", "arrival_s,service_s\n1,0", /trace line 2: service_s is "0"; allowed: a number > 0/],
  ["text", "arrival_s,service_s\n1,2\nx,2", /trace line 3: arrival_s is "x"/],
  ["three columns", "arrival_s,service_s\n1,2,3", /trace line 2: has 3 columns; allowed: 2/],
  ["no rows", "arrival_s,service_s\n", /trace has no jobs/],
];
for (const [name, text, message] of bad) {
  test(`a CSV trace with ${name} is rejected naming the line, field and value`, (t) => {
    t.throws(() => parseTraceCsv(text, "x.csv"), { message });
  });
}

test("built-in traces are reproducible for a seed", (t) => {
  for (const make of Object.values(BUILTIN_TRACES)) {
    t.deepEqual(make(5).jobs.slice(0, 50), make(5).jobs.slice(0, 50));
    t.notDeepEqual(make(5).jobs.slice(0, 50), make(6).jobs.slice(0, 50));
  }
});

test("the flash crowd multiplies the rate by ten within one minute", (t) => {
  t.is(flashRate(FLASH.startS - 1), FLASH.baseRate);
  t.is(flashRate(FLASH.startS + FLASH.rampS).toFixed(6), (FLASH.baseRate * 10).toFixed(6));
  const trace = BUILTIN_TRACES["flash-crowd"]!(1);
  const inWindow = (from: number, to: number): number => trace.jobs.filter((j) => j.arrivalS >= from && j.arrivalS < to).length;
  // 10 minutes before vs 10 minutes at the peak: about 72 vs 720 jobs.
  const before = inWindow(FLASH.startS - 600, FLASH.startS);
  const during = inWindow(FLASH.startS + 60, FLASH.startS + 660);
  t.true(during > 7 * before, `${during} vs ${before}`);
});
