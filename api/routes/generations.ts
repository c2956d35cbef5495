/**
 * POST /api/v1/generations and GET /api/v1/generations/{id}.
 * Generation rows are written and their jobs added in one transaction (group commit of the
 * requests that arrive together, api/intake.ts): when the add fails the rows are rolled back, so
 * a Redis outage leaves no orphan row.
 */
import { createHash, randomInt, randomUUID } from "node:crypto";
import type { Context } from "koa";
import { z } from "zod";
import { fieldErrors, generationRequestSchema, LIMITS, type GenerationRequest } from "../../worker/job/schema.ts";
import { findByIdempotencyKey, getGeneration, type GenerationRow, type NewGeneration } from "../db/generations.ts";
import { ApiError } from "../errors.ts";
import { batchedIntake, type IntakeOutcome } from "../intake.ts";
import type { AppDeps } from "../deps.ts";

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** JSON view of a generation. */
export function generationView(g: GenerationRow): Record<string, unknown> {
  return {
    id: g.id,
    status: g.status,
    progress: g.progress,
    category: g.category,
    params: g.params,
    imageName: g.status === "completed" ? g.image_name : null,
    imageUrl: g.status === "completed" ? `/api/v1/images/${g.image_name}/url` : null,
    error: g.status === "failed" ? g.error : null,
    createdAt: g.created_at.toISOString(),
    updatedAt: g.updated_at.toISOString(),
    completedAt: g.completed_at?.toISOString() ?? null,
  };
}

function accepted(ctx: Context, g: { id: string; status: string }): void {
  const statusUrl = `/api/v1/generations/${g.id}`;
  ctx.status = 202;
  ctx.set("Location", statusUrl);
  ctx.body = { id: g.id, status: g.status, statusUrl };
}

function idempotencyKey(ctx: Context): string | null {
  if (ctx.headers["idempotency-key"] === undefined) return null; // present but empty is invalid, not absent
  const key = ctx.get("idempotency-key");
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError(400, "invalid_request", "Idempotency-Key is invalid", {
      details: [{ field: "Idempotency-Key", message: `Idempotency-Key must be 1 to 200 visible ASCII characters, got ${JSON.stringify(key.slice(0, 50))}` }],
    });
  }
  return key;
}

function replay(existing: GenerationRow, requestHash: string | null, ctx: Context): void {
  if (existing.request_hash !== requestHash) {
    throw new ApiError(409, "idempotency_conflict", "Idempotency-Key was already used with a different request body");
  }
  accepted(ctx, existing);
}

function rateLimited(outcome: Extract<IntakeOutcome, { kind: "rate_limited" }>, deps: AppDeps): ApiError {
  const { RATE_LIMIT_MAX: max, RATE_LIMIT_WINDOW_SECONDS: windowSeconds } = deps.config;
  return new ApiError(429, "rate_limited", `At most ${max} generations per ${windowSeconds} s`, {
    headers: { "Retry-After": String(outcome.retryAfterSeconds) },
  });
}

function parseBody(ctx: Context, schema: z.ZodType<GenerationRequest>): GenerationRequest {
  if (!ctx.is("application/json")) throw new ApiError(415, "unsupported_media_type", "Content-Type must be application/json");
  const parsed = schema.safeParse(ctx.request.body);
  if (!parsed.success) throw new ApiError(400, "invalid_request", "Request body is invalid", { details: fieldErrors(parsed.error) });
  return parsed.data;
}

/** Handler of POST /api/v1/generations. */
export function createGeneration(deps: AppDeps) {
  const schema = generationRequestSchema(deps.config.ALLOWED_MODELS);
  const limit = { scope: deps.config.QUEUE_NAME, max: deps.config.RATE_LIMIT_MAX, windowSeconds: deps.config.RATE_LIMIT_WINDOW_SECONDS };
  const intake = batchedIntake({ db: deps.db, redis: deps.redis, queue: deps.queue, limit, now: deps.now });
  return async (ctx: Context): Promise<void> => {
    const userId = ctx.state.userId as string;
    const body = parseBody(ctx, schema);
    const key = idempotencyKey(ctx);
    // Only a replay compares bodies, so only requests with a key need the hash.
    const requestHash = key ? createHash("sha256").update(JSON.stringify(body)).digest("hex") : null;
    if (key) {
      const existing = await findByIdempotencyKey(deps.db, userId, key);
      if (existing) return replay(existing, requestHash, ctx);
    }
    const { category, seed, ...rest } = body;
    const row: NewGeneration = {
      id: randomUUID(),
      userId,
      category,
      imageName: randomUUID(),
      params: { ...rest, seed: seed ?? randomInt(0, LIMITS.seedMax) },
      idempotencyKey: key,
      requestHash,
      queue: deps.config.QUEUE_NAME,
    };
    const outcome = await intake.submit(row);
    if (outcome.kind === "rate_limited") throw rateLimited(outcome, deps);
    if (outcome.kind === "duplicate") {
      // The same key won a race: answer with that generation.
      const existing = key ? await findByIdempotencyKey(deps.db, userId, key) : null;
      if (existing) return replay(existing, requestHash, ctx);
      throw new ApiError(409, "idempotency_conflict", "Idempotency-Key is in use by a concurrent request; retry");
    }
    deps.log.info({ userId, generationId: row.id, model: row.params.model }, "Generation queued");
    accepted(ctx, { id: row.id, status: "queued" });
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Handler of GET /api/v1/generations/{id}: the owner sees it, everyone else gets 404. */
export function readGeneration(deps: AppDeps) {
  return async (ctx: Context): Promise<void> => {
    const id = String((ctx.params as Record<string, string>).id);
    const row = UUID.test(id) ? await getGeneration(deps.db, ctx.state.userId as string, id) : null;
    if (!row) throw new ApiError(404, "not_found", "Generation not found");
    ctx.body = generationView(row);
  };
}
