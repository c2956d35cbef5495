/**
 * Group commit of accepted generations. POSTs that arrive while a batch is being written wait
 * for the next one, and each batch costs one rate-limit script in Redis, one transaction in
 * PostgreSQL (one INSERT for all rows) and one addBulk in BullMQ, instead of one of each per
 * request. A request is never held back for a batch to fill: a batch leaves as soon as fewer
 * than `maxInFlight` are being written, so a lone request goes out on the next turn of the event
 * loop. Each request still gets its own answer: queued, duplicate (its Idempotency-Key won by
 * another request) or rate limited.
 */
import type { Redis } from "ioredis";
import type { Pool } from "../worker/adapters/pg.ts";
import type { JobQueue } from "./adapters/queue.ts";
import { insertAndEnqueue, jobOf, type NewGeneration } from "./db/generations.ts";
import { isUnreachable, UnavailableError } from "./errors.ts";
import { hitMany, type RateLimit } from "./rate-limit.ts";

/** What became of one submitted generation. */
export type IntakeOutcome =
  | { kind: "queued" }
  /** The user's Idempotency-Key was taken by another request: nothing was written or queued. */
  | { kind: "duplicate" }
  | { kind: "rate_limited"; retryAfterSeconds: number };

/** Accepts generations; rejects with UnavailableError when Redis or the queue is down. */
export interface Intake {
  /** Accepts the generation of `row`; its job is jobOf(row). */
  submit(row: NewGeneration): Promise<IntakeOutcome>;
}

/** Batch sizes and concurrency. */
export interface IntakeOptions {
  /** Most generations in one batch. */
  maxBatch: number;
  /** Batches being written at once (each holds one PostgreSQL connection). */
  maxInFlight: number;
}

export const INTAKE_DEFAULTS: IntakeOptions = { maxBatch: 64, maxInFlight: 2 };

/** What the intake writes to. */
export interface IntakeDeps {
  db: Pool;
  redis: Redis;
  queue: JobQueue;
  limit: RateLimit;
  /** Clock in ms (rate-limit windows). */
  now: () => number;
}

interface Pending {
  row: NewGeneration;
  resolve(outcome: IntakeOutcome): void;
  reject(err: unknown): void;
}

/** An Intake that writes in batches (module comment). */
export function batchedIntake(deps: IntakeDeps, opts: IntakeOptions = INTAKE_DEFAULTS): Intake {
  const waiting: Pending[] = [];
  let inFlight = 0;
  let scheduled = false;

  const schedule = (): void => {
    if (scheduled || waiting.length === 0 || inFlight >= opts.maxInFlight) return;
    scheduled = true;
    // setImmediate: the requests whose bodies arrived in this turn of the event loop join first.
    setImmediate(() => {
      scheduled = false;
      while (waiting.length > 0 && inFlight < opts.maxInFlight) {
        const batch = waiting.splice(0, opts.maxBatch);
        inFlight += 1;
        void write(deps, batch).finally(() => {
          inFlight -= 1;
          schedule();
        });
      }
    });
  };

  return {
    submit: (row) =>
      new Promise<IntakeOutcome>((resolve, reject) => {
        waiting.push({ row, resolve, reject });
        schedule();
      }),
  };
}

/** Rate limit, then insert and enqueue what was allowed; settles every member of the batch. */
async function write(deps: IntakeDeps, batch: Pending[]): Promise<void> {
  const allowed = await rateLimit(deps, batch).catch((err: unknown) => {
    for (const p of batch) p.reject(err);
    return [];
  });
  if (allowed.length === 0) return;
  try {
    await commit(deps, allowed);
  } catch (err) {
    if (allowed.length === 1 || err instanceof UnavailableError || isUnreachable(err)) {
      for (const p of allowed) p.reject(err);
      return;
    }
    // A row the database refuses fails its own request only: write each on its own.
    await Promise.all(allowed.map((p) => commit(deps, [p]).catch((e: unknown) => p.reject(e))));
  }
}

/** One rate-limit script for the batch; answers the members over their limit, returns the rest. */
async function rateLimit(deps: IntakeDeps, batch: Pending[]): Promise<Pending[]> {
  const decisions = await hitMany(deps.redis, batch.map((p) => p.row.userId), deps.limit, deps.now()).catch((err: unknown) => {
    throw new UnavailableError("redis", { cause: err });
  });
  return batch.filter((p, i) => {
    const d = decisions[i]!;
    if (!d.allowed) p.resolve({ kind: "rate_limited", retryAfterSeconds: d.retryAfterSeconds });
    return d.allowed;
  });
}

/** One transaction for the rows, one addBulk for their jobs; resolves each member. */
async function commit(deps: IntakeDeps, members: Pending[]): Promise<void> {
  const inserted = await insertAndEnqueue(
    deps.db,
    members.map((p) => p.row),
    (rows) =>
      deps.queue.addAll(rows.map(jobOf)).catch((err: unknown) => {
        throw new UnavailableError("queue", { cause: err });
      }),
  );
  for (const p of members) p.resolve(inserted.has(p.row.id) ? { kind: "queued" } : { kind: "duplicate" });
}
