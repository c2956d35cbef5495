/**
 * TEST GLUE: the operator as a real child process, for every test that runs it (operator, node
 * group, fault and control-plane tests) and the demo. It starts from an esbuild bundle of
 * operator/main.ts, as its container image runs it, so it comes up in about a second even on a
 * loaded 2-core machine where the tsx loader can take more than 30 s. A process that does not
 * answer /healthz in time is killed before the error is thrown, never left behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { waitFor } from "../../sandbox/wait.ts";
import { freePort } from "../operator/support/redis-server.ts";

const repo = resolve(fileURLToPath(import.meta.url), "..", "..", "..");

/** A log line the operator printed (pino JSON), or `{ msg }` for any other line. */
export type LogLine = Record<string, unknown> & { msg?: string };

let bundled: Promise<string> | undefined;

/** operator/main.ts bundled once per test process (with demand.lua next to it); returns main.mjs. */
export function operatorBundle(): Promise<string> {
  bundled ??= (async () => {
    const outdir = mkdtempSync(join(tmpdir(), "genpool-operator-"));
    process.once("exit", () => rmSync(outdir, { recursive: true, force: true }));
    await build({
      entryPoints: [join(repo, "operator", "main.ts")],
      outdir, outExtension: { ".js": ".mjs" }, bundle: true, splitting: true, platform: "node", format: "esm", target: "node20", logLevel: "warning",
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    });
    copyFileSync(join(repo, "operator", "queue", "demand.lua"), join(outdir, "demand.lua"));
    return join(outdir, "main.mjs");
  })();
  return bundled;
}

/** How to start one operator. */
export interface OperatorStart {
  /** Its environment (PATH is added; METRICS_PORT is chosen here). */
  env: Record<string, string>;
  /** Shown in errors. @default "operator" */
  name?: string;
  /** @default 120_000 */
  startTimeoutMs?: number;
}

/** A running operator: its parsed log lines, probes, metrics, and a way to stop or kill it. */
export class OperatorProcess {
  readonly logs: LogLine[] = [];
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess, readonly metricsPort: number) {
    let pending = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) this.logs.push(parse(line));
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => this.logs.push({ msg: "stderr", stderr: chunk }));
    this.exited = new Promise((done) => child.once("exit", (code) => done(code)));
  }

  /** Starts an operator and waits until it answers /healthz. */
  static async start(o: OperatorStart): Promise<OperatorProcess> {
    const name = o.name ?? "operator";
    const entry = await operatorBundle();
    const metricsPort = await freePort();
    const child = spawn(process.execPath, [entry], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? "", ...o.env, METRICS_PORT: String(metricsPort) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const op = new OperatorProcess(child, metricsPort);
    try {
      await waitFor(async () => ((await fetch(`http://127.0.0.1:${metricsPort}/healthz`).catch(() => undefined))?.ok === true ? true : undefined), {
        what: `${name} /healthz`,
        timeoutMs: o.startTimeoutMs ?? 120_000,
        abortIf: () => {
          if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before answering /healthz: ${JSON.stringify(op.logs.slice(-5))}`);
        },
      });
    } catch (err) {
      await op.stop("SIGKILL");
      throw err;
    }
    return op;
  }

  /** Starts an operator that is killed (SIGKILL) when the test ends, if still running. */
  static async use(t: { teardown(fn: () => Promise<unknown>): void }, o: OperatorStart): Promise<OperatorProcess> {
    const op = await OperatorProcess.start(o);
    t.teardown(() => op.stop("SIGKILL"));
    return op;
  }

  /** Log lines with this message. */
  lines(msg: string): LogLine[] {
    return this.logs.filter((l) => l.msg === msg);
  }

  /** HTTP status of a probe path (/healthz, /readyz). */
  async probe(path: string): Promise<number> {
    return (await fetch(`http://127.0.0.1:${this.metricsPort}${path}`)).status;
  }

  /** Text of /metrics. */
  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
  }

  /** Whether /metrics says this replica holds the Lease. */
  async leads(): Promise<boolean> {
    return /^genpool_leader 1$/m.test(await this.metrics());
  }

  /**
   * SIGTERM (graceful: releases the Lease; SIGKILL if still running after 10 s) or SIGKILL (a
   * crash); resolves with the exit code once the process is gone.
   */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill(signal);
    const killer = signal === "SIGTERM" ? setTimeout(() => this.child.kill("SIGKILL"), 10_000) : undefined;
    try {
      return await this.exited;
    } finally {
      clearTimeout(killer);
    }
  }
}

function parse(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { msg: line };
  }
}
