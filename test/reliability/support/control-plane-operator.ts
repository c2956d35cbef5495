/**
 * The operator as a real child process (`node --import tsx operator/main.ts`) for the fault tests,
 * pointed at any kubeconfig. Unlike a plain start, a process that does not answer /healthz in time
 * is killed before the error is thrown, so a slow start on a loaded machine cannot leave an
 * operator running that keeps the test worker alive.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { waitFor } from "../../../sandbox/wait.ts";
import { freePort } from "../../operator/support/redis-server.ts";
import type { LogLine } from "../../operator/support/operator.ts";

const repo = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..");

/** Environment of one operator. */
export interface FaultOperatorOptions {
  kubeconfig: string;
  namespace: string;
  redisHost: string;
  redisPort: number;
  podName: string;
  /** @default 120_000: tsx compiles the operator at start, slow on a busy 2-core machine */
  startTimeoutMs?: number;
}

/** A running operator: its parsed log lines, probes, metrics, and a way to stop or kill it. */
export class FaultOperator {
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

  /** Starts an operator, stopped (SIGKILL) at teardown. */
  static async use(t: { teardown(fn: () => Promise<unknown>): void }, o: FaultOperatorOptions): Promise<FaultOperator> {
    const metricsPort = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", join(repo, "operator", "main.ts")], {
      cwd: repo,
      env: {
        PATH: process.env.PATH,
        KUBECONFIG: o.kubeconfig,
        REDIS_HOST: o.redisHost,
        REDIS_PORT: String(o.redisPort),
        WATCH_NAMESPACES: o.namespace,
        LEADER_ELECTION_NAMESPACE: o.namespace,
        POD_NAME: o.podName,
        METRICS_PORT: String(metricsPort),
        LOG_LEVEL: "debug",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const op = new FaultOperator(child, metricsPort);
    t.teardown(() => op.stop("SIGKILL"));
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${metricsPort}/healthz`).catch(() => undefined))?.ok === true ? true : undefined), {
      what: `operator ${o.podName} /healthz`,
      timeoutMs: o.startTimeoutMs ?? 120_000,
      abortIf: () => {
        if (child.exitCode !== null) throw new Error(`operator ${o.podName} exited with ${child.exitCode}: ${JSON.stringify(op.logs.slice(-5))}`);
      },
    });
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

  /** SIGTERM (graceful) or SIGKILL (a crash); resolves with the exit code once the process is gone. */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

function parse(line: string): LogLine {
  try {
    return JSON.parse(line) as LogLine;
  } catch {
    return { msg: line };
  }
}
