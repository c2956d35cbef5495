/**
 * TEST GLUE: the operator as a child process for the e2e test and the demo, started from an
 * esbuild bundle of operator/main.ts (as its container image runs it), so it starts in about a
 * second even on a loaded 2-core machine where the tsx loader can take more than 30 s. A process
 * that does not come up is killed, never left behind.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { eventually } from "../../support/sandbox.ts";
import { freePort } from "../../operator/support/redis-server.ts";
import type { LogLine } from "../../operator/support/operator.ts";

const repo = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..");

let bundled: Promise<string> | undefined;

/** operator/main.ts bundled once per process (with demand.lua next to it); returns main.mjs. */
export function operatorBundle(): Promise<string> {
  bundled ??= (async () => {
    const outdir = mkdtempSync(join(tmpdir(), "genpool-operator-"));
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

/** A running operator; its pino lines are kept in `logs`. */
export class OperatorRun {
  readonly logs: LogLine[] = [];
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    let pending = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          this.logs.push({ msg: line });
        }
      }
    });
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => this.logs.push({ msg: "stderr", stderr: chunk }));
    this.exited = new Promise((done) => child.once("exit", () => done()));
  }

  /** Starts the operator with `env` (plus KUBECONFIG-style settings the caller gives) and waits for /healthz. */
  static async start(env: Record<string, string>, timeoutMs = 120_000): Promise<OperatorRun> {
    const entry = await operatorBundle();
    const metricsPort = await freePort();
    const child = spawn(process.execPath, [entry], { cwd: repo, env: { PATH: process.env.PATH ?? "", ...env, METRICS_PORT: String(metricsPort) }, stdio: ["ignore", "pipe", "pipe"] });
    const run = new OperatorRun(child);
    try {
      await eventually("operator /healthz", async () => {
        if (child.exitCode !== null) throw new Error(`operator exited with ${child.exitCode}: ${JSON.stringify(run.logs.slice(-5))}`);
        const res = await fetch(`http://127.0.0.1:${metricsPort}/healthz`).catch(() => undefined);
        return res?.ok === true ? true : undefined;
      }, timeoutMs);
    } catch (error) {
      await run.stop("SIGKILL");
      throw error;
    }
    return run;
  }

  /** Log lines with this message. */
  lines(msg: string): LogLine[] {
    return this.logs.filter((l) => l.msg === msg);
  }

  /** Sends `signal` (SIGTERM: SIGKILL after 10 s) and resolves once the process is gone. */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    const killer = signal === "SIGTERM" ? setTimeout(() => this.child.kill("SIGKILL"), 10_000) : undefined;
    await this.exited;
    clearTimeout(killer);
  }
}
