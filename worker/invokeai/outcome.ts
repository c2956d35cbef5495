/** What a queue item means for the job (INVOKEAI.md §3.4, §3.8, §5). Pure. */
import { OUTPUT_NODE } from "./graph.ts";
import type { QueueItem } from "./types.ts";

/** Verdict on one observed item. */
export type Outcome =
  | { kind: "running" }
  | { kind: "completed"; imageName: string }
  | { kind: "retry"; reason: string }
  | { kind: "unknown-model"; reason: string }
  | { kind: "permanent"; reason: string };

const TERMINAL = new Set(["completed", "failed", "canceled"]);

/** True for pending, in_progress and any status a newer InvokeAI adds (e.g. "waiting"). */
export const isLive = (item: QueueItem): boolean => !TERMINAL.has(item.status);

/** Name of the output image of a completed item, found through the prepared-id mapping. */
export function outputImage(item: QueueItem): string | null {
  const { results = {}, source_prepared_mapping = {}, prepared_source_mapping = {} } = item.session ?? {};
  const byMapping = (source_prepared_mapping[OUTPUT_NODE] ?? []).map((id) => results[id]?.image?.image_name).find(Boolean);
  if (byMapping) return byMapping;
  const fallback = Object.entries(results).find(([id, r]) => r.type === "image_output" && prepared_source_mapping[id] === OUTPUT_NODE);
  return fallback?.[1].image?.image_name ?? null;
}

/** Failures that no retry will fix. */
const PERMANENT_ERRORS = /ValidationError|KeyError|ValueError|model file|No such file|not found in|Unsupported/i;

function failed(item: QueueItem): Outcome {
  const reason = `InvokeAI failed: ${item.error_type ?? "error"}: ${item.error_message ?? "no message"}`;
  if (/Unknown model/i.test(item.error_message ?? "")) return { kind: "unknown-model", reason };
  if (PERMANENT_ERRORS.test(`${item.error_type ?? ""} ${item.error_message ?? ""}`)) return { kind: "permanent", reason };
  return { kind: "retry", reason }; // OOM and the unknown are retried; the attempt budget bounds them
}

/** Interprets an item that should belong to `jobKey`; `null` means InvokeAI no longer has it. */
export function interpret(item: QueueItem | null, jobKey: string, canceledByUs: boolean): Outcome {
  if (!item) return { kind: "retry", reason: "InvokeAI lost the queue item (restarted with a fresh database)" };
  if (item.batch_id !== jobKey) return { kind: "retry", reason: "InvokeAI reused the queue item id for another batch (database reset)" };
  if (isLive(item)) return { kind: "running" };
  if (item.status === "failed") return failed(item);
  if (item.status === "canceled") {
    return { kind: "retry", reason: canceledByUs ? "generation timed out and was canceled" : "InvokeAI canceled the item (server restart)" };
  }
  const imageName = outputImage(item);
  return imageName ? { kind: "completed", imageName } : { kind: "retry", reason: "InvokeAI completed the item without an output image" };
}

/** Progress (percent) to report for an item status. */
export function progressOf(item: QueueItem): number {
  return item.status === "pending" ? 10 : item.status === "completed" ? 90 : 50;
}
