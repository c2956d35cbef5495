/**
 * Tells a worker pod when it will be killed: the operator writes the time before it deletes the
 * pod with a grace period shorter than the pod's own (interruption rescue), and the worker reads
 * it on SIGTERM (worker/main.ts) so it hands its job back before the kill, not after it.
 */
import type { Redis } from "ioredis";
import { stopByKey } from "../../worker/job/keys.ts";
import type { QueueId } from "./wakeups.ts";

/** The key lives one minute past the kill time, then Redis drops it. */
const keepAfterMs = 60_000;

/** One announcement: which pod of which queue is killed when (epoch ms), written at `now`. */
export interface StopBy {
  queue: QueueId;
  pod: string;
  stopByMs: number;
  now: number;
}

/** Writes the pod's kill time next to its queue. */
export async function announceStopBy(redis: Redis, a: StopBy): Promise<void> {
  await redis.set(stopByKey(a.queue.name, a.pod, a.queue.prefix), String(a.stopByMs), "PX", Math.max(0, a.stopByMs - a.now) + keepAfterMs);
}
