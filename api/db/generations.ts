/** SQL for the generations table, as the API uses it. All queries are parameterized. */
import type { Pool, PoolClient } from "../../worker/adapters/pg.ts";
import type { GenerationParams } from "../../worker/job/schema.ts";

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
}

/** Inserts a queued generation; returns false when the user's Idempotency-Key already exists. */
export async function insertGeneration(client: PoolClient, g: NewGeneration): Promise<boolean> {
  // A named statement: each connection parses and plans it once.
  const res = await client.query({
    name: "genpool-insert-generation",
    text: `INSERT INTO generations (id, user_id, status, category, image_name, params, idempotency_key, request_hash)
     VALUES ($1, $2, 'queued', $3, $4, $5, $6, $7)
     ON CONFLICT (user_id, idempotency_key) DO NOTHING`,
    values: [g.id, g.userId, g.category, g.imageName, JSON.stringify(g.params), g.idempotencyKey, g.requestHash],
  });
  return res.rowCount === 1;
}

/**
 * Inserts the row and runs `enqueue` in one transaction, committed only once `enqueue` resolved;
 * any failure rolls back, so no row outlives a failed enqueue. Returns false (nothing enqueued)
 * when the user's Idempotency-Key already exists. On a pipelining client (`pipeline: true`)
 * BEGIN and INSERT go out together: two round trips to PostgreSQL instead of three.
 */
export async function insertAndEnqueue(db: Pool, g: NewGeneration, enqueue: () => Promise<void>): Promise<boolean> {
  const client = await db.connect();
  try {
    let fresh: boolean;
    if (client.pipeline) {
      // BEGIN cannot fail on its own: an error here is the connection's, and fails the INSERT too.
      const [, inserted] = await Promise.all([client.query("BEGIN"), insertGeneration(client, g)]);
      fresh = inserted;
    } else {
      await client.query("BEGIN");
      fresh = await insertGeneration(client, g);
    }
    if (fresh) await enqueue();
    await client.query(fresh ? "COMMIT" : "ROLLBACK");
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
