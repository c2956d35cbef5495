import test from "ava";
import { ApiError, toResponse, UnavailableError } from "./errors.ts";
import { windowAt } from "./rate-limit.ts";
import { decodeCursor, encodeCursor } from "./routes/images.ts";

// Error mapping: clients get codes and messages, never internals.
const rows: { why: string; err: unknown; status: number; error: string; message?: RegExp }[] = [
  { why: "ApiError keeps its status, code and message", err: new ApiError(404, "not_found", "Image not found"), status: 404, error: "not_found", message: /^Image not found$/ },
  { why: "an unavailable dependency is a 503", err: new UnavailableError("queue"), status: 503, error: "unavailable", message: /queue/ },
  // PostgreSQL restarting under a request: the client should retry, as for a Redis outage.
  { why: "PostgreSQL shutting down (SQLSTATE 57P01) is a 503", err: Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }), status: 503, error: "unavailable" },
  { why: "PostgreSQL starting up (SQLSTATE 57P03) is a 503", err: Object.assign(new Error("the database system is starting up"), { code: "57P03" }), status: 503, error: "unavailable" },
  { why: "a connection cut mid-query is a 503", err: new Error("Connection terminated unexpectedly"), status: 503, error: "unavailable" },
  { why: "a refused socket is a 503 that does not name the address", err: Object.assign(new Error("connect ECONNREFUSED 10.0.0.5:5432"), { code: "ECONNREFUSED" }), status: 503, error: "unavailable", message: /retry later/ },
  { why: "raw-body's size error is a 413", err: Object.assign(new Error("request entity too large"), { status: 413, type: "entity.too.large", expose: true }), status: 413, error: "payload_too_large" },
  { why: "a JSON syntax error is a 400 invalid_json", err: Object.assign(new SyntaxError("Unexpected end of JSON input"), { status: 400 }), status: 400, error: "invalid_json" },
  { why: "an unexpected error is a bare 500", err: new Error("connection to 10.0.0.5 refused at Pool.connect"), status: 500, error: "internal_error", message: /^Internal server error$/ },
  { why: "a thrown non-error is a 500", err: "boom", status: 500, error: "internal_error" },
];

for (const row of rows) {
  test(`errors: ${row.why}`, (t) => {
    const res = toResponse(row.err);
    t.is(res.status, row.status);
    t.is(res.body.error, row.error);
    if (row.message) t.regex(String(res.body.message), row.message);
    t.false(JSON.stringify(res.body).includes("10.0.0.5"));
  });
}

test("rate-limit windows: index and seconds until the window ends", (t) => {
  t.deepEqual(windowAt(60_000, 60), { index: 1, secondsLeft: 60 });
  t.deepEqual(windowAt(119_500, 60), { index: 1, secondsLeft: 1 });
  t.deepEqual(windowAt(90_000, 60), { index: 1, secondsLeft: 30 });
});

test("image cursors round-trip and reject garbage with a 400 naming the field", (t) => {
  const c = { createdAt: "2026-01-01T00:00:00.000Z", name: "abc" };
  t.deepEqual(decodeCursor(encodeCursor(c)), c);
  const err = t.throws(() => decodeCursor("garbage"), { instanceOf: ApiError });
  t.is(err.status, 400);
  t.is(err.details?.[0]?.field, "cursor");
});
