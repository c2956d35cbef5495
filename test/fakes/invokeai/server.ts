/**
 * A fake InvokeAI server honouring the HTTP queue/image contract of INVOKEAI.md (v6.13.8):
 * enqueue validation (422), items that advance one status per poll, results keyed by fresh
 * execution ids, null fields omitted, cancel/delete/list by destination, images with real PNG
 * bytes, and scenario switches for the failure modes (errors, hangs, restarts, DB resets).
 * Runs in the test process on 127.0.0.1 with a random port.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { drawPng } from "../../../worker/procedural/draw.ts";
import { SCHEDULERS } from "../../../worker/job/schema.ts";

type Status = "pending" | "in_progress" | "completed" | "failed" | "canceled";

/** How the next items end. */
export type Ending =
  | { kind: "complete" }
  | { kind: "fail"; errorType: string; errorMessage: string }
  | { kind: "cancel" } // spontaneous cancel (InvokeAI restart)
  | { kind: "hang" }; // stays in_progress forever

/** Scenario switches; change them at any time with `fake.scenario`. */
export interface Scenario {
  /** Polls an item spends in pending, then in in_progress. */
  pendingPolls: number;
  runningPolls: number;
  ending: Ending;
  /** Answer 500 to this many enqueue calls (Infinity = always). */
  enqueueErrors: number;
  /** Answer 200 with enqueued:0 (queue full). */
  queueFull: boolean;
  /** Cancelling an in-progress item still saves its image (late VAE decode). */
  lateImageOnCancel: boolean;
  /** Max image side drawn (keeps tests fast); the PNG keeps the requested aspect. */
  maxImageSide: number;
  /**
   * The server stops answering HTTP (a hung process): requests are read and never answered,
   * their connections held open until the client gives up. Items do not advance meanwhile.
   */
  unresponsive: boolean;
}

interface Item {
  item_id: number;
  status: Status;
  status_sequence: number;
  batch_id: string;
  origin: string;
  destination: string;
  session_id: string;
  queue_id: string;
  created_at: string;
  updated_at: string;
  started_at?: string;
  completed_at?: string;
  error_type?: string;
  error_message?: string;
  error_traceback?: string;
  polls: number;
  graph: { nodes: Record<string, Record<string, unknown>>; edges: Edge[] };
  results: Record<string, { type: string; image: { image_name: string }; width: number; height: number }>;
  source_prepared_mapping: Record<string, string[]>;
  prepared_source_mapping: Record<string, string>;
  ending: Ending;
}

interface Edge {
  source: { node_id: string; field: string };
  destination: { node_id: string; field: string };
}

type Problem = { loc: string[]; msg: string; type: string };
type Nodes = Record<string, Record<string, unknown>>;
const at = (...path: string[]): string[] => ["body", "batch", "graph", ...path];

/** Node key = id, known node types. */
function nodeProblems(nodes: Nodes): Problem[] {
  return Object.entries(nodes).flatMap(([key, node]) => [
    ...(node.id !== key ? [{ loc: at("nodes", key), msg: "Node key must equal node id", type: "value_error" }] : []),
    ...(!NODE_TYPES.has(String(node.type)) ? [{ loc: at("nodes", key, "type"), msg: `Unknown invocation type ${String(node.type)}`, type: "union_tag_invalid" }] : []),
  ]);
}

/** Per-field pydantic constraints InvokeAI checks at enqueue. */
function fieldProblems(nodes: Nodes): Problem[] {
  const problems: Problem[] = [];
  const { noise, denoise } = nodes;
  if (noise && (Number(noise.width) % 8 !== 0 || Number(noise.height) % 8 !== 0)) problems.push({ loc: at("nodes", "noise", "width"), msg: "Input should be a multiple of 8", type: "multiple_of" });
  if (denoise && Number(denoise.cfg_scale) < 1) problems.push({ loc: at("nodes", "denoise", "cfg_scale"), msg: "Input should be greater than or equal to 1", type: "greater_than_equal" });
  if (denoise && !(SCHEDULERS as readonly string[]).includes(String(denoise.scheduler))) problems.push({ loc: at("nodes", "denoise", "scheduler"), msg: "Input should be a valid scheduler", type: "literal_error" });
  return problems;
}

