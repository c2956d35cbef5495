/**
 * npm run bench: runs every benchmark the package defines (bench:policy's standard matrix, and
 * bench:operator / bench:api when those scripts exist), then writes one summary table with the
 * machine, versions and date into docs/BENCHMARKS.md, plus the policy replay tables. Only the
 * parts between this script's markers are rewritten; other sections of the file are kept.
 * `--skip bench:operator,bench:api` leaves those out (they start a sandbox) and says so in the table.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem, type as osType, release } from "node:os";
import { matrixMarkdown } from "./policy/matrix.ts";

const DOC = "docs/BENCHMARKS.md";

/** Replaces the text between `<!-- name:begin -->` and `<!-- name:end -->`, or appends the block. */
export function replaceBlock(doc: string, name: string, body: string): string {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const block = `${begin}\n${body.trim()}\n${end}`;
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from >= 0 && to > from) return doc.slice(0, from) + block + doc.slice(to + end.length);
  return `${doc.trimEnd()}\n\n${block}\n`;
}

function version(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: "utf8" }).trim();
  } catch {
    return "not found";
  }
}

interface Outcome {
  name: string;
  command: string;
  ok: boolean;
  seconds: number;
  note: string;
}

/** Arguments a script needs to write its own section of docs/BENCHMARKS.md. */
const WRITE_ARGS: Record<string, string[]> = { "bench:api": ["--write"] };

function runScript(name: string): Outcome {
  const started = Date.now();
  const args = WRITE_ARGS[name] ?? [];
  const r = spawnSync("npm", ["run", "--silent", name, ...(args.length > 0 ? ["--", ...args] : [])], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const lastLine = (r.stdout ?? "").trim().split("\n").filter((l) => l.trim() !== "").at(-1) ?? "";
  const ok = r.status === 0;
  process.stdout.write(r.stdout ?? "");
  if (!ok) process.stderr.write(r.stderr ?? "");
  return { name, command: `npm run ${name}${args.length > 0 ? ` -- ${args.join(" ")}` : ""}`, ok, seconds: (Date.now() - started) / 1000, note: ok ? lastLine.slice(0, 160).replaceAll("|", "/") : `exit ${r.status ?? "signal"}` };
}

function summary(outcomes: Outcome[]): string {
  const cpu = cpus();
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { devDependencies?: Record<string, string>; dependencies?: Record<string, string> };
  const deps = { ...pkg.dependencies, ...pkg.devDependencies };
  const lines = [
    `Run ${new Date().toISOString()} by \`npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}\`.`,
    "",
    `Machine: ${cpu.length} x ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${osType()} ${release()}.`,
    `Versions: Node ${process.version}, npm ${version("npm", ["--version"])}, redis-server ${version("redis-server", ["--version"]).split(" ")[2] ?? "?"}, bullmq ${deps.bullmq ?? "-"}, typescript ${deps.typescript ?? "-"}, vega ${deps.vega ?? "-"}.`,
    "",
    "| benchmark | command | result | seconds | last line |",
    "| --- | --- | --- | --- | --- |",
    ...outcomes.map((o) => `| ${o.name} | \`${o.command}\` | ${o.seconds === 0 && o.ok ? "skipped" : o.ok ? "ok" : "failed"} | ${o.seconds.toFixed(1)} | ${o.note} |`),
  ];
  return lines.join("\n");
}

function main(): void {
  const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;
  const outcomes: Outcome[] = [];
  const started = Date.now();
  const matrix = matrixMarkdown();
  outcomes.push({ name: "bench:policy", command: "npm run bench:policy -- --trace <each built-in> (matrix)", ok: true, seconds: (Date.now() - started) / 1000, note: "tables in Policy replay" });
  const skipArg = process.argv.indexOf("--skip");
  const skip = new Set(skipArg >= 0 ? (process.argv[skipArg + 1] ?? "").split(",") : []);
  for (const name of ["bench:operator", "bench:api"]) {
    const script = scripts[name];
    if (script !== undefined && skip.has(name)) {
      outcomes.push({ name, command: `npm run ${name}`, ok: true, seconds: 0, note: "skipped (--skip); see its own section" });
      continue;
    }
    // A script whose entry file is not in the tree yet counts as absent.
    const entry = script?.match(/^tsx (\S+)/)?.[1];
    if (script !== undefined && (entry === undefined || existsSync(entry))) outcomes.push(runScript(name));
  }
  let doc = existsSync(DOC) ? readFileSync(DOC, "utf8") : "# Benchmarks\n";
  doc = replaceBlock(doc, "bench-summary", `## Summary\n\n${summary(outcomes)}`);
  doc = replaceBlock(doc, "policy-replay-results", matrix);
  writeFileSync(DOC, doc);
  console.log(summary(outcomes));
  if (outcomes.some((o) => !o.ok)) process.exitCode = 1;
}

if (import.meta.url === `file://${process.argv[1]}`) main();
