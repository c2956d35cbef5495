/**
 * TEST GLUE, not product code: the sandbox's stand-in for the kubelet running worker containers.
 *
 * KWOK marks pods Running but runs nothing. This loop starts one real worker process (the real
 * worker/main.ts, bundled once with esbuild so each process starts fast, on the procedural
 * backend) for every Running worker pod, with POD_NAME = the pod's name, and stops it the way the
 * kubelet would:
 * - pod deleted (or being deleted) while its node still exists: SIGTERM, then SIGKILL once the
 *   grace period is over (`deletionGracePeriodSeconds` if seen, else the pod's
 *   `terminationGracePeriodSeconds`). KWOK removes a deleted pod at once, so the loop keeps the
 *   grace it last saw;
 * - node gone (the instance was reclaimed): SIGKILL at once, as when the machine disappears.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { build } from "esbuild";

const repo = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..");

let bundled: Promise<string> | undefined;

/** worker/main.ts bundled to a temporary .mjs (once per process), as `npm run build` does. */
export function workerBundle(): Promise<string> {
  bundled ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), "genpool-worker-"));
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
    const outfile = join(dir, "main.mjs");
    await build({
      entryPoints: [join(repo, "worker", "main.ts")],
      bundle: true, platform: "node", format: "esm", target: "node20", outfile, logLevel: "warning",
      external: ["pg-native"],
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    });
    return outfile;
  })();
  return bundled;
}

/** How one worker process ended. */
export interface WorkerExit {
  pod: string;
  node: string;
  /** exit code, or the signal that ended it */
  result: number | string;
  /** how the harness stopped it (the last step: a SIGTERMed process whose node then went is "node-gone") */
  stop: "sigterm" | "node-gone" | "harness-stop";
  /** SIGTERM was sent before it ended */
  terminated: boolean;
}

/** Settings of the runner. */
export interface WorkerPodsOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  /** Label selector of the worker pods. */
  selector: string;
  /** Environment of every worker process (Redis, PostgreSQL, S3, queue, GRACE_PERIOD_SECONDS, ...); POD_NAME is added. */
  env: Record<string, string>;
  /** @default 150 */
  pollMs?: number;
  /** Receives each line a worker prints (for a demo or a failing test). */
  onOutput?: (pod: string, line: string) => void;
}

interface Running {
  child: ChildProcess;
  node: string;
  graceSeconds: number;
  stop?: WorkerExit["stop"];
  terminated?: boolean;
  killTimer?: NodeJS.Timeout;
  exited: Promise<void>;
}

/** Runs a worker process per Running pod of one namespace (test glue; see the file comment). */
export class WorkerPods {
  private readonly core: CoreV1Api;
  private readonly running = new Map<string, Running>();
  private loop: Promise<void> | undefined;
  private stopped = false;
  /** Every process that ended. */
  readonly exits: WorkerExit[] = [];
  /** Pods a process was started for, in order. */
  readonly started: string[] = [];
  /** Errors of background passes (a test asserts there were none). */
  readonly errors: unknown[] = [];

  constructor(private readonly options: WorkerPodsOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
  }

  /** Starts the loop in the background (bundles the worker first). */
  async start(): Promise<void> {
    const entry = await workerBundle();
    this.loop ??= (async () => {
      while (!this.stopped) {
        await this.syncOnce(entry).catch((error: unknown) => void this.errors.push(error));
        await sleep(this.options.pollMs ?? 150);
      }
    })();
  }

  /** Pods whose worker process is alive. */
  alive(): string[] {
    return [...this.running.keys()];
  }

  /** Stops the loop and every process: SIGTERM, then SIGKILL after 10 s. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    const all = [...this.running.entries()];
    for (const [, r] of all) this.terminate(r, "harness-stop", 10);
    await Promise.all(all.map(([, r]) => r.exited));
  }

  private async syncOnce(entry: string): Promise<void> {
    const pods = (await this.core.listNamespacedPod({ namespace: this.options.namespace, labelSelector: this.options.selector })).items;
    const nodes = new Set((await this.core.listNode()).items.map((n) => n.metadata?.name ?? ""));
    const byName = new Map(pods.map((p) => [p.metadata?.name ?? "", p]));
    for (const [name, r] of this.running) this.follow(r, byName.get(name), nodes);
    for (const pod of pods.filter((p) => isRunning(p) && !this.running.has(p.metadata?.name ?? ""))) {
      if (!this.stopped && nodes.has(pod.spec?.nodeName ?? "")) this.spawn(entry, pod);
    }
  }

  /** What the kubelet would do to a running process, given its pod (undefined: gone) and the live nodes. */
  private follow(r: Running, pod: V1Pod | undefined, nodes: Set<string>): void {
    if (!nodes.has(r.node)) this.kill(r);
    else if (pod === undefined || pod.metadata?.deletionTimestamp) this.terminate(r, "sigterm", pod?.metadata?.deletionGracePeriodSeconds ?? r.graceSeconds);
    else r.graceSeconds = pod.spec?.terminationGracePeriodSeconds ?? r.graceSeconds;
  }

  private spawn(entry: string, pod: V1Pod): void {
    const name = pod.metadata?.name ?? "";
    const child = spawn(process.execPath, [entry], {
      env: { PATH: process.env.PATH ?? "", ...this.options.env, POD_NAME: name },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const onLine = (chunk: Buffer): void => {
      for (const line of chunk.toString().split("\n")) if (line !== "") this.options.onOutput?.(name, line);
    };
    child.stdout?.on("data", onLine);
    child.stderr?.on("data", onLine);
    const node = pod.spec?.nodeName ?? "";
    const exited = new Promise<void>((done) => child.once("exit", (code, signal) => {
      const r = this.running.get(name);
      clearTimeout(r?.killTimer);
      this.running.delete(name);
      this.exits.push({ pod: name, node, result: code ?? signal ?? "unknown", stop: r?.stop ?? "harness-stop", terminated: r?.terminated === true });
      done();
    }));
    this.running.set(name, { child, node, graceSeconds: pod.spec?.terminationGracePeriodSeconds ?? 30, exited });
    this.started.push(name);
  }

  /** SIGTERM once, SIGKILL after the grace period (the kubelet's order). */
  private terminate(r: Running, stop: WorkerExit["stop"], graceSeconds: number): void {
    if (r.stop !== undefined) return;
    r.stop = stop;
    r.terminated = true;
    r.child.kill("SIGTERM");
    r.killTimer = setTimeout(() => r.child.kill("SIGKILL"), graceSeconds * 1000);
  }

  /** The machine is gone: the process dies with it. */
  private kill(r: Running): void {
    if (r.stop === "node-gone") return;
    r.stop = "node-gone";
    r.child.kill("SIGKILL");
  }
}

const isRunning = (pod: V1Pod): boolean => pod.status?.phase === "Running" && !pod.metadata?.deletionTimestamp;
