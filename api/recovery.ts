/**
 * Generations whose job Redis no longer has. PostgreSQL is the record of what was accepted;
 * Redis can lose an acknowledged job: a failover to a replica that had not received it yet
 * (replication is asynchronous), or a cache replaced empty. Such a row would stay `queued`
 * forever, and nothing would scale a pool up for it. BullMQ can also give a job up without any
 * worker code running (stalled more than `maxStalledCount` times: the workers holding it were
 * killed), which leaves its row `running` forever.
 *
 * Every `intervalSeconds`, one API replica of the queue (a PostgreSQL advisory lock on schema
 * and queue; the others skip that round) reads the queue's queued and running rows not updated
 * for `minAgeSeconds` (and those written before rows named their queue), asks Redis about
 * their jobs, adds the missing ones again (same id, data rebuilt from the row: adding an id
 * BullMQ has is a no-op) and fails the rows whose job BullMQ failed, with its reason. A live
 * job is never touched: its row is only changed when the job is gone or failed.
 */
import type { Logger } from "pino";
import type { Pool, PoolClient } from "../worker/adapters/pg.ts";
import type { JobData } from "../worker/job/schema.ts";
import type { JobQueue } from "./adapters/queue.ts";
import { jobOf, type JobFields } from "./db/generations.ts";

/** What Redis holds of one job. */
export type JobStatus = { state: "missing" } | { state: "failed"; reason: string } | { state: "present" };

/** What the sweep asks of the queue. */
export interface QueueInspector {
  /** The status of each id: "missing" when Redis has no job with it. */
  statuses(ids: readonly string[]): Promise<Map<string, JobStatus>>;
}

/** A queued or running generation, as the sweep reads it: what its job carries. */
export type InFlightRow = JobFields;

/** What to do about the rows of one page. */
export interface Repairs {
  /** Jobs to add again. */
  readd: JobData[];
  /** Rows to fail, with the queue's reason. */
  fail: { id: string; reason: string }[];
}

/** Pure: a row whose job is missing gets its job back; one whose job failed is failed too. */
export function planRepairs(rows: readonly InFlightRow[], statuses: ReadonlyMap<string, JobStatus>): Repairs {
  const out: Repairs = { readd: [], fail: [] };
  for (const row of rows) {
    const s = statuses.get(row.id);
    if (s?.state === "missing") out.readd.push(jobOf(row));
    else if (s?.state === "failed") out.fail.push({ id: row.id, reason: `the queue gave the job up: ${s.reason}` });
  }
  return out;
}

/** Sweep settings (RECOVERY_INTERVAL_SECONDS, RECOVERY_MIN_AGE_SECONDS). */
export interface RecoveryOptions {
  /** Seconds between sweeps; 0 turns recovery off. */
  intervalSeconds: number;
  /** A row is looked at once it has not been updated for this long. */
  minAgeSeconds: number;
  /** Rows read per page. */
  pageSize: number;
}

export const RECOVERY_DEFAULTS: RecoveryOptions = { intervalSeconds: 30, minAgeSeconds: 60, pageSize: 500 };

/** What a sweep talks to. */
export interface RecoveryDeps {
  db: Pool;
  /** QUEUE_NAME: only this queue's generations are swept. */
  queueName: string;
  queue: JobQueue;
  inspector: QueueInspector;
  log: Logger;
  /** Called with every sweep's result (metrics). */
  onSweep?: (r: SweepResult) => void;
}

/** What one sweep did; `ran` is false when another replica held the lock. */
export interface SweepResult {
  ran: boolean;
  checked: number;
  readded: string[];
  failed: string[];
}

/** The sweep's advisory lock: class "genq" (one past migrate()'s "genp"), key per schema and queue. */
export const SWEEP_LOCK = "1734700657, hashtext(current_schema() || ':' || $1)";

// Pages by id, which comes back exact (a timestamp would come back rounded to the millisecond).
const IN_FLIGHT = `SELECT id, user_id AS "userId", category, image_name AS "imageName", params FROM generations
  WHERE status IN ('queued', 'running') AND (queue = $4 OR queue IS NULL) AND updated_at < now() - make_interval(secs => $1)
    AND ($2::uuid IS NULL OR id > $2::uuid)
  ORDER BY id LIMIT $3`;

/** The ids among `ids` whose rows are still queued or running. */
async function stillInFlight(db: PoolClient, ids: readonly string[]): Promise<Set<string>> {
  const res = await db.query<{ id: string }>("SELECT id FROM generations WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'running')", [ids]);
  return new Set(res.rows.map((r) => r.id));
}

