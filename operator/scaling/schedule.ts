/**
 * When a GenerationPool schedule is active. Time zones go through Intl.DateTimeFormat (the runtime's
 * tz database), so daylight-saving changes follow the zone's rules without a dependency.
 */
import type { Schedule, Weekday } from "../resource/index.ts";

const MINUTES_PER_DAY = 1440;
const DAYS: readonly Weekday[] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();
/** Zone offsets change only on quarter-hour UTC instants in the tz database's current rules. */
const OFFSET_BUCKET_MS = 15 * 60 * 1000;

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
    f = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "longOffset" });
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

/**
 * UTC offset of a zone at an instant. Intl is slow (tens of microseconds a call) and a replay calls
 * this for every decision, so offsets are memoized per zone and quarter hour; the cache only
 * remembers answers, it never changes them.
 */
export function offsetMinutes(now: number, timeZone: string): number {
  const bucket = Math.floor(now / OFFSET_BUCKET_MS);
  const key = `${timeZone}|${bucket}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size > 100_000) offsets.clear();
    const name = formatter(timeZone).formatToParts(new Date(bucket * OFFSET_BUCKET_MS)).find((p) => p.type === "timeZoneName")?.value;
    offset = parseOffset(name ?? "GMT");
    offsets.set(key, offset);
  }
  return offset;
}

/** Wall-clock time at `now` (ms epoch) in an IANA zone. */
export function localTime(now: number, timeZone: string): LocalTime {
  const offset = offsetMinutes(now, timeZone);
  const wall = new Date(now + offset * 60_000);
  return {
    day: DAYS[wall.getUTCDay()] as Weekday,
    minute: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    offsetMinutes: offset,
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
