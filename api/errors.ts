/**
 * The one error middleware (first in the chain): every error becomes a JSON body
 * `{ error, message, details? }`; 4xx keep their message, 5xx never leak internals or stacks.
 */
import type { Context, Next } from "koa";
import type { Logger } from "pino";
import type { FieldError } from "../worker/job/schema.ts";

/** A client error with a machine-readable code and optional field-level details. */
export class ApiError extends Error {
  readonly details: FieldError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    extra: { details?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.details = extra.details;
    this.headers = extra.headers ?? {};
  }
}

/** A dependency (Redis, PostgreSQL, S3) is unreachable: the client may retry later. */
export class UnavailableError extends Error {
  constructor(readonly dependency: string, options?: { cause?: unknown }) {
    super(`${dependency} is unavailable`, options);
  }
}

interface HttpishError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  message?: string;
}

const CODES: Record<number, string> = { 400: "bad_request", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type" };

type ErrorResponse = { status: number; body: Record<string, unknown>; headers: Record<string, string> };

const plain = (status: number, error: string, message: string, headers: Record<string, string> = {}): ErrorResponse => ({
  status,
  body: { error, message },
  headers,
});

/** Errors raised by Koa, the body parser or the router (they carry `status` and `expose`). */
const isJsonError = (e: HttpishError, status: number): boolean =>
  e.type === "entity.parse.failed" || (status === 400 && /JSON|token|Unexpected/i.test(e.message ?? ""));

function fromHttpError(e: HttpishError): ErrorResponse {
  const status = e.status ?? e.statusCode ?? 500;
  if (e.type === "entity.too.large") return plain(413, "payload_too_large", "Request body is too large");
  if (isJsonError(e, status)) return plain(400, "invalid_json", "Request body is not valid JSON");
  if (status >= 400 && status < 500) return plain(status, CODES[status] ?? "client_error", e.expose && e.message ? e.message : "Request rejected");
  return plain(500, "internal_error", "Internal server error");
}

/** SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown, crash, starting up). */
const DB_DOWN_CODE = /^(08[0-9A-Z]{3}|57P0[1-3])$/;
const SOCKET_DOWN_CODE = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"]);
/** pg's own messages for a connection lost or never made. */
const DB_DOWN_MESSAGE = /Connection terminated|timeout exceeded when trying to connect/;

/** A dependency went away under the request (PostgreSQL restarting, a socket refused): retry later. */
export function isUnreachable(err: unknown): boolean {
  const e = (err ?? {}) as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : "";
  return DB_DOWN_CODE.test(code) || SOCKET_DOWN_CODE.has(code) || DB_DOWN_MESSAGE.test(typeof e.message === "string" ? e.message : "");
}

/** Maps a thrown value to status and body; pure. */
export function toResponse(err: unknown): ErrorResponse {
  if (err instanceof ApiError) {
    return { status: err.status, body: { error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) }, headers: err.headers };
  }
  if (err instanceof UnavailableError) return plain(503, "unavailable", `${err.dependency} is unavailable, retry later`, { "Retry-After": "5" });
  if (isUnreachable(err)) return plain(503, "unavailable", "a backing service is unavailable, retry later", { "Retry-After": "5" });
  return fromHttpError(err ?? {});
}

/**
 * A request no route answered: 404 for an unknown path; 405 with `Allow` for a known path asked
 * with another method (the router sets 405, or 501 for a method it does not know, such as TRACE).
 */
function unhandled(ctx: Context): void {
  const allow = ctx.response.get("Allow");
  if (ctx.status === 404 || ((ctx.status === 405 || ctx.status === 501) && !allow)) throw new ApiError(404, "not_found", "Not found");
  if (ctx.status === 405 || ctx.status === 501) {
    throw new ApiError(405, "method_not_allowed", `Method ${ctx.method} is not allowed on ${ctx.path}; allowed: ${allow}`, { headers: { Allow: allow } });
  }
}

/** Koa middleware turning errors into JSON responses; logs server errors with their stack. */
export function errorMiddleware(log: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
      if (ctx.body === undefined) unhandled(ctx);
    } catch (err) {
      const res = toResponse(err);
      if (res.status >= 500) log.error({ err, method: ctx.method, path: ctx.path }, "Request failed");
      ctx.status = res.status;
      ctx.set(res.headers);
      ctx.body = res.body;
    }
  };
}
