/**
 * A deduplicating work queue of pool keys ("namespace/name"), processed one at a time, as in
 * client-go's workqueue: a key added while queued is not queued twice; a key added while being
 * processed is processed once more afterwards; failures come back with exponential backoff, and
 * a key in backoff is not woken earlier by add().
 */
export interface WorkQueueOptions {
  /** First retry delay after an error. @default 200 */
  baseDelayMs?: number;
  /** Longest retry delay. @default 60_000 */
  maxDelayMs?: number;
}

/** What processing a key says about when to see it again. */
export type Outcome = { requeueAfterMs?: number | undefined };

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  /** Keys added while being processed, and whether any of those adds was urgent. */
  private readonly dirty = new Map<string, boolean>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private processing: string | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
  }

  /**
   * Queues the key now (deduplicated). `urgent` keys (something changed: a queue event, a watch
   * event) go ahead of routine ones (resync, requeue-after), so with many pools a burst is not
   * stuck behind a resync pass.
   */
  add(key: string, urgent = false): void {
    if (this.stopped) return;
    // A key waiting out an error backoff comes back with its retry. Waking it earlier would let a
    // stream of queue events (Redis is up) retry against an API server that is down, once per event.
    if (this.inBackoff(key)) return;
    if (this.processing === key) {
      this.dirty.set(key, urgent || this.dirty.get(key) === true);
      return;
    }
    if (this.queued.has(key)) {
      if (urgent) this.moveToFront(key);
      return;
    }
    this.queued.add(key);
    if (urgent) this.queue.unshift(key);
    else this.queue.push(key);
    this.wake?.();
  }

  private moveToFront(key: string): void {
    const i = this.queue.indexOf(key);
    if (i > 0) {
      this.queue.splice(i, 1);
      this.queue.unshift(key);
    }
  }

  /** The key failed and its retry is pending. */
  private inBackoff(key: string): boolean {
    return (this.failures.get(key) ?? 0) > 0 && this.timers.has(key);
  }

  /** Queues the key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.stopped) return;
    if (delayMs <= 0) return this.add(key);
    const at = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  /** Queues the key after its next backoff delay (200 ms, 400 ms, ... up to the maximum). */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** n);
    this.addAfter(key, delay);
    return delay;
  }

  /** Clears the key's backoff after a success. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Keys waiting to be processed. */
  get length(): number {
    return this.queue.length;
  }

  /**
   * Processes keys one at a time until stopped. A thrown error requeues with backoff; otherwise
   * the outcome's delay (if any) schedules the next look.
   */
  async run(handle: (key: string) => Promise<Outcome>, onError: (key: string, err: unknown, retryMs: number) => void): Promise<void> {
    while (!this.stopped) {
      const key = this.queue.shift();
      if (key === undefined) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      this.queued.delete(key);
      this.processing = key;
      await this.process(key, handle, onError);
      this.processing = undefined;
      const again = this.dirty.get(key);
      this.dirty.delete(key);
      if (again !== undefined) this.add(key, again);
    }
  }

  private async process(key: string, handle: (key: string) => Promise<Outcome>, onError: (key: string, err: unknown, retryMs: number) => void): Promise<void> {
    try {
      const outcome = await handle(key);
      this.forget(key);
      if (outcome.requeueAfterMs !== undefined) this.addAfter(key, outcome.requeueAfterMs);
    } catch (err) {
      onError(key, err, this.addRateLimited(key));
    }
  }

  /** Stops the loop after the current key; pending timers are dropped. */
  stop(): void {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.wake?.();
  }
}

/** "namespace/name". */
export function poolKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The namespace and name of a key. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
