import { Watch, type KubeConfig } from "@kubernetes/client-node";

/** The identity of a watched object. */
export interface ObjectKey {
  namespace: string;
  name: string;
}

/** Options for one watch stream. */
export interface WatchOptions {
  /** API path of the collection, e.g. /apis/apps/v1/namespaces/ns/deployments. */
  path: string;
  /** Called for every added, modified or deleted object (only the key matters: reconcile re-reads). */
  onChange: (key: ObjectKey, obj: Record<string, unknown>) => void;
  /** Called when the stream ends with an error; the watch restarts on its own. */
  onError: (err: unknown) => void;
  /** Only objects with these labels. @default every object */
  labelSelector?: string;
  /** Pause before re-opening a closed stream; it doubles with each failed open in a row. @default 1000 */
  restartDelayMs?: number;
  /** Longest pause between failed opens. @default 8000 */
  maxRestartDelayMs?: number;
}

/**
 * Pause before the next open after `failures` streams in a row ended in an error (client-node
 * reports a refused connection the same way): the base for none or one, doubling per further
 * failure up to the cap.
 * A down API server then sees a few attempts instead of one a second, and a recovered one is
 * found within the cap.
 */
export function restartDelay(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(failures, 30) - 1));
}

/**
 * A watch that restarts forever until stopped. It opens without a resourceVersion, so the server
 * first sends every existing object as ADDED: each (re)start is also a full resync of keys.
 */
export class RestartingWatch {
  private abort: AbortController | undefined;
  private stopped = false;
  /** Streams that ended in an error in a row (reset by an event or a normal end). */
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly kc: KubeConfig, private readonly options: WatchOptions) {}

  start(): void {
    this.stopped = false;
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
  }

  /**
   * Re-opens now if the watch is waiting out a backoff (the caller knows the API server answers
   * again), so a recovered API server is watched at once rather than after the longest pause.
   */
  retryNow(): void {
    if (this.stopped || this.timer === undefined || this.failures === 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    // A server still starting may refuse this open too: back off from the base again.
    this.failures = 0;
    void this.open();
  }

  private async open(): Promise<void> {
    this.timer = undefined;
    if (this.stopped) return;
    try {
      this.abort = await new Watch(this.kc).watch(
        this.options.path,
        { timeoutSeconds: 300, ...(this.options.labelSelector !== undefined ? { labelSelector: this.options.labelSelector } : {}) },
        (_phase, obj: Record<string, unknown>) => this.deliver(obj),
        (err: unknown) => this.closed(err),
      );
    } catch (err) {
      this.closed(err);
    }
  }

  private deliver(obj: Record<string, unknown>): void {
    this.failures = 0;
    const meta = (obj.metadata ?? {}) as { namespace?: string; name?: string };
    if (meta.name !== undefined) this.options.onChange({ namespace: meta.namespace ?? "", name: meta.name }, obj);
  }

  private closed(err: unknown): void {
    if (this.stopped) return;
    const failed = err !== null && err !== undefined && (err as { name?: string }).name !== "AbortError";
    this.failures = failed ? this.failures + 1 : 0;
    if (failed) this.options.onError(err);
    const delay = restartDelay(this.failures, this.options.restartDelayMs ?? 1_000, this.options.maxRestartDelayMs ?? 8_000);
    this.timer = setTimeout(() => void this.open(), delay);
  }
}

/** Collection paths for each namespace, or the cluster-wide path when no namespace is given. */
export function collectionPaths(group: string | undefined, version: string, plural: string, namespaces: readonly string[]): string[] {
  const base = group === undefined ? `/api/${version}` : `/apis/${group}/${version}`;
  if (namespaces.length === 0) return [`${base}/${plural}`];
  return namespaces.map((ns) => `${base}/namespaces/${ns}/${plural}`);
}
