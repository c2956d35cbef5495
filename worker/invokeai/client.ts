/**
 * HTTP client of the InvokeAI sidecar: the endpoints of INVOKEAI.md §4 that the worker needs,
 * with bounded retries (backoff) on connection errors, 5xx and 409 (maintenance).
 */
import type { Batch, EnqueueResult, ModelConfig, QueueItem } from "./types.ts";

/** An InvokeAI answer the worker did not expect. */
export class InvokeAIError extends Error {
  override name = "InvokeAIError";
  constructor(
    readonly status: number,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`InvokeAI ${path} answered ${status}: ${detail}`);
  }
}

const RETRYABLE = (status: number): boolean => status >= 500 || status === 409 || status === 429;
const Q = "/api/v1/queue/default";

/** Client settings. */
export interface ClientOptions {
  baseUrl: string;
  /** Attempts per call for connection errors and retryable statuses. */
  attempts?: number;
  requestTimeoutMs?: number;
  retryDelayMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Typed access to one InvokeAI server. */
export class InvokeAIClient {
  private readonly attempts: number;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;

  constructor(private readonly opts: ClientOptions) {
    this.attempts = opts.attempts ?? 3;
    this.timeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.retryDelayMs = opts.retryDelayMs ?? 250;
  }

  /** One request with retries; returns the response of a non-retryable status. */
  private async request(method: string, path: string, body?: unknown): Promise<Response> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        const res = await fetch(`${this.opts.baseUrl}${path}`, {
          method,
          headers: body === undefined ? {} : { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (!RETRYABLE(res.status)) return res;
        last = new InvokeAIError(res.status, path, await res.text());
      } catch (err) {
        last = err;
      }
      if (attempt < this.attempts) await sleep(this.retryDelayMs * 2 ** (attempt - 1));
    }
    throw last instanceof Error ? last : new Error(String(last));
  }

  private async json<T>(method: string, path: string, body?: unknown, allow404 = false): Promise<T | null> {
    const res = await this.request(method, path, body);
    if (allow404 && res.status === 404) return null;
    if (!res.ok) throw new InvokeAIError(res.status, path, await res.text());
    return (await res.json()) as T;
  }

  private async must<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await this.json<T>(method, path, body)) as T;
  }

  /** GET /api/v1/app/version (liveness of the sidecar). */
  version(): Promise<{ version: string }> {
    return this.must("GET", "/api/v1/app/version");
  }

  /** Main models of every base. */
  async listModels(): Promise<ModelConfig[]> {
    return (await this.must<{ models: ModelConfig[] }>("GET", "/api/v2/models/?model_type=main")).models;
  }

  /** POST enqueue_batch (200 with enqueued=0 means the queue is full). */
  enqueue(batch: Batch): Promise<EnqueueResult> {
    return this.must("POST", `${Q}/enqueue_batch`, { batch, prepend: false });
  }

  /** A queue item, or null when it does not exist (404). */
  getItem(itemId: number): Promise<QueueItem | null> {
    return this.json("GET", `${Q}/i/${itemId}`, undefined, true);
  }

  /** Items whose destination is `dest`. */
  async listByDestination(dest: string): Promise<QueueItem[]> {
    return this.must("GET", `${Q}/list_all?destination=${encodeURIComponent(dest)}`);
  }

  /** Cancels every item of `dest`; returns how many. */
  async cancelByDestination(dest: string): Promise<number> {
    return (await this.must<{ canceled: number }>("PUT", `${Q}/cancel_by_destination?destination=${encodeURIComponent(dest)}`)).canceled;
  }

  /** Cancels one item (idempotent on terminal items). */
  async cancelItem(itemId: number): Promise<void> {
    await this.json("PUT", `${Q}/i/${itemId}/cancel`, undefined, true);
  }

  /** Deletes an item; 404 is fine. */
  async deleteItem(itemId: number): Promise<void> {
    await this.json("DELETE", `${Q}/i/${itemId}`, undefined, true);
  }

  /** PNG bytes of an image, or null when it is gone. */
  async getImageFull(name: string): Promise<Buffer | null> {
    const path = `/api/v1/images/i/${encodeURIComponent(name)}/full`;
    const res = await this.request("GET", path);
    if (res.status === 404) return null;
    if (!res.ok) throw new InvokeAIError(res.status, path, await res.text());
    return Buffer.from(await res.arrayBuffer());
  }

  /** True when the image still exists (HEAD /full). */
  async hasImage(name: string): Promise<boolean> {
    const res = await this.request("HEAD", `/api/v1/images/i/${encodeURIComponent(name)}/full`);
    return res.ok;
  }

  /** Deletes an image; 404 is fine. */
  async deleteImage(name: string): Promise<void> {
    await this.json("DELETE", `/api/v1/images/i/${encodeURIComponent(name)}`, undefined, true);
  }
}