/** Edge endpoints exist; at most one edge into an input. */
function edgeProblems(nodes: Nodes, edges: Edge[]): Problem[] {
  const problems: Problem[] = [];
  const inputs = new Set<string>();
  for (const e of edges) {
    if (!nodes[e.source.node_id] || !nodes[e.destination.node_id]) problems.push({ loc: at("edges"), msg: "Edge references a missing node", type: "value_error" });
    const input = `${e.destination.node_id}.${e.destination.field}`;
    if (inputs.has(input)) problems.push({ loc: at("edges"), msg: `Input ${input} has more than one edge`, type: "value_error" });
    inputs.add(input);
  }
  return problems;
}

const NODE_TYPES = new Set(["sdxl_model_loader", "main_model_loader", "sdxl_compel_prompt", "compel", "noise", "denoise_latents", "l2i"]);
const stamp = (): string => new Date().toISOString().replace("T", " ").replace("Z", "");

/** The fake server. */
export class FakeInvokeAI {
  scenario: Scenario = { pendingPolls: 1, runningPolls: 2, ending: { kind: "complete" }, enqueueErrors: 0, queueFull: false, lateImageOnCancel: false, maxImageSide: 128, unresponsive: false };
  /** Every request as "METHOD path", for assertions. */
  readonly calls: string[] = [];
  enqueued = 0;
  /** Requests left without an answer while `scenario.unresponsive` was on. */
  unanswered = 0;
  private items = new Map<number, Item>();
  private images = new Map<string, Buffer>();
  private nextId = 1;
  private models: { key: string; hash: string; name: string; base: string; type: string; format: string; path: string; source: string }[];
  private server: Server | null = null;
  port = 0;

