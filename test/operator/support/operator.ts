/**
 * Runs the operator as a real child process (`tsx operator/main.ts`) against the sandbox, plus the
 * objects the operator tests share: the GenerationPool CRD, a pool manifest and reads of Events.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from "@kubernetes/client-node";
import { GenerationPoolApi as Api, generationPoolCrd, type Condition, type ConditionType, type GenerationPoolStatus } from "../../../operator/resource/index.ts";
import { eventually, kubeConfig, kubectl, sandboxEnv } from "../../support/sandbox.ts";
import { waitFor } from "../../../sandbox/wait.ts";
import { freePort } from "./redis-server.ts";

const repo = resolve(fileURLToPath(import.meta.url), "..", "..", "..", "..");

let crdReady: Promise<void> | undefined;

/** Applies the GenerationPool CRD (idempotent) and waits until the API server serves it. */
export function installCrd(): Promise<void> {
  crdReady ??= (async () => {
    const applied = await kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=genpool-tests", "-f", "-"], { input: JSON.stringify(generationPoolCrd()) });
    if (applied.code !== 0) throw new Error(`CRD apply failed: ${applied.stderr}`);
    const waited = await kubectl(["wait", "--for=condition=Established", "--timeout=60s", `crd/${Api.plural}.${Api.group}`]);
    if (waited.code !== 0) throw new Error(`CRD not established: ${waited.stderr}`);
  })();
  return crdReady;
}

/** A log line the operator printed (pino JSON). */
export type LogLine = Record<string, unknown> & { msg?: string };

/** Environment for one operator process. */
export interface OperatorOptions {
  namespace: string;
  redisHost: string;
  redisPort: number;
  /** Leader identity. */
  podName: string;
  /** @default "genpool-operator" in the test namespace */
  leaseName?: string;
  /** @default 30 */
  resyncSeconds?: number;
  /** @default 15 */
  leaseDurationSeconds?: number;
  extraEnv?: Record<string, string>;
}

/** A running operator child process. */
export class OperatorProcess {
  readonly logs: LogLine[] = [];
  private exited: Promise<number | null>;
  private constructor(private readonly child: ChildProcess, readonly metricsPort: number) {
    let pending = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
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
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    this.exited = new Promise((resolveExit) => child.once("exit", (code) => {
      if (code !== 0 && code !== null && stderr !== "") this.logs.push({ msg: "stderr", stderr });
      resolveExit(code);
    }));
  }

  static async start(options: OperatorOptions): Promise<OperatorProcess> {
    const env = sandboxEnv();
    const metricsPort = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", join(repo, "operator", "main.ts")], {
      cwd: repo,
      env: {
        PATH: process.env.PATH,
        KUBECONFIG: env.KUBECONFIG,
        REDIS_HOST: options.redisHost,
        REDIS_PORT: String(options.redisPort),
        WATCH_NAMESPACES: options.namespace,
        LEADER_ELECTION_NAMESPACE: options.namespace,
        LEADER_ELECTION_LEASE_NAME: options.leaseName ?? "genpool-operator",
        LEASE_DURATION_SECONDS: String(options.leaseDurationSeconds ?? 15),
        POD_NAME: options.podName,
        METRICS_PORT: String(metricsPort),
        RESYNC_SECONDS: String(options.resyncSeconds ?? 30),
        LOG_LEVEL: "debug",
        ...options.extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const op = new OperatorProcess(child, metricsPort);
    try {
      // tsx compiles the operator at start: on a loaded 2-core machine that alone can take 30 s.
      await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${metricsPort}/healthz`).catch(() => undefined);
        return res?.ok === true ? true : undefined;
      }, {
        what: "operator /healthz",
        timeoutMs: 120_000,
        abortIf: () => {
          if (child.exitCode !== null) throw new Error(`operator exited with ${child.exitCode} before answering /healthz: ${JSON.stringify(op.logs.slice(-5))}`);
        },
      });
    } catch (err) {
      await op.stop("SIGKILL"); // never leave a half-started operator behind the failed test
      throw err;
    }
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

  /** SIGTERM (graceful: releases the Lease) or SIGKILL (a crash); resolves once the process is gone. */
  async stop(signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** Starts an operator and stops it when the test ends. */
export async function useOperator(t: { teardown(fn: () => Promise<unknown>): void }, options: OperatorOptions): Promise<OperatorProcess> {
  const op = await OperatorProcess.start(options);
  t.teardown(() => op.stop("SIGKILL"));
  return op;
}

/** A GenerationPool manifest with test-friendly timings (short windows, small steps). */
export function poolManifest(namespace: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: Api.apiVersion, kind: Api.kind, metadata: { name, namespace }, spec };
}

const custom = (): CustomObjectsApi => kubeConfig().makeApiClient(CustomObjectsApi);

/** Creates a GenerationPool. */
export async function createPool(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  await custom().createNamespacedCustomObject({ group: Api.group, version: Api.version, plural: Api.plural, namespace, body: poolManifest(namespace, name, spec) });
}

/** Merge-patches a pool's spec. */
export async function patchPoolSpec(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  const { PatchStrategy, setHeaderOptions } = await import("@kubernetes/client-node");
  await custom().patchNamespacedCustomObject(
    { group: Api.group, version: Api.version, plural: Api.plural, namespace, name, body: { spec } },
    setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
  );
}

/** A pool's status as stored. */
export async function poolStatus(namespace: string, name: string): Promise<GenerationPoolStatus> {
  const obj = (await custom().getNamespacedCustomObject({ group: Api.group, version: Api.version, plural: Api.plural, namespace, name })) as { status?: GenerationPoolStatus };
  return obj.status ?? {};
}

/** The status of one condition type, if set. */
export async function conditionOf(namespace: string, name: string, type: ConditionType): Promise<Condition | undefined> {
  const status = await poolStatus(namespace, name);
  return status.conditions?.find((c) => c.type === type);
}

/** spec.replicas of a Deployment. */
export async function replicasOf(namespace: string, name: string): Promise<number> {
  const d = await kubeConfig().makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace, name });
  return d.spec?.replicas ?? 0;
}

/** Scale Events (ScaledUp / ScaledDown) the operator wrote about a pool. */
export async function scaleEvents(namespace: string, pool: string): Promise<Array<{ reason: string; message: string; instance: string }>> {
  const list = await kubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${pool},involvedObject.kind=${Api.kind}` });
  return list.items
    .filter((e) => e.reason === "ScaledUp" || e.reason === "ScaledDown")
    .map((e) => ({ reason: e.reason ?? "", message: e.message ?? "", instance: e.reportingInstance ?? "" }));
}

/** Waits until `probe` holds, polling every 100 ms. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  await eventually(what, async () => ((await probe()) ? true : undefined), timeoutMs);
}

export { sleep };
