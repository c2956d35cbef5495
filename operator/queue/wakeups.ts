import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";

/** BullMQ queue events that can change a pool's demand or busy workers. */
export const wakeEvents = ["added", "waiting", "active", "completed", "failed"] as const;

/** A BullMQ queue as (prefix, name). */
export interface QueueId {
  prefix: string;
  name: string;
}

/** How the wake-up reader is wired. */
export interface QueueWakeupsOptions {
  /** A connection used only for the blocking XREAD; its command timeout must exceed `blockMs`. */
  reader: Redis;
  /** Any other connection: it reads where new streams start and interrupts the reader (CLIENT UNBLOCK) when a queue is added. */
  control: Redis;
  /** Called for every wake event on a watched queue. */
  wake: (queue: QueueId) => void;
  /** Called when a read fails; reading resumes after `retryMs` from where it stopped. */
  onError: (err: Error) => void;
  /** Longest single XREAD wait. @default 5000 */
  blockMs?: number;
  /** Pause after a failed read. @default 1000 */
  retryMs?: number;
}

/** BullMQ's event stream of a queue (Queue#toKey("events")). */
export const eventStreamKey = (q: QueueId): string => `${q.prefix}:${q.name}:events`;

const wakeNames: ReadonlySet<string> = new Set(wakeEvents);
/** Entries read per stream and call; a larger backlog is read by the next calls at once. */
const readCount = 500;

type StreamReply = Array<[key: string, entries: Array<[id: string, fields: string[]]>]> | null;

/**
 * Wake-ups for every watched queue through ONE Redis connection: a loop of
 * `XREAD BLOCK ... STREAMS <each queue's events stream> <last id read>`. Every wake event calls
 * `wake(queue)`, so the pools on that queue reconcile within milliseconds instead of waiting for
 * the resync. One BullMQ QueueEvents per queue would hold one connection (and one copy of
 * BullMQ's command scripts) per queue: 100 pools cost 100 connections and about 10 MB.
 *
 * A queue starts after the newest entry of its stream when sync() sees it, so nothing later is
 * missed and no history is replayed; after an outage reading resumes at the last id read, so events still in the
 * stream (BullMQ keeps about 10,000) are delivered late rather than lost.
 */
export class QueueWakeups {
  /** Stream key -> queue and the last id read. */
  private readonly streams = new Map<string, { queue: QueueId; lastId: string }>();
  /** The set asked for by the latest sync(). */
  private wanted = new Map<string, QueueId>();
  private readonly blockMs: number;
  private readonly retryMs: number;
  private stopped = false;
  private running: Promise<void> | undefined;
  /** Resolves the idle wait when the first queue arrives. */
  private nudge: (() => void) | undefined;
  /** The reader's CLIENT ID, known while its connection lasts. */
  private readerId: number | undefined;
  /** Incremented by every added queue; the read in flight knows the one it was sent with. */
  private generation = 0;
  private inFlight: number | undefined;

  constructor(private readonly o: QueueWakeupsOptions) {
    this.blockMs = o.blockMs ?? 5_000;
    this.retryMs = o.retryMs ?? 1_000;
    o.reader.on("close", () => (this.readerId = undefined));
  }

  /**
   * Makes the watched set match `queues`: a new queue starts after the last event its stream holds
   * now, dropped ones are forgotten. Throws when Redis cannot be read; the new queues are then not
   * watched yet and the next sync() tries again.
   */
  async sync(queues: readonly QueueId[]): Promise<void> {
    const wanted = new Map(queues.map((q) => [eventStreamKey(q), q]));
    this.wanted = wanted;
    for (const key of [...this.streams.keys()]) if (!wanted.has(key)) this.streams.delete(key);
    const fresh = [...wanted].filter(([key]) => !this.streams.has(key));
    if (fresh.length === 0) return;
    const starts = await Promise.all(fresh.map(([key]) => this.lastIdOf(key)));
    // A later sync() may have run meanwhile: it decides what is wanted, and a start it read stays.
    for (const [i, [key, queue]] of fresh.entries()) {
      if (this.wanted.has(key) && !this.streams.has(key)) this.streams.set(key, { queue, lastId: starts[i]! });
    }
    this.generation++;
    this.running ??= this.run();
    this.nudge?.();
    await this.interrupt();
  }

  /**
   * The newest entry's id, from Redis itself: no clock skew between this process and Redis, and
   * no replay of events written in the same millisecond. "0-0" for a stream that does not exist yet.
   */
  private async lastIdOf(key: string): Promise<string> {
    const newest = (await this.o.control.xrevrange(key, "+", "-", "COUNT", 1)).at(0);
    return newest?.[0] ?? "0-0";
  }

  /** Queues currently watched. */
  get size(): number {
    return this.streams.size;
  }

  async closeAll(): Promise<void> {
    this.stopped = true;
    this.nudge?.();
    this.o.reader.disconnect();
    await this.running;
  }

  /**
   * A read in flight started before the latest added queue: cut its wait short so the next read
   * includes it. CLIENT UNBLOCK can reach Redis before the XREAD it targets (two connections), so
   * a miss is retried briefly; the worst case is one `blockMs` before the new queue is read.
   */
  private async interrupt(): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = this.readerId;
      if (this.inFlight === undefined || this.inFlight === this.generation || id === undefined) return;
      const unblocked = await this.o.control.client("UNBLOCK", id);
      if (unblocked === 1) return;
      await sleep(20);
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.streams.size === 0) {
        await new Promise<void>((resolve) => (this.nudge = resolve));
        this.nudge = undefined;
        continue;
      }
      try {
        this.readerId ??= await this.o.reader.client("ID");
        this.deliver(await this.read());
      } catch (err) {
        if (this.stopped) return;
        this.o.onError(err instanceof Error ? err : new Error(String(err)));
        await sleep(this.retryMs);
      } finally {
        this.inFlight = undefined;
      }
    }
  }

  private async read(): Promise<StreamReply> {
    const watched = [...this.streams];
    this.inFlight = this.generation;
    const args = ["COUNT", readCount, "BLOCK", this.blockMs, "STREAMS", ...watched.map(([key]) => key), ...watched.map(([, s]) => s.lastId)];
    return (await this.o.reader.call("XREAD", ...args)) as StreamReply;
  }

  private deliver(reply: StreamReply): void {
    for (const [key, entries] of reply ?? []) {
      const stream = this.streams.get(key);
      const last = entries.at(-1);
      if (stream === undefined || last === undefined) continue; // dropped while the read was out
      stream.lastId = last[0];
      if (entries.some(([, fields]) => isWakeEvent(fields))) this.o.wake(stream.queue);
    }
  }
}

/** BullMQ writes `event <name>` first in each entry; look it up by name to not depend on that. */
function isWakeEvent(fields: string[]): boolean {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === "event") return wakeNames.has(fields[i + 1]!);
  return false;
}
