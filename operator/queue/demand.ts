import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";
import type { Clock } from "../clock.ts";
import { busyHashKey } from "../../worker/job/keys.ts";

const script = readFileSync(new URL("./demand.lua", import.meta.url), "utf8");

/** What one BullMQ queue holds right now. Numbers only: replicas are decide()'s business. */
export interface QueueDemand {
  /** Jobs in the wait (or paused) list. */
  waiting: number;
  /** Jobs waiting with a priority. */
  prioritized: number;
  /** Jobs being processed. */
  active: number;
  /** Delayed jobs due within the lead time. */
  delayedSoon: number;
  /** All delayed jobs. */
  delayedTotal: number;
  /** The queue is paused in BullMQ (workers take nothing). */
  paused: boolean;
  /** Age of the oldest job that waits for a worker, 0 when none waits. */
  oldestWaitingSeconds: number;
  /** Active jobs and the worker pod that holds each (its registration, else the BullMQ Worker name); "" when unknown. */
  activeJobs: Array<{ jobId: string; worker: string }>;
}

/** Where the queue lives and how far ahead delayed jobs count. */
export interface DemandQuery {
  queue: string;
  prefix: string;
  delayedLeadSeconds: number;
}

/**
 * BullMQ stores a delayed job with score (dueTimestampMs * 0x1000 + sequence) (getDelayedScore.lua),
 * so "due by t" is every score up to (t + 1) * 0x1000 - 1, exactly as promoteDelayedJobs.lua reads it.
 */
export function delayedMaxScore(dueByMs: number): number {
  return (Math.floor(dueByMs) + 1) * 0x1000 - 1;
}

type Row = Array<number | string>;

/** Reads a queue's demand in one Redis script run. Throws when Redis cannot be read. */
export async function readQueueDemand(redis: Redis, query: DemandQuery, clock: Clock): Promise<QueueDemand> {
  const base = `${query.prefix}:${query.queue}:`;
  const keys = [...["wait", "paused", "prioritized", "active", "delayed", "meta"].map((k) => base + k), busyHashKey(query.queue, query.prefix)];
  const now = clock.now();
  const maxScore = delayedMaxScore(now + query.delayedLeadSeconds * 1000);
  const row = (await redis.eval(script, keys.length, ...keys, base, String(maxScore))) as Row;
  return parseRow(row, now);
}

function parseRow(row: Row, now: number): QueueDemand {
  const n = (i: number): number => Number(row[i] ?? 0);
  const oldest = n(6);
  const activeJobs: QueueDemand["activeJobs"] = [];
  for (let i = 7; i + 1 < row.length; i += 2) {
    activeJobs.push({ jobId: String(row[i]), worker: String(row[i + 1]) });
  }
  return {
    paused: n(0) === 1,
    waiting: n(1),
    prioritized: n(2),
    active: n(3),
    delayedSoon: n(4),
    delayedTotal: n(5),
    oldestWaitingSeconds: oldest < 0 ? 0 : Math.max(0, (now - oldest) / 1000),
    activeJobs,
  };
}