async function repairPage(db: PoolClient, deps: RecoveryDeps, rows: InFlightRow[], result: SweepResult): Promise<void> {
  const plan = planRepairs(rows, await deps.inspector.statuses(rows.map((r) => r.id)));
  if (plan.readd.length > 0) {
    // A row may have completed since it was read (and its job been removed): add only the rest.
    const open = await stillInFlight(db, plan.readd.map((j) => j.generationId));
    const jobs = plan.readd.filter((j) => open.has(j.generationId));
    await deps.queue.addAll(jobs);
    result.readded.push(...jobs.map((j) => j.generationId));
  }
  if (plan.fail.length > 0) {
    const res = await db.query<{ id: string }>(
      `UPDATE generations g SET status = 'failed', error = f.reason, updated_at = now()
         FROM unnest($1::uuid[], $2::text[]) AS f (id, reason)
        WHERE g.id = f.id AND g.status IN ('queued', 'running') RETURNING g.id`,
      [plan.fail.map((f) => f.id), plan.fail.map((f) => f.reason.slice(0, 1000))],
    );
    result.failed.push(...res.rows.map((r) => r.id));
  }
}

/** The sweep proper, on the connection that holds the lock (one connection, whatever DB_POOL_MAX). */
async function sweepLocked(db: PoolClient, deps: RecoveryDeps, opts: RecoveryOptions): Promise<SweepResult> {
  const result: SweepResult = { ran: true, checked: 0, readded: [], failed: [] };
  let after: string | null = null;
  for (;;) {
    const page: InFlightRow[] = (await db.query<InFlightRow>(IN_FLIGHT, [opts.minAgeSeconds, after, opts.pageSize, deps.queueName])).rows;
    if (page.length === 0) break;
    result.checked += page.length;
    await repairPage(db, deps, page, result);
    if (page.length < opts.pageSize) break;
    after = page[page.length - 1]!.id;
  }
  return result;
}

/** One sweep over every queued or running row older than `minAgeSeconds`, by one replica at a time. */
export async function sweep(deps: RecoveryDeps, opts: RecoveryOptions = RECOVERY_DEFAULTS): Promise<SweepResult> {
  const client: PoolClient = await deps.db.connect();
  let broken: Error | undefined;
  try {
    const got = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${SWEEP_LOCK}) AS ok`, [deps.queueName]);
    if (!got.rows[0]?.ok) return { ran: false, checked: 0, readded: [], failed: [] };
    try {
      return await sweepLocked(client, deps, opts);
    } finally {
      // A session lock outlives the checkout: a connection that cannot unlock is dropped.
      await client.query(`SELECT pg_advisory_unlock(${SWEEP_LOCK})`, [deps.queueName]).catch((err: Error) => void (broken = err));
    }
  } finally {
    client.release(broken);
  }
}

/** Counts since start: sweeps run (the lock held), jobs added again, generations failed. */
export interface RecoveryTotals {
  sweeps: number;
  readded: number;
  failed: number;
}

/** Sweeps every `intervalSeconds` until stopped; logs what each sweep repaired. */
export function startRecovery(deps: RecoveryDeps, opts: RecoveryOptions = RECOVERY_DEFAULTS): { stop: () => Promise<void>; totals: RecoveryTotals } {
  const totals: RecoveryTotals = { sweeps: 0, readded: 0, failed: 0 };
  if (opts.intervalSeconds <= 0) return { stop: () => Promise.resolve(), totals };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const round = async (): Promise<void> => {
    try {
      const r = await sweep(deps, opts);
      deps.onSweep?.(r);
      totals.sweeps += r.ran ? 1 : 0;
      totals.readded += r.readded.length;
      totals.failed += r.failed.length;
      if (r.readded.length > 0) deps.log.warn({ generations: r.readded.slice(0, 20), count: r.readded.length }, "Added again the jobs Redis had lost");
      if (r.failed.length > 0) deps.log.warn({ generations: r.failed.slice(0, 20), count: r.failed.length }, "Failed the generations whose job the queue gave up");
    } catch (err) {
      deps.log.error({ err }, "Recovery sweep failed; the next one tries again");
    }
  };
  const next = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().finally(next);
    }, opts.intervalSeconds * 1000);
    timer.unref();
  };
  next();
  return {
    totals,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
