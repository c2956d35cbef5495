/** SQL for the images table, as the API uses it. All queries are parameterized. */
import type { Pool } from "../../worker/adapters/pg.ts";

/** An image row. */
export interface ImageRow {
  name: string;
  user_id: string;
  generation_id: string | null;
  s3_key: string;
  category: string;
  content_type: string;
  size_bytes: string; // bigint comes back as a string
  width: number;
  height: number;
  parameters: Record<string, unknown>;
  created_at: Date;
}

/** Position after the last image of a page: (created_at, name) descending. */
export interface ImageCursor {
  createdAt: string;
  name: string;
}

/** One page of the user's images, newest first; `next` is null on the last page. */
export async function listImages(
  db: Pool,
  userId: string,
  page: { limit: number; after: ImageCursor | null },
): Promise<{ images: ImageRow[]; next: ImageCursor | null }> {
  const params: unknown[] = [userId, page.limit + 1];
  let where = "user_id = $1";
  if (page.after) {
    params.push(page.after.createdAt, page.after.name);
    where += " AND (created_at, name) < ($3::timestamptz, $4)";
  }
  const res = await db.query<ImageRow>(
    `SELECT * FROM images WHERE ${where} ORDER BY created_at DESC, name DESC LIMIT $2`,
    params,
  );
  const images = res.rows.slice(0, page.limit);
  const last = images.at(-1);
  const next = res.rows.length > page.limit && last ? { createdAt: last.created_at.toISOString(), name: last.name } : null;
  return { images, next };
}

/** The image if it belongs to the user, else null. */
export async function getImage(db: Pool, userId: string, name: string): Promise<ImageRow | null> {
  const res = await db.query<ImageRow>("SELECT * FROM images WHERE name = $1 AND user_id = $2", [name, userId]);
  return res.rows[0] ?? null;
}

/** Deletes the user's image row; returns false when there was none. */
export async function deleteImageRow(db: Pool, userId: string, name: string): Promise<boolean> {
  const res = await db.query("DELETE FROM images WHERE name = $1 AND user_id = $2", [name, userId]);
  return res.rowCount === 1;
}
