import test from "ava";
import type { Schedule } from "../resource/index.ts";
import { effectiveBounds } from "./bounds.ts";
import { isScheduleActive, localTime, secondsUntilScheduleBoundary } from "./schedule.ts";
import { parseGenerationPoolSpec } from "../resource/index.ts";

const at = (iso: string): number => Date.parse(iso);
const nights: Schedule = { name: "nights", timeZone: "Europe/Paris", days: ["Mon", "Tue"], start: "22:00", end: "06:00" };
const weekend: Schedule = { name: "weekend", timeZone: "Europe/Paris", days: ["Sat", "Sun"], start: "00:00", end: "24:00" };
const office: Schedule = { name: "office", timeZone: "America/New_York", days: ["Mon", "Tue", "Wed", "Thu", "Fri"], start: "09:00", end: "17:30" };

// 2026-11-23 is a Monday; Paris is UTC+1 and New York UTC-5 in late November.
const rows: [string, Schedule, string, boolean][] = [
  ["inside the evening part of a night window", nights, "2026-11-23T22:00:00Z", true],
  ["one minute before the start", nights, "2026-11-23T20:59:00Z", false],
  ["the morning after belongs to the night that started Monday", nights, "2026-11-24T04:59:00Z", true],
  ["the end minute is outside (end is exclusive)", nights, "2026-11-24T05:00:00Z", false],
  ["Wednesday night is not listed", nights, "2026-11-25T22:00:00Z", false],
  ["Wednesday morning still ends Tuesday's night", nights, "2026-11-25T01:00:00Z", true],
  ["Monday morning is not covered: Sunday night is not listed", nights, "2026-11-23T01:00:00Z", false],
  ["24:00 covers the whole Saturday", weekend, "2026-11-28T22:59:59Z", true],
  ["Saturday starts at local midnight (Friday 23:00 UTC)", weekend, "2026-11-27T23:00:00Z", true],
  ["Friday evening local is not weekend", weekend, "2026-11-27T22:59:00Z", false],
  ["New York office hours in New York time", office, "2026-11-23T14:00:00Z", true],
  ["09:00 UTC is 04:00 in New York", office, "2026-11-23T09:00:00Z", false],
  ["17:29 local is inside, 17:30 is not", office, "2026-11-23T22:29:00Z", true],
  ["17:30 local is outside", office, "2026-11-23T22:30:00Z", false],
];

for (const [why, schedule, iso, active] of rows) {
  test(`schedule ${schedule.name}: ${why}`, (t) => {
    t.is(isScheduleActive(schedule, at(iso)), active);
  });
}

test("local time follows the zone's daylight-saving rules", (t) => {
  t.like(localTime(at("2026-07-06T12:00:00Z"), "Europe/Paris"), { day: "Mon", minute: 14 * 60, offsetMinutes: 120 });
  t.like(localTime(at("2026-11-23T12:00:00Z"), "Europe/Paris"), { day: "Mon", minute: 13 * 60, offsetMinutes: 60 });
  t.like(localTime(at("2026-11-23T12:00:00Z"), "UTC"), { minute: 12 * 60, offsetMinutes: 0 });
  t.like(localTime(at("2026-11-23T20:00:00Z"), "Asia/Kolkata"), { day: "Tue", minute: 90, offsetMinutes: 330 });
  t.like(localTime(at("2026-11-23T02:00:00Z"), "America/St_Johns"), { day: "Sun", minute: 22 * 60 + 30, offsetMinutes: -210 });
  // The instant Paris leaves summer time (01:00 UTC on 25 October 2026) and the second before it.
  t.like(localTime(at("2026-10-25T00:59:59Z"), "Europe/Paris"), { minute: 2 * 60 + 59, second: 59, offsetMinutes: 120 });
  t.like(localTime(at("2026-10-25T01:00:00Z"), "Europe/Paris"), { minute: 2 * 60, second: 0, offsetMinutes: 60 });
});

test("the next boundary is the nearest start or end, in seconds", (t) => {
  // Monday 21:59:30 Paris: the night window starts in 30 s.
  t.is(secondsUntilScheduleBoundary([nights], at("2026-11-23T20:59:30Z")), 30);
  // New York 14:00 local: 17:30 is 3.5 h away, 09:00 Paris tomorrow further.
  t.is(secondsUntilScheduleBoundary([office], at("2026-11-23T19:00:00Z")), 3.5 * 3600);
  t.is(secondsUntilScheduleBoundary([], at("2026-11-23T19:00:00Z")), undefined);
});

test("the next boundary across a daylight-saving change is counted in real seconds", (t) => {
  const daily: Schedule = { name: "day", timeZone: "Europe/Paris", days: ["Sun"], start: "08:00", end: "18:00" };
  // Saturday 28 March 2026 21:00 CET; Paris moves to CEST at 02:00 on Sunday. 08:00 CEST = 06:00 UTC: 10 h, not 11.
  t.is(secondsUntilScheduleBoundary([daily], at("2026-03-28T20:00:00Z")), 10 * 3600);
  t.true(isScheduleActive(daily, at("2026-03-29T06:00:00Z")));
  t.false(isScheduleActive(daily, at("2026-03-29T05:59:00Z")));
});

test("the first active schedule overrides only the bounds it sets", (t) => {
  const spec = parseGenerationPoolSpec({
    workload: { deploymentName: "w" },
    replicas: { min: 2, max: 20, warmIdle: 1 },
    schedules: [
      { ...nights, min: 0, warmIdle: 0 },
      { ...weekend, min: 0, max: 4 },
      { name: "always", timeZone: "UTC", days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], start: "00:00", end: "24:00", max: 10 },
    ],
  });
  t.deepEqual(effectiveBounds(spec, at("2026-11-23T22:00:00Z")), { min: 0, max: 20, warmIdle: 0, schedule: "nights" });
  t.deepEqual(effectiveBounds(spec, at("2026-11-28T12:00:00Z")), { min: 0, max: 4, warmIdle: 1, schedule: "weekend" });
  t.deepEqual(effectiveBounds(spec, at("2026-11-25T12:00:00Z")), { min: 2, max: 10, warmIdle: 1, schedule: "always" });
});
