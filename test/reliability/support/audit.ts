/**
 * The exactly-once auditor. After a run it reads the three stores a generation touches and
 * checks every accepted generation (every 202):
 * - completed: one image row, at the deterministic key, and that S3 object (size as recorded);
 * - failed: a reason a user can read, no image row;
 * - anything else (no row, still queued/running, BullMQ job not settled) is lost.
 * Objects and rows that no completed generation accounts for are duplicates.
 */
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { Queue } from "bullmq";
import type { Pool } from "../../../worker/adapters/pg.ts";
import { imageKey } from "../../../worker/job/keys.ts";
import type { Accepted } from "./stream.ts";

/** One finding, naming the generation (or the S3 key) concerned. */
export interface Finding {
  id: string;
  why: string;
}

/** What the audit found. */
export interface Audit {
  accepted: number;
  completed: number;
  failed: Finding[];
  lost: Finding[];
  duplicated: Finding[];
  /** Generations that needed more than one attempt (work repeated, output not). */
  reattempted: number;
  /** Rows the API wrote without the client seeing a 202 (e.g. the answer was lost). */
  unacknowledgedRows: number;
  /** BullMQ jobs without a generation row (the API answered 503 after adding it). */
  orphanJobs: Finding[];
  /** Ms from the 202 to the worker starting (processedOn − timestamp), sorted. */
  queueWaitsMs: number[];
}

interface Row {
  id: string;
  user_id: string;
  status: string;
  category: string;
  image_name: string;
  error: string | null;
  attempts: number;
}

interface ImageRow {
  name: string;
  generation_id: string | null;
  s3_key: string;
  size_bytes: string;
}

/** Where the auditor reads. */
export interface Stores {
  db: Pool;
  s3: S3Client;
  bucket: string;
  queue: Queue;
  /**
   * Jobs the test knows Redis lost (a failover): one that a worker still held then may complete
   * its generation with no BullMQ job left to mark; everything else is judged as usual.
   */
  lostByRedis?: ReadonlySet<string>;
}

const TERMINAL_JOB = new Set(["completed", "failed"]);

