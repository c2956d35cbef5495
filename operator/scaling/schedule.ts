/**
 * When a GenerationPool schedule is active. Time zones go through Intl.DateTimeFormat (the runtime's
 * tz database), so daylight-saving changes follow the zone's rules without a dependency.
 */
import type { Schedule, Weekday } from "../resource/index.ts";

const MINUTES_PER_DAY = 1440;
const DAYS: readonly Weekday[] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock time in a zone. */
export interface LocalTime {
  day: Weekday;
  /** Minutes since local midnight. */
  minute: number;
  second: number;
  /** Offset from UTC, minutes (positive east). */
  offsetMinutes: number;
}

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "longOffset" });
    formatters.set(timeZone, f);
  }
  return f;
}

function parseOffset(name: string): number {
  const m = /GMT([+-])(\d{2}):(\d{2})/u.exec(name);
  if (m === null) return 0; // "GMT" alone is UTC
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === "-" ? -minutes : minutes;
}

/** Wall-clock time at `now` (ms epoch) in an IANA zone. */
export function localTime(now: number, timeZone: string): LocalTime {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(now)).map((p) => [p.type, p.value]));
  return {
    day: parts.weekday as Weekday,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
    second: Number(parts.second),
    offsetMinutes: parseOffset(parts.timeZoneName ?? "GMT"),
  };
}

/** "HH:MM" (or "24:00") to minutes since midnight. */
export function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function previousDay(day: Weekday): Weekday {
  return DAYS[(DAYS.indexOf(day) + 6) % 7] as Weekday;
}

/**
 * True while `now` falls in the schedule. A window whose end is before its start crosses midnight
 * and belongs to the day it starts on: Fri 22:00-06:00 covers Friday night into Saturday morning.
 */
export function isScheduleActive(schedule: Schedule, now: number): boolean {
  const t = localTime(now, schedule.timeZone);
  const start = minutesOf(schedule.start);
  const end = minutesOf(schedule.end);
  if (start < end) return schedule.days.includes(t.day) && t.minute >= start && t.minute < end;
  return (schedule.days.includes(t.day) && t.minute >= start) || (schedule.days.includes(previousDay(t.day)) && t.minute < end);
}

/** The first active schedule in list order, if any. */
export function activeSchedule(schedules: readonly Schedule[], now: number): Schedule | undefined {
  return schedules.find((s) => isScheduleActive(s, now));
}

function secondsUntilWallClock(now: number, timeZone: string, minute: number): number {
  const t = localTime(now, timeZone);
  const minutes = (minute - t.minute + MINUTES_PER_DAY) % MINUTES_PER_DAY || MINUTES_PER_DAY;
  const naive = minutes * 60 - t.second;
  // A daylight-saving change in between moves the wall clock; correct by the offset difference.
  const shift = localTime(now + naive * 1000, timeZone).offsetMinutes - t.offsetMinutes;
  return Math.max(1, naive - shift * 60);
}

/**
 * Seconds until the next start or end of any schedule (wall clock, any day: a boundary on a day the
 * schedule does not cover only costs one extra decision). undefined without schedules.
 */
export function secondsUntilScheduleBoundary(schedules: readonly Schedule[], now: number): number | undefined {
  const candidates = schedules.flatMap((s) =>
    [s.start, s.end].map((hhmm) => secondsUntilWallClock(now, s.timeZone, minutesOf(hhmm) % MINUTES_PER_DAY)),
  );
  return candidates.length === 0 ? undefined : Math.min(...candidates);
}
