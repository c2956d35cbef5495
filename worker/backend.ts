/** What the job processor needs from an image generator (InvokeAI or procedural). */
import type { GenerationParams } from "./job/schema.ts";

/** One generation request. `jobKey` is the BullMQ job id (= generation id). */
export interface GenerateRequest {
  jobKey: string;
  params: GenerationParams;
  /** Aborted on shutdown: the backend cancels its work and throws HandBack. */
  signal: AbortSignal;
  onProgress: (percent: number) => void;
}

/** A generated PNG; cleanup() frees the generator's copy once the PNG is stored. */
export interface Generated {
  png: Buffer;
  cleanup: () => Promise<void>;
}

/** An image generator. */
export interface Backend {
  /** Resolves once the generator can take jobs (waits, with backoff, until `signal` aborts). */
  ready(signal: AbortSignal): Promise<void>;
  generate(req: GenerateRequest): Promise<Generated>;
}
