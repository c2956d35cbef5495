/**
 * The InvokeAI backend: the idempotent algorithm of INVOKEAI.md §5. Before enqueueing it looks
 * for a live or completed item of the same destination (the job id) and attaches to it, so a
 * worker restarted mid-job never enqueues a duplicate.
 */
import type { Logger } from "pino";
import type { Backend, GenerateRequest, Generated } from "../backend.ts";
import { HandBack, PermanentError, TransientError } from "../errors.ts";
import { InvokeAIError, type InvokeAIClient } from "./client.ts";
import { buildBatch } from "./graph.ts";
import { interpret, isLive, outputImage, progressOf } from "./outcome.ts";
import type { ModelConfig, QueueItem } from "./types.ts";

/** Timing of the backend. */
export interface InvokeAITiming {
  pollMs: number;
  timeoutMs: number;
  /** Longest wait between readiness probes. */
  readyMaxDelayMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/** Caches model configs by name; re-resolves after "Unknown model" (keys change on DB reset). */
class ModelResolver {
  private cache = new Map<string, ModelConfig>();
  constructor(private readonly client: InvokeAIClient) {}

  async refresh(): Promise<ModelConfig[]> {
    const models = await this.client.listModels();
    this.cache = new Map(models.map((m) => [m.name, m]));
    return models;
  }

  async resolve(name: string): Promise<ModelConfig> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const models = await this.refresh();
    const found = this.cache.get(name);
    if (found) return found;
    const installed = models.map((m) => m.name).join(", ") || "none";
    throw new PermanentError(`model ${name} is not installed in InvokeAI (installed: ${installed})`);
  }

  forget(): void {
    this.cache.clear();
  }
}

/** Backend driving the InvokeAI server at `client`. */
export class InvokeAIBackend implements Backend {
  private readonly models: ModelResolver;

  constructor(
    private readonly client: InvokeAIClient,
    private readonly timing: InvokeAITiming,
    private readonly log: Logger,
  ) {
    this.models = new ModelResolver(client);
  }

  /** Waits for /api/v1/app/version, then resolves the installed models once. */
  async ready(signal: AbortSignal): Promise<void> {
    for (let delay = 250; !signal.aborted; delay = Math.min(delay * 2, this.timing.readyMaxDelayMs ?? 5000)) {
      try {
        const { version } = await this.client.version();
        const models = await this.models.refresh();
        this.log.info({ version, models: models.map((m) => `${m.name} (${m.base})`) }, "InvokeAI is ready");
        if (models.length === 0) this.log.error({}, "InvokeAI has no main models installed; jobs will fail");
        return;
      } catch (err) {
        this.log.warn({ err: String(err), retryInMs: delay }, "Waiting for InvokeAI");
        await sleep(delay, signal);
      }
    }
    throw new HandBack();
  }

  async generate(req: GenerateRequest): Promise<Generated> {
    try {
      return await this.attempt(req);
    } catch (err) {
      throw this.classify(err);
    }
  }

  private classify(err: unknown): Error {
    if (err instanceof PermanentError || err instanceof TransientError || err instanceof HandBack) return err;
    if (err instanceof InvokeAIError && err.status === 422) return new PermanentError(`InvokeAI rejected the graph: ${err.detail.slice(0, 500)}`);
    return new TransientError(`InvokeAI unavailable: ${err instanceof Error ? err.message : String(err)}`);
  }

  private async attempt(req: GenerateRequest): Promise<Generated> {
    const existing = await this.client.listByDestination(req.jobKey);
    const item = (await this.reusable(existing)) ?? (await this.enqueue(req));
    const final = item.status === "completed" ? item : await this.wait(item.item_id, req);
    const outcome = interpret(final, req.jobKey, false);
    if (outcome.kind === "completed") {
      const png = await this.client.getImageFull(outcome.imageName);
      if (!png) throw new TransientError(`InvokeAI image ${outcome.imageName} is gone`);
      return { png, cleanup: () => this.cleanup(req.jobKey) };
    }
    await this.cleanup(req.jobKey);
    if (outcome.kind === "unknown-model") {
      this.models.forget();
      throw new TransientError(outcome.reason);
    }
    if (outcome.kind === "permanent") throw new PermanentError(outcome.reason);
    throw new TransientError(outcome.kind === "retry" ? outcome.reason : "InvokeAI item did not finish");
  }

  /** A live item to attach to, or a completed one whose image still exists. */
  private async reusable(items: QueueItem[]): Promise<QueueItem | null> {
    const live = items.find(isLive);
    if (live) {
      this.log.info({ itemId: live.item_id, status: live.status }, "Attaching to the existing InvokeAI item");
      return live;
    }
    for (const item of items.filter((i) => i.status === "completed")) {
      const name = outputImage(item);
      if (name && (await this.client.hasImage(name))) return item;
    }
    return null;
  }

  private async enqueue(req: GenerateRequest): Promise<QueueItem> {
    const model = await this.models.resolve(req.params.model);
    const res = await this.client.enqueue(buildBatch(req.jobKey, req.params, model));
    const itemId = res.item_ids[0];
    if (res.enqueued < 1 || itemId === undefined) throw new TransientError("InvokeAI queue is full");
    req.onProgress(5);
    return { item_id: itemId, status: "pending", batch_id: req.jobKey };
  }

  /** Polls until the item is terminal; cancels it on timeout and on shutdown. */
  private async wait(itemId: number, req: GenerateRequest): Promise<QueueItem | null> {
    const deadline = Date.now() + this.timing.timeoutMs;
    for (;;) {
      if (req.signal.aborted) {
        await this.client.cancelByDestination(req.jobKey);
        throw new HandBack();
      }
      const item = await this.client.getItem(itemId);
      if (interpret(item, req.jobKey, false).kind !== "running") return item;
      req.onProgress(progressOf(item!));
      if (Date.now() > deadline) {
        await this.client.cancelItem(itemId);
        throw new TransientError(`generation timed out after ${Math.round(this.timing.timeoutMs / 1000)} s and was canceled`);
      }
      await sleep(this.timing.pollMs, req.signal);
    }
  }

  /**
   * Deletes the destination's items and their images from InvokeAI. Failures are logged and
   * not thrown: the PNG is already stored, and InvokeAI prunes old items at its next start.
   */
  private async cleanup(jobKey: string): Promise<void> {
    try {
      for (const item of await this.client.listByDestination(jobKey)) {
        const image = outputImage(item);
        if (image) await this.client.deleteImage(image);
        await this.client.deleteItem(item.item_id);
      }
    } catch (err) {
      this.log.warn({ jobKey, err: String(err) }, "InvokeAI cleanup failed");
    }
  }
}
