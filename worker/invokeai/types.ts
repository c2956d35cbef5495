/** The parts of InvokeAI's HTTP contract the worker uses (see INVOKEAI.md §3–§4, v6.13.8). */

/** A registered model (GET /api/v2/models/). */
export interface ModelConfig {
  key: string;
  hash: string;
  name: string;
  base: string;
  type: string;
  format?: string;
}

/** Node of a graph; `id` equals its key in `nodes`. */
export interface Invocation {
  id: string;
  type: string;
  [field: string]: unknown;
}

/** Edge between two node fields. */
export interface Edge {
  source: { node_id: string; field: string };
  destination: { node_id: string; field: string };
}

/** Graph sent in a batch. */
export interface Graph {
  id: string;
  nodes: Record<string, Invocation>;
  edges: Edge[];
}

/** Batch of one run; batch_id and destination tie the queue item to the job. */
export interface Batch {
  batch_id: string;
  origin: string;
  destination: string;
  runs: number;
  graph: Graph;
}

/** Response of enqueue_batch. */
export interface EnqueueResult {
  enqueued: number;
  requested: number;
  item_ids: number[];
}

/** Status of a queue item; "waiting" (6.14) is non-terminal. */
export type ItemStatus = "pending" | "in_progress" | "waiting" | "completed" | "failed" | "canceled";

/** A queue item (null fields are omitted by InvokeAI). */
export interface QueueItem {
  item_id: number;
  status: ItemStatus;
  status_sequence?: number;
  batch_id: string;
  destination?: string;
  error_type?: string;
  error_message?: string;
  session?: {
    results?: Record<string, { type: string; image?: { image_name: string } }>;
    source_prepared_mapping?: Record<string, string[]>;
    prepared_source_mapping?: Record<string, string>;
  };
}
