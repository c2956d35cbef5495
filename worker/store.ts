/** SQL the worker runs on generations and images. All queries are parameterized. */
import { inTransaction, type Pool } from "./adapters/pg.ts";
import type { JobData } from "./job/schema.ts";

/** State of a generation as the worker sees it when a job starts. */
export type GenerationState = "queued" | "running" | "completed" | "failed" | "missing";

/** What the worker records about a stored image. */
export interface StoredImage {
  s3Key: string;
  contentType: string;
  sizeBytes: number;
  width: number;
  height: number;
}

/** Worker-side persistence of generation state and image rows. */
export class GenerationStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Marks the generation running (unless already completed) and returns its previous state.
   * "missing" means the API has not committed the row (yet, or ever).
   */
  async begin(generationId: string): Promise<GenerationState> {
    const res = await this.pool.query<{ status: GenerationState }>(
      `WITH prev AS (SELECT status FROM generations WHERE id = $1)
       UPDATE generations g SET
         status = CASE WHEN g.status = 'completed' THEN g.status ELSE 'running' END,
         started_at = COALESCE(g.started_at, now()), attempts = g.attempts + 1, updated_at = now()
       FROM prev WHERE g.id = $1 RETURNING prev.status`,
      [generationId],
    );
    return res.rows[0]?.status ?? "missing";
  }

  /**
   * Waits until the transaction writing the generation's row has ended, and says whether the row
   * is committed. The API adds the job before it commits the row, so a quick worker can see the
   * job first. A trial INSERT of the same id waits on the API's uncommitted row (PostgreSQL
   * waits for the writer of a conflicting unique key): a conflict means the row is committed, an
   * insert means no transaction wrote it or the API rolled it back. The trial is rolled back.
   */
  async awaitCommitted(job: JobData, timeoutMs = 10_000): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
      const res = await client.query(
        `INSERT INTO generations (id, user_id, status, category, image_name, params)
         VALUES ($1, $2, 'queued', $3, $4, $5) ON CONFLICT DO NOTHING`,
        [job.generationId, job.userId, job.category, job.imageName, JSON.stringify(job.params)],
      );
      return res.rowCount === 0;
    } finally {
      // A connection that cannot roll back is dropped, not handed back to the pool.
      const clean = await client.query("ROLLBACK").then(() => true, () => false);
      client.release(!clean);
    }
  }

  /** Records progress (0–100) of a running generation. */
  async progress(generationId: string, percent: number): Promise<void> {
    await this.pool.query(
      "UPDATE generations SET progress = $2, updated_at = now() WHERE id = $1 AND status = 'running' AND progress < $2",
      [generationId, Math.max(0, Math.min(100, Math.round(percent)))],
    );
  }

  /** Upserts the image row and completes the generation, atomically. Safe to repeat. */
  async complete(job: JobData, image: StoredImage): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO images (name, user_id, generation_id, s3_key, category, content_type, size_bytes, width, height, parameters)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (name) DO UPDATE SET s3_key = EXCLUDED.s3_key, content_type = EXCLUDED.content_type,
           size_bytes = EXCLUDED.size_bytes, width = EXCLUDED.width, height = EXCLUDED.height, updated_at = now()`,
        [job.imageName, job.userId, job.generationId, image.s3Key, job.category, image.contentType, image.sizeBytes, image.width, image.height, JSON.stringify(job.params)],
      );
      await client.query(
        `UPDATE generations SET status = 'completed', progress = 100, error = NULL, completed_at = COALESCE(completed_at, now()), updated_at = now()
         WHERE id = $1`,
        [job.generationId],
      );
    });
  }

  /** Marks the generation failed with a reason the user can read. */
  async fail(generationId: string, reason: string): Promise<void> {
    await this.pool.query(
      "UPDATE generations SET status = 'failed', error = $2, updated_at = now() WHERE id = $1 AND status <> 'completed'",
      [generationId, reason.slice(0, 1000)],
    );
  }

  /** True when the image row of a generation exists (used to skip repeated work). */
  async hasImage(imageName: string): Promise<boolean> {
    const res = await this.pool.query("SELECT 1 FROM images WHERE name = $1", [imageName]);
    return res.rowCount === 1;
  }
}
