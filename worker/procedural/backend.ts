/** The procedural backend: draws the PNG in-process (no GPU); the default locally. */
import type { Backend, GenerateRequest, Generated } from "../backend.ts";
import { HandBack } from "../errors.ts";
import { drawPng } from "./draw.ts";

/** Backend that draws a deterministic picture from prompt and seed. */
export function proceduralBackend(): Backend {
  return {
    ready: () => Promise.resolve(),
    generate: (req: GenerateRequest): Promise<Generated> => {
      if (req.signal.aborted) return Promise.reject(new HandBack());
      const { prompt, seed, width, height } = req.params;
      const png = drawPng(prompt, seed, width, height);
      req.onProgress(90);
      return Promise.resolve({ png, cleanup: () => Promise.resolve() });
    },
  };
}
