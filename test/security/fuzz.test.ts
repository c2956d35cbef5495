// Fuzzes the API from its own OpenAPI document with schemathesis (pinned in requirements-fuzz.txt,
// virtualenv built by fuzz-venv.sh), authenticated as a test user: every operation, every phase
// (examples, coverage, fuzzing, stateful through inferred links) and every check (no 5xx, status
// codes, content types, headers and bodies conform to the document, schema-valid data accepted,
// schema-invalid data rejected, auth not ignored, undeclared methods refused).
//
// GENPOOL_FUZZ_EXAMPLES (default 20 per operation) and GENPOOL_FUZZ_SEED (default fixed, so CI
// is reproducible) tune a run; a failure prints schemathesis's report with a curl to reproduce.
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import test from "ava";
import { z } from "zod";
import { token } from "../../api/test-support.ts";
import { seedCompleted, startApi } from "./support.ts";

const run = promisify(execFile);
const here = import.meta.dirname;

const examples = Number(process.env.GENPOOL_FUZZ_EXAMPLES ?? 20);
const seed = Number(process.env.GENPOOL_FUZZ_SEED ?? 20261126);

/** The fields of schemathesis's JSON report this test reads. */
const reportSchema = z.object({
  schemathesis_version: z.string(),
  complete: z.boolean(),
  operations: z.object({ total: z.number(), selected: z.number(), tested: z.number(), errored: z.number() }),
  phases: z.record(z.string(), z.object({ status: z.string() })),
  test_cases: z.object({ generated: z.number(), with_failures: z.number(), errored: z.number() }),
  failures: z.array(z.object({ code: z.string(), title: z.string(), count: z.number(), operations: z.array(z.string()) })),
  errors: z.array(z.unknown()),
});

/** The entries of the HAR file schemathesis writes: one per request it sent. */
const harSchema = z.object({
  log: z.object({ entries: z.array(z.object({ request: z.object({ method: z.string(), url: z.string() }), response: z.object({ status: z.number() }) })) }),
});

function schemathesis(bin: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env: { ...process.env, NO_COLOR: "1", COLUMNS: "120" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

test("[integration] schemathesis on openapi.json, authenticated: no 5xx and every response conforms to the document", async (t) => {
  t.timeout(300_000);
  const venv = (await run("bash", [join(here, "fuzz-venv.sh")], { maxBuffer: 1 << 20 })).stdout.trim();
  // A rate limit the fuzzer cannot reach, so POSTs go through the insert-and-enqueue path.
  const api = await startApi(t, {}, { RATE_LIMIT_MAX: 1_000_000 });
  const user = "fuzz-user";
  // An image of the user's own, so the stateful phase follows list -> url / delete to a real object.
  await seedCompleted(api, user);
  const work = mkdtempSync(join(tmpdir(), "genpool-fuzz-"));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const args = [
    "--config-file", join(here, "schemathesis.toml"),
    "run", `${api.url}/api/v1/openapi.json`,
    "--header", `Authorization: Bearer ${await token(user, { expiresIn: "30m" })}`,
    "--checks", "all",
    "--max-examples", String(examples),
    "--seed", String(seed),
    // One worker: with two threads, hypothesis's ast.parse of its own lambdas can fail with
    // CPython 3.11's "AST constructor recursion depth mismatch" (a thread-safety bug, gh-106905).
    "--workers", "1",
    "--request-timeout", "10",
    "--report", "json,har",
    "--report-json-path", join(work, "report.json"),
    "--report-har-path", join(work, "requests.har"),
  ];
  const started = Date.now();
  const { code, output } = await schemathesis(join(venv, "bin", "schemathesis"), args, work);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  const report = reportSchema.parse(JSON.parse(readFileSync(join(work, "report.json"), "utf8")));
  const requests = harSchema.parse(JSON.parse(readFileSync(join(work, "requests.har"), "utf8"))).log.entries;
  const byStatus = new Map<number, number>();
  for (const r of requests) byStatus.set(r.response.status, (byStatus.get(r.response.status) ?? 0) + 1);
  const statuses = [...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`).join(" ");
  t.log(
    `schemathesis ${report.schemathesis_version}, seed ${seed}, ${examples} examples per operation: ` +
      `${report.operations.tested}/${report.operations.total} operations, ${report.test_cases.generated} test cases, ` +
      `${requests.length} requests in ${seconds} s; statuses ${statuses}`,
  );

  const failures = report.failures.map((f) => `${f.code} ${f.title} x${f.count}: ${f.operations.join(", ")}`);
  if (failures.length > 0 || report.errors.length > 0 || code !== 0) t.log(output.slice(-20_000));
  t.deepEqual(failures, [], "schemathesis found failures (its report is logged above)");
  t.deepEqual(report.errors, []);
  t.is(code, 0);
  t.true(report.complete);
  // Every operation of the document was exercised, in every phase that applies.
  t.is(report.operations.tested, report.operations.total);
  t.is(report.operations.errored, 0);
  for (const phase of ["coverage", "fuzzing", "stateful"]) t.is(report.phases[phase]?.status, "success", `phase ${phase}`);
  // Independent of schemathesis's own checks: no request it sent got a 5xx.
  t.deepEqual(requests.filter((r) => r.response.status >= 500).map((r) => `${r.request.method} ${r.request.url} -> ${r.response.status}`), []);
  // The run reached the handlers, not only the auth layer: accepted generations and owner reads.
  t.true((byStatus.get(202) ?? 0) > 0, "some POSTs were accepted");
  t.true((byStatus.get(200) ?? 0) > 0, "some reads answered 200");
  t.true(requests.length >= report.operations.total * examples, `at least ${examples} requests per operation`);
});
