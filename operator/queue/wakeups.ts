import { QueueEvents } from "bullmq";
import type { Clock } from "../clock.ts";
import type { RedisTarget } from "./connection.ts";

/** BullMQ queue events that can change a pool's demand or busy workers. */
export const wakeEvents = ["added", "waiting", "active", "completed", "failed"] as const;

/** A BullMQ queue as (prefix, name). */
export interface QueueId {
  prefix: string;
  name: string;
}

const idOf = (q: QueueId): string => `${q.prefix}:${q.name}`;

/**
 * One QueueEvents stream per watched queue; every event calls `wake(queue)` so the pools on that
 * queue reconcile within milliseconds instead of waiting for the resync.
 */
export class QueueWakeups {
  private readonly streams = new Map<string, QueueEvents>();

  constructor(
    private readonly target: RedisTarget,
    private readonly clock: Clock,
    private readonly wake: (queue: QueueId) => void,
    private readonly onError: (queue: QueueId, err: Error) => void,
  ) {}

  /** Makes the set of streams match `queues`: opens the new ones, closes the ones no pool uses. */
  async sync(queues: readonly QueueId[]): Promise<void> {
    const wanted = new Map(queues.map((q) => [idOf(q), q]));
    for (const [id, q] of wanted) if (!this.streams.has(id)) this.open(id, q);
    const closing = [...this.streams.keys()].filter((id) => !wanted.has(id));
    await Promise.all(closing.map((id) => this.close(id)));
  }

  /** Queues currently watched. */
  get size(): number {
    return this.streams.size;
  }

  private open(id: string, q: QueueId): void {
    const events = new QueueEvents(q.name, {
      prefix: q.prefix,
      connection: { host: this.target.host, port: this.target.port, password: this.target.password, ...(this.target.tls === true ? { tls: {} } : {}) },
      // QueueEvents can start reading after its first events: read from "now" so none is missed
      // and old history is not replayed.
      lastEventId: `${this.clock.now()}-0`,
      autorun: true,
    });
    for (const name of wakeEvents) events.on(name, () => this.wake(q));
    events.on("error", (err: Error) => this.onError(q, err));
    this.streams.set(id, events);
  }

  private async close(id: string): Promise<void> {
    const events = this.streams.get(id);
    this.streams.delete(id);
    await events?.close();
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.streams.keys()].map((id) => this.close(id)));
  }
}
