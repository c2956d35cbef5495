/**
 * Builds the text-to-image batch of INVOKEAI.md §3.2 (SDXL) or its SD1.5 variant. Pure.
 * The output node is "output": results are found through source_prepared_mapping["output"].
 */
import type { GenerationParams } from "../job/schema.ts";
import { PermanentError } from "../errors.ts";
import type { Batch, Edge, Graph, Invocation, ModelConfig } from "./types.ts";

/** Id of the node whose image is the result. */
export const OUTPUT_NODE = "output";

const edge = (from: string, field: string, to: string, toField = field): Edge => ({
  source: { node_id: from, field },
  destination: { node_id: to, field: toField },
});

const node = (id: string, type: string, fields: Record<string, unknown>): Invocation => ({ id, type, ...fields });

function shared(jobKey: string, p: GenerationParams): Invocation[] {
  return [
    node("noise", "noise", { seed: p.seed, width: p.width, height: p.height, use_cpu: true }),
    node("denoise", "denoise_latents", { steps: p.steps, cfg_scale: p.cfgScale, scheduler: p.scheduler, denoising_start: 0, denoising_end: 1 }),
    node(OUTPUT_NODE, "l2i", {
      is_intermediate: false,
      use_cache: false, // an identical request must generate, not return a cached (maybe deleted) image
      fp32: true, // the SDXL VAE produces NaN/black images in fp16
      metadata: { job_id: jobKey, positive_prompt: p.prompt, negative_prompt: p.negativePrompt, seed: p.seed, model: p.model },
    }),
  ];
}

const sharedEdges: Edge[] = [
  edge("pos_cond", "conditioning", "denoise", "positive_conditioning"),
  edge("neg_cond", "conditioning", "denoise", "negative_conditioning"),
  edge("noise", "noise", "denoise"),
  edge("denoise", "latents", OUTPUT_NODE),
  edge("model_loader", "unet", "denoise"),
  edge("model_loader", "vae", OUTPUT_NODE),
];

const identifier = (m: ModelConfig): Record<string, string> => ({ key: m.key, hash: m.hash, name: m.name, base: m.base, type: m.type });

function sdxl(p: GenerationParams, m: ModelConfig): { nodes: Invocation[]; edges: Edge[] } {
  const size = { original_width: p.width, original_height: p.height, target_width: p.width, target_height: p.height, crop_top: 0, crop_left: 0 };
  return {
    nodes: [
      node("model_loader", "sdxl_model_loader", { model: identifier(m) }),
      node("pos_cond", "sdxl_compel_prompt", { prompt: p.prompt, style: p.prompt, ...size }),
      node("neg_cond", "sdxl_compel_prompt", { prompt: p.negativePrompt, style: p.negativePrompt, ...size }),
    ],
    edges: ["pos_cond", "neg_cond"].flatMap((c) => [edge("model_loader", "clip", c), edge("model_loader", "clip2", c)]),
  };
}

function sd1(p: GenerationParams, m: ModelConfig): { nodes: Invocation[]; edges: Edge[] } {
  return {
    nodes: [
      node("model_loader", "main_model_loader", { model: identifier(m) }),
      node("pos_cond", "compel", { prompt: p.prompt }),
      node("neg_cond", "compel", { prompt: p.negativePrompt }),
    ],
    edges: [edge("model_loader", "clip", "pos_cond"), edge("model_loader", "clip", "neg_cond")],
  };
}

/** The batch for one job; `jobKey` is its batch_id and destination (recovery key, §5). */
export function buildBatch(jobKey: string, p: GenerationParams, model: ModelConfig): Batch {
  const loader = model.base === "sdxl" ? sdxl : model.base === "sd-1" ? sd1 : null;
  if (!loader) throw new PermanentError(`model ${model.name} has base ${model.base}; supported bases are sdxl and sd-1`);
  const specific = loader(p, model);
  const nodes = [...specific.nodes, ...shared(jobKey, p)];
  const graph: Graph = {
    id: `t2i-${jobKey}`,
    nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
    edges: [...specific.edges, ...sharedEdges],
  };
  return { batch_id: jobKey, origin: "genpool-worker", destination: jobKey, runs: 1, graph };
}
