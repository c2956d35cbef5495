// Authorization matrix: every operation of openapi.json x every kind of caller -> the exact status.
// Callers: the owner of the resources, another user, no Authorization header, malformed headers and
// every kind of bad token (tokens.ts), against an API verifying RS256 through JWKS and one with HS256.
// The route table must list exactly the operations of the served document, so a new route without
// a row fails here.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import test, { type ExecutionContext } from "ava";
import { createVerifier } from "../../api/auth.ts";
import { hs256Setup, jwksSetup, type AuthSetup } from "./tokens.ts";
import { seedCompleted, startApi, VALID_REQUEST, type Api } from "./support.ts";

/** The resources the requests point at: alice's generation and image. */
interface Target {
  generationId: string;
  imageName: string;
}

/** Expected answer per kind of caller; `public` routes ignore the Authorization header. */
interface Row {
  path: (t: Target) => string;
  body?: unknown;
  public?: true;
  owner: number;
  /** Another user: 404 for alice's resources (never 403), their own answer for collections. */
  other: number;
}

const ROUTES: Record<string, Row> = {
  "GET /health": { public: true, path: () => "/health", owner: 200, other: 200 },
  "GET /api/v1/health": { public: true, path: () => "/api/v1/health", owner: 200, other: 200 },
  "GET /api/v1/openapi.json": { public: true, path: () => "/api/v1/openapi.json", owner: 200, other: 200 },
  "POST /api/v1/generations": { path: () => "/api/v1/generations", body: VALID_REQUEST, owner: 202, other: 202 },
  "GET /api/v1/generations/{id}": { path: (t) => `/api/v1/generations/${t.generationId}`, owner: 200, other: 404 },
  "GET /api/v1/images": { path: () => "/api/v1/images", owner: 200, other: 200 },
  "GET /api/v1/images/{name}/url": { path: (t) => `/api/v1/images/${t.imageName}/url`, owner: 200, other: 404 },
  // Last: the owner's delete removes the image the other rows point at.
  "DELETE /api/v1/images/{name}": { path: (t) => `/api/v1/images/${t.imageName}`, owner: 204, other: 404 },
};

/** Authorization headers that are not a Bearer token at all. */
const MALFORMED_HEADERS: Record<string, string> = {
  "Basic credentials": `Basic ${Buffer.from("alice:password").toString("base64")}`,
  "Bearer without a token": "Bearer ",
  "Bearer with two tokens": "Bearer aaaa.bbbb.cccc dddd.eeee.ffff",
  "token without the Bearer scheme": "eyJhbGciOiJub25lIn0.e30.",
};

interface Answer {
  status: number;
  body: unknown;
  wwwAuthenticate: string | null;
}

/** One request of the matrix. */
interface Cell {
  operation: string;
  row: Row;
  target: Target;
  authorization: string | null;
}

