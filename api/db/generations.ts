/** SQL for the generations table, as the API uses it. All queries are parameterized. */
import type { Pool, PoolClient } from "../../worker/adapters/pg.ts";
import type { GenerationParams, JobData } from "../../worker/job/schema.ts";

/** A generation as the API reports it. */
export interface GenerationRow {
  id: string;
  user_id: string;
  status: "queued" | "running" | "completed" | "failed";
  progress: number;
  category: string;
  image_name: string;
  params: GenerationParams;
  request_hash: string | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

/** What the API writes when it accepts a request. */
export interface NewGeneration {
  id: string;
  userId: string;
  category: string;
  imageName: string;
  params: GenerationParams;
  idempotencyKey: string | null;
  /** SHA-256 of the request body; stored only with an idempotency key (replays compare it). */
  requestHash: string | null;
  /** The BullMQ queue its job goes to (QUEUE_NAME): the recovery sweep checks only its own. */
  queue: string;
}

/** The fields of a generation its job carries. */
export type JobFields = Pick<NewGeneration, "id" | "userId" | "category" | "imageName" | "params">;

/** The job of a generation (jobId = generation id): the intake adds it, the recovery sweep adds it again. */
export function jobOf(g: JobFields): JobData {
  return { userId: g.userId, generationId: g.id, imageName: g.imageName, category: g.category, params: g.params };
}

/**
 * Inserts queued generations, one statement for any number of rows (arrays unnested, so one
 * named statement serves every batch size). A row whose user already has its Idempotency-Key,
 * in the table or earlier in the same batch, is skipped. Returns the ids inserted.
 */
export async function insertGenerations(client: PoolClient, rows: readonly NewGeneration[]): Promise<Set<string>> {
  // A named statement: each connection parses and plans it once.
  const res = await client.query<{ id: string }>({
    name: "genpool-insert-generations",
    text: `INSERT INTO generations (id, user_id, status, category, image_name, params, idempotency_key, request_hash, queue)
     SELECT id, user_id, 'queued', category, image_name, params, idempotency_key, request_hash, queue
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::text[], $8::text[])
         WITH ORDINALITY AS r (id, user_id, category, image_name, params, idempotency_key, request_hash, queue, n)
      ORDER BY n
     ON CONFLICT (user_id, idempotency_key) DO NOTHING
     RETURNING id`,
    values: [
      rows.map((g) => g.id),
      rows.map((g) => g.userId),
      rows.map((g) => g.category),
      rows.map((g) => g.imageName),
      rows.map((g) => JSON.stringify(g.params)),
      rows.map((g) => g.idempotencyKey),
      rows.map((g) => g.requestHash),
      rows.map((g) => g.queue),
    ],
  });
  return new Set(res.rows.map((r) => r.id));
}

/**
 * Inserts the rows and runs `enqueue` on those inserted in one transaction, committed only once
 * `enqueue` resolved; any failure rolls back, so no row outlives a failed enqueue. Returns the
 * ids inserted: a row whose Idempotency-Key already exists is neither inserted nor enqueued.
 * On a pipelining client (`pipeline: true`) BEGIN and INSERT go out together: two round trips
 * to PostgreSQL for the whole batch.
 */
export async function insertAndEnqueue(
  db: Pool,
  rows: readonly NewGeneration[],
  enqueue: (inserted: NewGeneration[]) => Promise<void>,
): Promise<Set<string>> {
  const client = await db.connect();
  try {
    let fresh: Set<string>;
    if (client.pipeline) {
      // BEGIN cannot fail on its own: an error here is the connection's, and fails the INSERT too.
      const [, inserted] = await Promise.all([client.query("BEGIN"), insertGenerations(client, rows)]);
      fresh = inserted;
    } else {
      await client.query("BEGIN");
      fresh = await insertGenerations(client, rows);
    }
    if (fresh.size > 0) await enqueue(rows.filter((g) => fresh.has(g.id)));
    await client.query(fresh.size > 0 ? "COMMIT" : "ROLLBACK");
    return fresh;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The user's generation with this Idempotency-Key, if any. */
export async function findByIdempotencyKey(db: Pool | PoolClient, userId: string, key: string): Promise<GenerationRow | null> {
  const res = await db.query<GenerationRow>("SELECT * FROM generations WHERE user_id = $1 AND idempotency_key = $2", [userId, key]);
  return res.rows[0] ?? null;
}

/** The generation if it belongs to the user, else null (other users' ids look unknown). */
export async function getGeneration(db: Pool, userId: string, id: string): Promise<GenerationRow | null> {
  const res = await db.query<GenerationRow>("SELECT * FROM generations WHERE id = $1 AND user_id = $2", [id, userId]);
  return res.rows[0] ?? null;
}
