/**
 * `npm test [-- --keep] [-- ava arguments]`: brings a sandbox up (or reuses the one named by
 * GENPOOL_SANDBOX), runs ava with the sandbox contract in its environment and the pinned binaries
 * on PATH, tears the sandbox down (unless --keep) and exits with ava's code.
 *
 * It ends with a digest of what went wrong (failed tests, unhandled rejections and uncaught
 * exceptions, each with the lines ava printed after it), so that a report cut to its tail still
 * names them, and one line `tests: N passed, N failed[, N skipped]` counted from ava's report.
 */
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSandboxEnv, processEnv, readEnvFile, type SandboxEnv } from "../sandbox/env.ts";
import { down, up } from "../sandbox/sandbox.ts";

const repo = resolve(fileURLToPath(import.meta.url), "..", "..");
const log = (line: string): void => void process.stderr.write(`npm test: ${line}\n`);
const seconds = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/** Counts of one ava run. */
interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  /** Each problem ava reported, with the lines that followed it. */
  problems: string[][];
}

/** Lines kept after a problem's first line: enough for ava's error, its diff or stack head. */
const PROBLEM_LINES = 24;

async function main(argv: string[]): Promise<number> {
  const keep = argv.includes("--keep");
  const avaArgs = argv.filter((arg) => arg !== "--keep");
  const started = Date.now();
  const { env, owned } = await sandbox();
  log(`sandbox ${env.GENPOOL_SANDBOX} ready in ${seconds(started)}`);
  let code = 1;
  let tally: Tally = { passed: 0, failed: 0, skipped: 0, problems: [] };
  const stop = async (): Promise<void> => {
    if (!owned) return;
    if (keep) return log(`--keep: sandbox left running; stop it with: npm run sandbox:down -- ${env.GENPOOL_SANDBOX}`);
    const stopping = Date.now();
    await down(env.GENPOOL_SANDBOX, (line) => log(`sandbox: ${line}`));
    log(`sandbox stopped in ${seconds(stopping)}`);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void stop().finally(() => process.exit(130)));
  }
  try {
    const avaStart = Date.now();
    [code, tally] = await runAva(avaArgs, env);
    log(`ava exited with ${code} after ${seconds(avaStart)}`);
  } finally {
    await stop().catch((error: unknown) => {
      log(`could not stop the sandbox: ${error instanceof Error ? error.message : String(error)}`);
      if (code === 0) code = 1;
    });
  }
  printDigest(tally);
  console.log(`tests: ${tally.passed} passed, ${tally.failed} failed${tally.skipped ? `, ${tally.skipped} skipped` : ""}`);
  return code;
}

// A sandbox named by GENPOOL_SANDBOX is reused and left running; otherwise a new one is ours to stop.
async function sandbox(): Promise<{ env: SandboxEnv; owned: boolean }> {
  const given = process.env.GENPOOL_SANDBOX;
  if (given) {
    log(`reusing the sandbox in ${given}`);
    return { env: parseSandboxEnv(readEnvFile(join(given, "env"))), owned: false };
  }
  const started = await up({ log: (line) => log(`sandbox: ${line}`) });
  return { env: parseSandboxEnv(readEnvFile(started.envFile)), owned: true };
}

// ava's own report goes through unchanged; its per-test lines are counted on the way.
function runAva(args: string[], env: SandboxEnv): Promise<[number, Tally]> {
  const tally: Tally = { passed: 0, failed: 0, skipped: 0, problems: [] };
  const color = process.stdout.isTTY ? { FORCE_COLOR: "1" } : {};
  // The AWS SDK warns once per process that its releases after January 2027 need Node 22; our
  // versions are pinned, and the warning in every test file buries the report.
  const quiet = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  const child = spawn(process.execPath, [join(repo, "node_modules", "ava", "entrypoints", "cli.mjs"), ...args], {
    cwd: repo,
    env: { ...processEnv(env), ...color, ...quiet },
    stdio: ["inherit", "pipe", "inherit"],
  });
  let pending = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    process.stdout.write(chunk);
    const lines = (pending + chunk).split("\n");
    pending = lines.pop() ?? "";
    lines.forEach((line) => count(line, tally));
  });
  return new Promise((resolvePromise, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      count(pending, tally);
      resolvePromise([code ?? (signal ? 1 : 0), tally]);
    });
  });
}

// Lines of ava's default reporter: "✔ file › title", "✘ [fail]: file › title", "- [skip] file › title";
// a test file that crashes ("✘ file exited with a non-zero exit code") or a timeout counts as one failure.
// "Unhandled rejection in file", "Uncaught exception in file" and failed tests open a problem whose
// next lines are kept for the digest.
function count(raw: string, tally: Tally): void {
  // eslint-disable-next-line no-control-regex
  const line = raw.replace(/\u001b\[[0-9;]*m/g, "").trimEnd();
  const trimmed = line.trim();
  const starts = trimmed.startsWith("✘ ") || /^(Unhandled rejection|Uncaught exception) in /.test(trimmed);
  const open = tally.problems.at(-1);
  const summary = trimmed === "─" || /^\d+ (tests?|unhandled|uncaught|known) /.test(trimmed);
  if (open && !starts && !summary && open.length <= PROBLEM_LINES) open.push(line);
  if (/^✔ (?!\[expected fail\])/.test(trimmed)) tally.passed++;
  else if (trimmed.startsWith("✘ ")) {
    tally.failed++;
    tally.problems.push([line]);
  } else if (trimmed.startsWith("- [skip]")) tally.skipped++;
  else if (starts) tally.problems.push([line]);
}

function printDigest(tally: Tally): void {
  if (tally.problems.length === 0) return;
  console.log(`\nnpm test: ${tally.problems.length} problem(s) reported above, in the order ava printed them:`);
  for (const lines of tally.problems) console.log(lines.filter((line) => line.trim() !== "").join("\n") + "\n");
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