async function call(api: Api, { operation, row, target, authorization }: Cell): Promise<Answer> {
  const headers: Record<string, string> = authorization === null ? {} : { authorization };
  if (row.body !== undefined) headers["content-type"] = "application/json";
  const method = operation.split(" ")[0];
  const res = await fetch(`${api.url}${row.path(target)}`, { method, headers, ...(row.body === undefined ? {} : { body: JSON.stringify(row.body) }) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null, wwwAuthenticate: res.headers.get("www-authenticate") };
}

async function rowCounts(api: Api): Promise<string> {
  const res = await api.world.db.query<{ g: string; i: string }>("SELECT (SELECT count(*) FROM generations) AS g, (SELECT count(*) FROM images) AS i");
  return `generations=${res.rows[0]?.g} images=${res.rows[0]?.i}`;
}

/** What else a refused answer must carry: a Bearer challenge and the `unauthorized` code. */
function refusalProblems(cell: string, answer: Answer): string[] {
  const problems: string[] = [];
  if (!/^Bearer\b/.test(answer.wwwAuthenticate ?? "")) problems.push(`${cell}: WWW-Authenticate is ${String(answer.wwwAuthenticate)}`);
  if ((answer.body as { error?: string } | null)?.error !== "unauthorized") problems.push(`${cell}: body ${JSON.stringify(answer.body)}`);
  return problems;
}

/** Another user sees nothing of alice's; the owner sees her image in her list. */
function accessProblems(cell: string, caller: "owner" | "another user", answer: Answer, target: Target): string[] {
  const text = JSON.stringify(answer.body);
  if (caller === "owner") return cell.startsWith("GET /api/v1/images |") && !text.includes(target.imageName) ? [`${cell}: alice's list lacks her image ${text}`] : [];
  const problems: string[] = [];
  if (text.includes(target.imageName) || text.includes(target.generationId)) problems.push(`${cell}: answer names alice's resources ${text}`);
  if (answer.status === 404 && (answer.body as { error?: string }).error !== "not_found") problems.push(`${cell}: body ${text}`);
  return problems;
}

/** Callers that must get 401 on every secured route. */
function refusedCallers(setup: AuthSetup): Record<string, () => Promise<string | null>> {
  return {
    "no Authorization header": () => Promise.resolve(null),
    ...Object.fromEntries(Object.entries(MALFORMED_HEADERS).map(([name, header]) => [name, () => Promise.resolve(header)])),
    ...Object.fromEntries(Object.entries(setup.bad).map(([name, make]) => [`token: ${name}`, async () => `Bearer ${await make()}`])),
  };
}

async function matrix(t: ExecutionContext, setup: AuthSetup): Promise<void> {
  const api = await startApi(t, { verifyToken: createVerifier(setup.config) });
  const seeded = await seedCompleted(api, "alice", VALID_REQUEST, `Bearer ${await setup.valid("alice")}`);
  const target: Target = { generationId: seeded.generationId, imageName: seeded.imageName };

  const doc = (await (await fetch(`${api.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));
  t.deepEqual([...operations].sort(), Object.keys(ROUTES).sort(), "every operation of openapi.json has a row, and every row an operation");

  const refused = refusedCallers(setup);
  const want: Record<string, number> = {};
  const got: Record<string, number> = {};
  const problems: string[] = [];
  const before = await rowCounts(api);
  // Refused callers first: none of them may change anything.
  for (const [operation, row] of Object.entries(ROUTES)) {
    for (const [caller, header] of Object.entries(refused)) {
      const cell = `${operation} | ${caller}`;
      const answer = await call(api, { operation, row, target, authorization: await header() });
      want[cell] = row.public ? row.owner : 401;
      got[cell] = answer.status;
      if (!row.public && answer.status === 401) problems.push(...refusalProblems(cell, answer));
    }
  }
  const afterRefused = await rowCounts(api);

  // Another user, then the owner (whose DELETE comes last).
  const callers = [["another user", `Bearer ${await setup.valid("bob")}`], ["owner", `Bearer ${await setup.valid("alice")}`]] as const;
  for (const [caller, authorization] of callers) {
    for (const [operation, row] of Object.entries(ROUTES)) {
      const cell = `${operation} | ${caller}`;
      const answer = await call(api, { operation, row, target, authorization });
      want[cell] = caller === "owner" ? row.owner : row.other;
      got[cell] = answer.status;
      problems.push(...accessProblems(cell, caller, answer, target));
    }
  }

  const mismatches = Object.keys(want).filter((cell) => got[cell] !== want[cell]).map((cell) => `${cell}: got ${got[cell]}, want ${want[cell]}`);
  t.deepEqual(mismatches, [], "cells whose status differs from the table");
  t.deepEqual(Object.keys(got).sort(), Object.keys(want).sort());
  t.deepEqual(problems, []);
  t.is(afterRefused, before, "refused requests wrote nothing");
  t.log(`${setup.mode}: ${Object.keys(ROUTES).length} operations x ${Object.keys(refused).length + 2} callers = ${Object.keys(got).length} cells`);
}

test("[integration] authorization matrix, RS256 through JWKS: every route x owner, other user, no token and every bad token", async (t) => {
  await matrix(t, await jwksSetup((fn) => t.teardown(fn)));
});

test("[integration] authorization matrix, HS256: every route x owner, other user, no token and every bad token", async (t) => {
  await matrix(t, hs256Setup());
});

test("[integration] JWKS unreachable or broken: a well-signed token gets 503 with Retry-After, not 401", async (t) => {
  const setup = await jwksSetup((fn) => t.teardown(fn));
  const token = await setup.valid("alice");
  const broken = createServer((req, res) => (req.url === "/not-json" ? res.writeHead(200).end("<html>") : res.writeHead(500).end()));
  await new Promise<void>((resolve) => broken.listen(0, "127.0.0.1", () => resolve()));
  t.teardown(() => void broken.close());
  const base = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
  // A closed port: the listener is stopped before the API asks it.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", () => resolve()));
  const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  for (const [what, url] of [["connection refused", closedUrl], ["HTTP 500", `${base}/jwks.json`], ["not JSON", `${base}/not-json`]] as const) {
    const api = await startApi(t, { verifyToken: createVerifier({ ...setup.config, JWT_JWKS_URL: url }) });
    const res = await fetch(`${api.url}/api/v1/images`, { headers: { authorization: `Bearer ${token}` } });
    t.is(res.status, 503, what);
    t.is(res.headers.get("retry-after"), "5", what);
    t.like(await res.json(), { error: "unavailable" }, what);
  }
});