/** Every object in the bucket: key → size. */
async function listBucket(s3: S3Client, bucket: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.set(o.Key ?? "", o.Size ?? 0);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

async function inChunks<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

/** A reason is readable when it is a sentence, not an empty string, an object dump or a stack. */
export const readable = (reason: string | null): boolean =>
  !!reason && reason.trim().length >= 10 && !/\[object |^\s*at |\n\s+at /.test(reason);

/** Waits until every accepted generation is completed or failed and the queue holds nothing pending. */
export async function settle(stores: Stores, accepted: readonly Accepted[], timeoutMs: number): Promise<boolean> {
  const ids = accepted.map((a) => a.id);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    // Rows the client never saw a 202 for (its answer was cut off) must settle too.
    const res = await stores.db.query<{ n: string; open: string }>(
      "SELECT count(*) FILTER (WHERE id = ANY($1::uuid[]) AND status IN ('completed', 'failed')) AS n, count(*) FILTER (WHERE status NOT IN ('completed', 'failed')) AS open FROM generations",
      [ids],
    ).catch(() => null);
    const counts = await stores.queue.getJobCounts("wait", "active", "delayed", "prioritized", "paused", "waiting-children").catch(() => null);
    const pending = counts ? Object.values(counts).reduce((a, b) => a + b, 0) : -1;
    if (res && Number(res.rows[0]!.n) === ids.length && Number(res.rows[0]!.open) === 0 && pending === 0) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function checkCompleted(g: Row, image: ImageRow | undefined, objects: Map<string, number>): Finding | null {
  const key = imageKey(g.user_id, g.category, g.image_name);
  if (!image) return { id: g.id, why: "completed without an image row" };
  if (image.s3_key !== key) return { id: g.id, why: `image row points at ${image.s3_key}, expected ${key}` };
  const size = objects.get(key);
  if (size === undefined) return { id: g.id, why: `completed but S3 has no object at ${key}` };
  if (size !== Number(image.size_bytes)) return { id: g.id, why: `S3 object is ${size} bytes, the row says ${image.size_bytes}` };
  return null;
}

/** Per-generation verdicts for the accepted ids (an image row of a failed one is reported by strays()). */
function judge(accepted: readonly Accepted[], seen: { rows: Map<string, Row>; images: Map<string, ImageRow>; objects: Map<string, number>; states: Map<string, string>; lostByRedis: ReadonlySet<string> }): Pick<Audit, "completed" | "failed" | "lost" | "duplicated"> {
  const { rows, images, objects, states, lostByRedis } = seen;
  const out = { completed: 0, failed: [] as Finding[], lost: [] as Finding[], duplicated: [] as Finding[] };
  for (const a of accepted) {
    const g = rows.get(a.id);
    const state = states.get(a.id) ?? "missing";
    if (!g) out.lost.push({ id: a.id, why: `no generation row (BullMQ: ${state})` });
    else if (g.status === "completed") {
      const problem = checkCompleted(g, images.get(g.id), objects);
      if (problem) out.lost.push(problem);
      else if (state !== "completed" && !(state === "missing" && lostByRedis.has(a.id))) out.lost.push({ id: a.id, why: `generation completed but its BullMQ job is ${state}` });
      else out.completed++;
    } else if (g.status === "failed") {
      if (!readable(g.error)) out.lost.push({ id: a.id, why: `failed without a readable reason: ${JSON.stringify(g.error)}` });
      else if (!TERMINAL_JOB.has(state)) out.lost.push({ id: a.id, why: `generation failed but its BullMQ job is ${state}` });
      else out.failed.push({ id: a.id, why: g.error! });
    } else out.lost.push({ id: a.id, why: `still ${g.status} (BullMQ: ${state}, ${g.attempts} attempt(s))` });
  }
  return out;
}

/** Rows and objects no completed accepted generation accounts for. */
function strays(rows: Map<string, Row>, images: ImageRow[], objects: Map<string, number>): Finding[] {
  const expected = new Set([...rows.values()].filter((g) => g.status === "completed").map((g) => imageKey(g.user_id, g.category, g.image_name)));
  const out: Finding[] = [];
  const perGeneration = new Map<string, number>();
  for (const img of images) {
    if (img.generation_id) perGeneration.set(img.generation_id, (perGeneration.get(img.generation_id) ?? 0) + 1);
    const g = img.generation_id ? rows.get(img.generation_id) : undefined;
    if (!g) out.push({ id: img.generation_id ?? img.name, why: `image row ${img.name} belongs to no generation` });
    else if (g.status !== "completed") out.push({ id: g.id, why: `image row ${img.name} for a generation that is ${g.status}` });
  }
  for (const [id, n] of perGeneration) if (n > 1) out.push({ id, why: `${n} image rows` });
  for (const key of objects.keys()) if (!expected.has(key)) out.push({ id: key, why: "S3 object that no completed generation accounts for" });
  return out;
}

/** Reads PostgreSQL, the S3 listing and BullMQ states and judges every accepted generation. */
export async function audit(stores: Stores, accepted: readonly Accepted[]): Promise<Audit> {
  const rows = new Map((await stores.db.query<Row>("SELECT id, user_id, status, category, image_name, error, attempts FROM generations")).rows.map((r) => [r.id, r]));
  const imageRows = (await stores.db.query<ImageRow>("SELECT name, generation_id, s3_key, size_bytes FROM images")).rows;
  const images = new Map(imageRows.filter((i) => i.generation_id).map((i) => [i.generation_id!, i]));
  const objects = await listBucket(stores.s3, stores.bucket);
  const jobs = await inChunks(accepted.map((a) => a.id), 50, async (id) => [id, await stores.queue.getJob(id)] as const);
  const states = new Map(await inChunks(jobs, 50, async ([id, job]) => [id, job ? await job.getState() : "missing"] as const));
  const verdicts = judge(accepted, { rows, images, objects, states, lostByRedis: stores.lostByRedis ?? new Set() });
  const ids = new Set(accepted.map((a) => a.id));
  const unacknowledged = [...rows.values()].filter((g) => !ids.has(g.id));
  const stuck = unacknowledged.filter((g) => g.status !== "completed" && g.status !== "failed").map((g) => ({ id: g.id, why: `unacknowledged generation still ${g.status}` }));
  const [completedJobs, failedJobs] = await Promise.all([stores.queue.getJobs(["completed"]), stores.queue.getJobs(["failed"])]);
  const orphanJobs = [...completedJobs, ...failedJobs].filter((j) => j.id && !rows.has(j.id)).map((j) => ({ id: j.id!, why: j.failedReason || "completed" }));
  const queueWaitsMs = jobs.map(([, j]) => (j?.processedOn && j.timestamp ? j.processedOn - j.timestamp : null)).filter((w): w is number => w !== null).sort((a, b) => a - b);
  return {
    accepted: accepted.length,
    ...verdicts,
    lost: [...verdicts.lost, ...stuck],
    duplicated: [...verdicts.duplicated, ...strays(rows, imageRows, objects)],
    reattempted: [...rows.values()].filter((g) => ids.has(g.id) && g.attempts > 1).length,
    unacknowledgedRows: unacknowledged.length,
    orphanJobs,
    queueWaitsMs,
  };
}

/** Failed reasons grouped: "reason (n)". */
export function reasons(failed: Finding[]): string[] {
  const counts = new Map<string, number>();
  for (const f of failed) {
    const generic = f.why.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "<id>").replace(/item \d+/g, "item <n>");
    counts.set(generic, (counts.get(generic) ?? 0) + 1);
  }
  return [...counts].map(([why, n]) => `${why} (${n})`);
}

/** Percentile of a sorted list. */
export const percentile = (sorted: number[], q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
