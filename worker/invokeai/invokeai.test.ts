import test from "ava";
import { PermanentError } from "../errors.ts";
import type { GenerationParams } from "../job/schema.ts";
import { buildBatch, OUTPUT_NODE } from "./graph.ts";
import { interpret, outputImage, progressOf } from "./outcome.ts";
import type { ModelConfig, QueueItem } from "./types.ts";

const params: GenerationParams = { prompt: "a fox", negativePrompt: "blurry", model: "m", width: 1024, height: 768, steps: 30, cfgScale: 7.5, scheduler: "dpmpp_3m_k", seed: 123 };
const model = (base: string): ModelConfig => ({ key: "k1", hash: "h1", name: "m", base, type: "main" });

for (const [base, loader, prompt] of [["sdxl", "sdxl_model_loader", "sdxl_compel_prompt"], ["sd-1", "main_model_loader", "compel"]] as const) {
  test(`graph for base ${base}: node keys equal ids, one edge per input, uncached output, job key as batch id and destination`, (t) => {
    const batch = buildBatch("job-42", params, model(base));
    t.is(batch.batch_id, "job-42");
    t.is(batch.destination, "job-42");
    const nodes = batch.graph.nodes;
    for (const [key, node] of Object.entries(nodes)) t.is(node.id, key);
    t.is(nodes.model_loader?.type, loader);
    t.is(nodes.pos_cond?.type, prompt);
    t.like(nodes[OUTPUT_NODE], { type: "l2i", use_cache: false, is_intermediate: false, fp32: true });
    t.like(nodes.noise, { seed: 123, width: 1024, height: 768, use_cpu: true });
    t.like(nodes.denoise, { steps: 30, cfg_scale: 7.5, scheduler: "dpmpp_3m_k" });
    const inputs = batch.graph.edges.map((e) => `${e.destination.node_id}.${e.destination.field}`);
    t.is(new Set(inputs).size, inputs.length, "no input has two edges");
    for (const e of batch.graph.edges) {
      t.truthy(nodes[e.source.node_id], e.source.node_id);
      t.truthy(nodes[e.destination.node_id], e.destination.node_id);
    }
    t.deepEqual(nodes.model_loader?.model, { key: "k1", hash: "h1", name: "m", base, type: "main" });
  });
}

test("graph for an unsupported base is a permanent error naming the base", (t) => {
  const err = t.throws(() => buildBatch("j", params, model("flux")), { instanceOf: PermanentError });
  t.regex(err.message, /base flux/);
});

const item = (over: Partial<QueueItem>): QueueItem => ({ item_id: 1, status: "in_progress", batch_id: "job", ...over });
const completed = item({
  status: "completed",
  session: { results: { "exec-9": { type: "image_output", image: { image_name: "abc.png" } } }, source_prepared_mapping: { output: ["exec-9"] }, prepared_source_mapping: { "exec-9": "output" } },
});

// One row per behaviour of INVOKEAI.md §3.8.
const outcomes: { why: string; item: QueueItem | null; canceledByUs?: boolean; kind: string; reason?: RegExp }[] = [
  { why: "pending is still running", item: item({ status: "pending" }), kind: "running" },
  { why: "6.14 'waiting' is non-terminal", item: item({ status: "waiting" }), kind: "running" },
  { why: "completed gives the image found through the prepared-id mapping", item: completed, kind: "completed" },
  { why: "404 means the DB was reset: retry", item: null, kind: "retry", reason: /lost the queue item/ },
  { why: "a reused item id belongs to another batch: retry", item: item({ batch_id: "other" }), kind: "retry", reason: /reused/ },
  { why: "unknown model: re-resolve and retry", item: item({ status: "failed", error_type: "Exception", error_message: "Unknown model: k1" }), kind: "unknown-model" },
  { why: "OOM is retried", item: item({ status: "failed", error_type: "OutOfMemoryError", error_message: "CUDA out of memory" }), kind: "retry", reason: /OutOfMemoryError/ },
  { why: "a missing model file is permanent", item: item({ status: "failed", error_type: "FileNotFoundError", error_message: "No such file or directory" }), kind: "permanent" },
  { why: "a cancel we did not ask for is an InvokeAI restart", item: item({ status: "canceled" }), kind: "retry", reason: /restart/ },
  { why: "completed without an output image is retried", item: item({ status: "completed", session: { results: {} } }), kind: "retry" },
];

for (const row of outcomes) {
  test(`outcome: ${row.why}`, (t) => {
    const o = interpret(row.item, "job", row.canceledByUs ?? false);
    t.is<string, string>(o.kind, row.kind);
    if (row.reason && "reason" in o) t.regex(o.reason, row.reason);
  });
}

test("output image falls back to the image_output result mapped to the output node", (t) => {
  t.is(outputImage(completed), "abc.png");
  const noMapping = item({ status: "completed", session: { results: { x: { type: "image_output", image: { image_name: "b.png" } } }, prepared_source_mapping: { x: "output" } } });
  t.is(outputImage(noMapping), "b.png");
  t.is(progressOf(item({ status: "pending" })), 10);
  t.is(progressOf(item({ status: "in_progress" })), 50);
});
