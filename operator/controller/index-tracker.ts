import type { QueueId } from "../queue/wakeups.ts";

/** What wakes one pool: its BullMQ queue and its worker Deployment. */
export interface PoolTarget {
  queue: QueueId;
  namespace: string;
  deployment: string;
}

const queueKey = (q: QueueId): string => `${q.prefix}:${q.name}`;

/**
 * Reverse indexes from a queue or a Deployment to the pools they concern, filled by each reconcile,
 * so an event on either wakes exactly those pools.
 */
export class PoolIndex {
  private readonly targets = new Map<string, PoolTarget>();

  /** Records (or with undefined, removes) a pool's target; returns true when the set of queues changed. */
  set(pool: string, target: PoolTarget | undefined): boolean {
    const before = this.queueSet();
    if (target === undefined) this.targets.delete(pool);
    else this.targets.set(pool, target);
    const after = this.queueSet();
    return before.size !== after.size || [...after].some((q) => !before.has(q));
  }

  /** Every pool known to this index. */
  pools(): string[] {
    return [...this.targets.keys()];
  }

  poolsOnQueue(q: QueueId): string[] {
    const k = queueKey(q);
    return [...this.targets].filter(([, t]) => queueKey(t.queue) === k).map(([p]) => p);
  }

  poolsOfDeployment(namespace: string, name: string): string[] {
    return [...this.targets].filter(([, t]) => t.namespace === namespace && t.deployment === name).map(([p]) => p);
  }

  /** Distinct queues the pools read. */
  queues(): QueueId[] {
    const byKey = new Map<string, QueueId>();
    for (const t of this.targets.values()) byKey.set(queueKey(t.queue), t.queue);
    return [...byKey.values()];
  }

  private queueSet(): Set<string> {
    return new Set([...this.targets.values()].map((t) => queueKey(t.queue)));
  }
}
