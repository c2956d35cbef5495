/** GET /api/v1/images, GET /api/v1/images/{name}/url, DELETE /api/v1/images/{name}: owner only. */
import type { Context } from "koa";
import { z } from "zod";
import { fieldErrors, imageNameSchema } from "../../worker/job/schema.ts";
import { deleteImageRow, getImage, listImages, type ImageCursor, type ImageRow } from "../db/images.ts";
import { ApiError, UnavailableError } from "../errors.ts";
import type { AppDeps } from "../deps.ts";

const listQuery = z.strictObject({
  limit: z.coerce
    .number({ error: (i) => `limit must be an integer from 1 to 100, got ${JSON.stringify(i.input)}` })
    .int({ error: (i) => `limit must be an integer from 1 to 100, got ${JSON.stringify(i.input)}` })
    .min(1, { error: (i) => `limit must be an integer from 1 to 100, got ${JSON.stringify(i.input)}` })
    .max(100, { error: (i) => `limit must be an integer from 1 to 100, got ${JSON.stringify(i.input)}` })
    .default(20),
  cursor: z.string().optional(),
});

const cursorShape = z.object({ createdAt: z.iso.datetime(), name: z.string().min(1) });

/** Encodes a page position as an opaque cursor. */
export function encodeCursor(c: ImageCursor): string {
  return Buffer.from(JSON.stringify(c)).toString("base64url");
}

/** Decodes a cursor, or throws a 400 naming the value. */
export function decodeCursor(raw: string): ImageCursor {
  try {
    return cursorShape.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
  } catch {
    throw new ApiError(400, "invalid_request", "Query is invalid", {
      details: [{ field: "cursor", message: `cursor must be a value returned as nextCursor, got ${JSON.stringify(raw.slice(0, 60))}` }],
    });
  }
}

function imageView(i: ImageRow): Record<string, unknown> {
  return {
    name: i.name,
    category: i.category,
    generationId: i.generation_id,
    contentType: i.content_type,
    sizeBytes: Number(i.size_bytes),
    width: i.width,
    height: i.height,
    parameters: i.parameters,
    createdAt: i.created_at.toISOString(),
    url: `/api/v1/images/${i.name}/url`,
  };
}

async function ownImage(deps: AppDeps, ctx: Context): Promise<ImageRow> {
  const name = String((ctx.params as Record<string, string>).name);
  const row = imageNameSchema.safeParse(name).success ? await getImage(deps.db, ctx.state.userId as string, name) : null;
  if (!row) throw new ApiError(404, "not_found", "Image not found");
  return row;
}

/** Handler of GET /api/v1/images. */
export function listOwnImages(deps: AppDeps) {
  return async (ctx: Context): Promise<void> => {
    const parsed = listQuery.safeParse(ctx.query);
    if (!parsed.success) throw new ApiError(400, "invalid_request", "Query is invalid", { details: fieldErrors(parsed.error) });
    const after = parsed.data.cursor ? decodeCursor(parsed.data.cursor) : null;
    const page = await listImages(deps.db, ctx.state.userId as string, { limit: parsed.data.limit, after });
    ctx.body = { images: page.images.map(imageView), nextCursor: page.next ? encodeCursor(page.next) : null };
  };
}

/** Handler of GET /api/v1/images/{name}/url: a presigned S3 GET. */
export function imageUrl(deps: AppDeps) {
  return async (ctx: Context): Promise<void> => {
    const row = await ownImage(deps, ctx);
    const seconds = deps.config.PRESIGN_SECONDS;
    const url = await deps.storage.presignGet(row.s3_key, seconds).catch((err: unknown) => {
      throw new UnavailableError("s3", { cause: err });
    });
    ctx.set("Cache-Control", "no-store");
    ctx.body = { url, expiresAt: new Date(deps.now() + seconds * 1000).toISOString() };
  };
}

/** Handler of DELETE /api/v1/images/{name}: the object first, then the row (a retry finishes the job). */
export function deleteImage(deps: AppDeps) {
  return async (ctx: Context): Promise<void> => {
    const row = await ownImage(deps, ctx);
    await deps.storage.remove(row.s3_key).catch((err: unknown) => {
      throw new UnavailableError("s3", { cause: err });
    });
    await deleteImageRow(deps.db, row.user_id, row.name);
    deps.log.info({ userId: row.user_id, image: row.name }, "Image deleted");
    ctx.status = 204;
  };
}