  constructor(modelNames: { name: string; base: string }[] = [{ name: "sdxl-base", base: "sdxl" }, { name: "sd15", base: "sd-1" }]) {
    this.models = modelNames.map((m) => ({ key: randomUUID(), hash: `blake3:${randomUUID()}`, ...m, type: "main", format: "diffusers", path: `/models/${m.name}`, source: `/models/${m.name}` }));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * Restarts on the same port. persistDb=true: in_progress items become canceled (startup sweep).
   * persistDb=false: everything is gone, item ids restart at 1 and model keys change.
   */
  async restart(opts: { persistDb: boolean; downMs?: number }): Promise<void> {
    await this.stop();
    if (opts.persistDb) {
      for (const item of this.items.values()) if (item.status === "in_progress") this.transition(item, "canceled");
    } else {
      this.items.clear();
      this.images.clear();
      this.nextId = 1;
      this.models = this.models.map((m) => ({ ...m, key: randomUUID() }));
    }
    await new Promise((r) => setTimeout(r, opts.downMs ?? 50));
    await this.start(this.port);
  }

  /** Items currently known (copies). */
  listItems(): Item[] {
    return [...this.items.values()].map((i) => ({ ...i }));
  }

  /** Image names currently stored. */
  imageNames(): string[] {
    return [...this.images.keys()];
  }

  /** Key of a model by name. */
  modelKey(name: string): string | undefined {
    return this.models.find((m) => m.name === name)?.key;
  }

  private transition(item: Item, status: Status): void {
    item.status = status;
    item.status_sequence++;
    item.updated_at = stamp();
    if (status === "in_progress") item.started_at = stamp();
    if (status === "completed" || status === "failed" || status === "canceled") item.completed_at = stamp();
  }

  private saveImage(item: Item): void {
    const noise = item.graph.nodes.noise ?? {};
    const denoiseW = Number(noise.width ?? 64);
    const denoiseH = Number(noise.height ?? 64);
    const scale = Math.min(1, this.scenario.maxImageSide / Math.max(denoiseW, denoiseH));
    const w = Math.max(8, Math.round(denoiseW * scale));
    const h = Math.max(8, Math.round(denoiseH * scale));
    const name = `${randomUUID()}.png`;
    const rawPrompt = item.graph.nodes.pos_cond?.prompt;
    const prompt = typeof rawPrompt === "string" ? rawPrompt : "";
    this.images.set(name, drawPng(prompt, Number(noise.seed ?? 0), w, h));
    const execId = randomUUID();
    item.results[execId] = { type: "image_output", image: { image_name: name }, width: w, height: h };
    item.source_prepared_mapping.output = [execId];
    item.prepared_source_mapping[execId] = "output";
  }

  /** Advances an item by one poll. */
  private advance(item: Item): void {
    item.polls++;
    if (item.status === "pending" && item.polls > this.scenario.pendingPolls) this.transition(item, "in_progress");
    else if (item.status === "in_progress" && item.polls > this.scenario.pendingPolls + this.scenario.runningPolls) this.finish(item);
  }

  private finish(item: Item): void {
    const ending = item.ending;
    if (ending.kind === "hang") return;
    if (ending.kind === "complete") {
      this.saveImage(item);
      this.transition(item, "completed");
    } else if (ending.kind === "fail") {
      Object.assign(item, { error_type: ending.errorType, error_message: ending.errorMessage, error_traceback: `Traceback (most recent call last):\n  ${ending.errorType}: ${ending.errorMessage}` });
      this.transition(item, "failed");
    } else {
      this.transition(item, "canceled");
    }
  }

  private view(item: Item): Record<string, unknown> {
    const { polls: _p, graph, results, source_prepared_mapping, prepared_source_mapping, ending: _e, ...rest } = item;
    // null fields are omitted, as InvokeAI does (response_model_exclude_none)
    return {
      ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
      priority: 0,
      field_values: undefined,
      session: { id: item.session_id, graph, execution_graph: { nodes: {}, edges: [] }, executed: [], executed_history: [], results, errors: {}, prepared_source_mapping, source_prepared_mapping },
    };
  }

  private validate(batch: { graph?: { nodes?: Record<string, Record<string, unknown>>; edges?: Edge[] } }): Problem[] {
    const nodes = batch.graph?.nodes ?? {};
    return [...nodeProblems(nodes), ...fieldProblems(nodes), ...edgeProblems(nodes, batch.graph?.edges ?? [])];
  }

  private enqueue(body: { batch?: { batch_id?: string; origin?: string; destination?: string; graph?: Item["graph"]; runs?: number } }): [number, unknown] {
    if (this.scenario.enqueueErrors > 0) {
      this.scenario.enqueueErrors--;
      return [500, { detail: "Unexpected error while enqueuing batch: database is locked" }];
    }
    const batch = body.batch ?? {};
    const errors = this.validate(batch);
    if (errors.length > 0) return [422, { detail: errors }];
    const batchId = batch.batch_id ?? randomUUID();
    if (this.scenario.queueFull) return [200, { queue_id: "default", enqueued: 0, requested: 1, priority: 0, item_ids: [], batch: { ...batch, batch_id: batchId } }];
    const item: Item = {
      item_id: this.nextId++, status: "pending", status_sequence: 0, batch_id: batchId, origin: batch.origin ?? "", destination: batch.destination ?? "",
      session_id: randomUUID(), queue_id: "default", created_at: stamp(), updated_at: stamp(), polls: 0, graph: batch.graph ?? { nodes: {}, edges: [] },
      results: {}, source_prepared_mapping: {}, prepared_source_mapping: {}, ending: this.scenario.ending,
    };
    this.items.set(item.item_id, item);
    this.enqueued++;
    return [200, { queue_id: "default", enqueued: 1, requested: 1, priority: 0, item_ids: [item.item_id], batch: { ...batch, batch_id: batchId } }];
  }

  private cancel(item: Item): void {
    if (item.status === "completed" || item.status === "failed" || item.status === "canceled") return;
    if (item.status === "in_progress" && this.scenario.lateImageOnCancel) this.saveImage(item);
    this.transition(item, "canceled");
  }

  private queueStatus(): [number, unknown] {
    const count = (st: Status): number => [...this.items.values()].filter((i) => i.status === st).length;
    const queue = { queue_id: "default", pending: count("pending"), in_progress: count("in_progress"), completed: count("completed"), failed: count("failed"), canceled: count("canceled"), total: this.items.size };
    return [200, { queue, processor: { is_started: true, is_processing: count("in_progress") > 0 } }];
  }

  private cancelByDestination(dest: string | null): [number, unknown] {
    const targets = [...this.items.values()].filter((i) => i.destination === dest && (i.status === "pending" || i.status === "in_progress"));
    targets.forEach((i) => this.cancel(i));
    return [200, { canceled: targets.length }];
  }

  /** GET, cancel and delete of one queue item. */
  private itemRoute(method: string, id: number, cancel: boolean): [number, unknown] {
    const item = this.items.get(id);
    if (!item) return [404, { detail: `Queue item ${id} not found` }];
    if (method === "GET" && !cancel) this.advance(item);
    else if (method === "PUT" && cancel) this.cancel(item);
    else if (method === "DELETE") {
      this.cancel(item);
      this.items.delete(item.item_id);
      return [200, {}];
    } else return [405, { detail: "Method Not Allowed" }];
    return [200, this.view(item)];
  }

  /** /full bytes (GET, HEAD) and DELETE of one image. */
  private imageRoute(method: string, name: string, suffix: string | undefined): [number, unknown] {
    const png = this.images.get(name);
    if (!png) return [404, { detail: "Image not found" }];
    if (method === "DELETE" && !suffix) {
      this.images.delete(name);
      return [200, { deleted_images: [name], affected_boards: [] }];
    }
    if ((method === "GET" || method === "HEAD") && suffix === "/full") return [200, png];
    return [404, { detail: "Not Found" }];
  }

  private route(method: string, url: URL, body: unknown): [number, unknown] {
    const path = url.pathname;
    const fixed: Record<string, () => [number, unknown]> = {
      "GET /api/v1/app/version": () => [200, { version: "6.13.8" }],
      "GET /api/v1/queue/default/status": () => this.queueStatus(),
      "GET /api/v2/models/": () => [200, { models: this.models.filter((m) => !url.searchParams.get("base_models") || m.base === url.searchParams.get("base_models")) }],
      "POST /api/v1/queue/default/enqueue_batch": () => this.enqueue(body as never),
      "GET /api/v1/queue/default/list_all": () => [200, [...this.items.values()].filter((i) => !url.searchParams.get("destination") || i.destination === url.searchParams.get("destination")).map((i) => this.view(i))],
      "PUT /api/v1/queue/default/cancel_by_destination": () => this.cancelByDestination(url.searchParams.get("destination")),
    };
    const handler = fixed[`${method} ${path}`];
    if (handler) return handler();
    const itemMatch = /^\/api\/v1\/queue\/default\/i\/(\d+)(\/cancel)?$/.exec(path);
    if (itemMatch) return this.itemRoute(method, Number(itemMatch[1]), Boolean(itemMatch[2]));
    const imageMatch = /^\/api\/v1\/images\/i\/([^/]+?)(\/full|\/metadata)?$/.exec(path);
    if (imageMatch) return this.imageRoute(method, decodeURIComponent(imageMatch[1]!), imageMatch[2]);
    return [404, { detail: "Not Found" }];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://fake");
    this.calls.push(`${req.method} ${url.pathname}`);
    if (this.scenario.unresponsive) {
      this.unanswered++;
      return;
    }
    let body: unknown = undefined;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      res.writeHead(422, { "content-type": "application/json" }).end(JSON.stringify({ detail: [{ type: "json_invalid", loc: ["body"], msg: "JSON decode error" }] }));
      return;
    }
    const [status, payload] = this.route(req.method ?? "GET", url, body);
    if (Buffer.isBuffer(payload)) {
      res.writeHead(status, { "content-type": "image/png", "content-length": payload.length });
      res.end(req.method === "HEAD" ? undefined : payload);
      return;
    }
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
  }
}
