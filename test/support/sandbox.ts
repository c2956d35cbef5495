/**
 * Test access to the sandbox (see docs/SANDBOX.md): the environment contract, a Kubernetes
 * client, a namespace per test and the pinned kubectl.
 *
 * Tests that use it carry `[integration]` in their title so `npm run test:unit` skips them.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiException, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { ExecutionContext } from "ava";
import { parseSandboxEnv, type SandboxEnv } from "../../sandbox/env.ts";
import { waitFor } from "../../sandbox/wait.ts";

/** Label on every namespace useNamespace creates, so leftovers are easy to find. */
export const testNamespaceLabel = "genpool.io/test";

let cachedEnv: SandboxEnv | undefined;

/** The sandbox contract from the environment; throws a clear error when the tests were not started through the sandbox. */
export function sandboxEnv(): SandboxEnv {
  if (cachedEnv) return cachedEnv;
  if (!process.env.GENPOOL_SANDBOX) {
    throw new Error(
      "no sandbox in the environment (GENPOOL_SANDBOX is not set): run integration tests with `npm test`, " +
        "or `npm run sandbox:up` then `set -a; . .sandbox/current/env; set +a` before `npx ava`",
    );
  }
  cachedEnv = parseSandboxEnv(process.env);
  return cachedEnv;
}

/** Connection options for BullMQ / ioredis. */
export function redisConnection(): { host: string; port: number } {
  const env = sandboxEnv();
  return { host: env.REDIS_HOST, port: env.REDIS_PORT };
}

/** Client configuration for `pg` (Client or Pool). */
export function pgConfig(): { host: string; port: number; database: string; user: string; password: string } {
  const env = sandboxEnv();
  return { host: env.DB_HOST, port: env.DB_PORT, database: env.DB_NAME, user: env.DB_USER, password: env.DB_PASSWORD };
}

/** Client configuration for AWS SDK v3 clients against moto (add `forcePathStyle: true` for S3). */
export function awsClientConfig(): { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } } {
  const env = sandboxEnv();
  return {
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  };
}

/** A KubeConfig loaded from the sandbox's admin kubeconfig. */
export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(sandboxEnv().KUBECONFIG);
  return kc;
}

/** A name unique to this run, `prefix-<4 chars of the test title's hash>-<6 random>`, valid as a DNS label. */
export function uniqueName(t: ExecutionContext, prefix: string): string {
  const title = createHash("sha256").update(t.title).digest("hex").slice(0, 4);
  const name = `${prefix}-${title}-${randomBytes(3).toString("hex")}`.toLowerCase();
  if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    throw new Error(`uniqueName: prefix ${JSON.stringify(prefix)} gives ${JSON.stringify(name)}, not a DNS label (lowercase letters, digits, '-', at most 63 chars)`);
  }
  return name;
}

/**
 * Creates a namespace for this test (deleted in t.teardown) and waits for its `default`
 * ServiceAccount, without which the API server refuses pods.
 */
export async function useNamespace(t: ExecutionContext, labels: Record<string, string> = {}): Promise<string> {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const name = uniqueName(t, "t");
  await core.createNamespace({
    body: {
      metadata: { name, labels: { [testNamespaceLabel]: "true", ...labels }, annotations: { "genpool.io/test-title": t.title.slice(0, 1000) } },
    },
  });
  t.teardown(async () => {
    await core.deleteNamespace({ name }).catch(ignoreNotFound);
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await core.readNamespacedServiceAccount({ name: "default", namespace: name });
      return name;
    } catch (error) {
      ignoreNotFound(error);
      if (Date.now() > deadline) throw new Error(`namespace ${name}: no default ServiceAccount after 30 s (is kube-controller-manager running?)`);
      await sleep(50);
    }
  }
}

/** Rethrows anything but a 404 from the API server. */
export function ignoreNotFound(error: unknown): void {
  if (error instanceof ApiException && error.code === 404) return;
  throw error;
}

/** The `message` of the Status an API server error carries (falls back to the raw body). */
export function apiErrorMessage(error: unknown): string {
  if (!(error instanceof ApiException)) throw error;
  const body: unknown = error.body;
  if (typeof body !== "string") return JSON.stringify(body);
  try {
    const message = (JSON.parse(body) as { message?: unknown }).message;
    return typeof message === "string" ? message : body;
  } catch {
    return body;
  }
}

/** Result of a kubectl run. */
export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Options of kubectl(). */
export interface KubectlOptions {
  /** Written to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  /** @default 60000 */
  timeoutMs?: number;
}

/** Runs the sandbox's pinned kubectl with the admin kubeconfig; never throws on a non-zero exit. */
export function kubectl(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const env = sandboxEnv();
  return new Promise((resolve, reject) => {
    const child = spawn(join(env.SANDBOX_BIN, "kubectl"), [`--kubeconfig=${env.KUBECONFIG}`, ...args], {
      stdio: ["pipe", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 60_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ stdout, stderr, code: code ?? (signal ? 128 : 1) }));
    child.stdin.end(options.input ?? "");
  });
}

/** Polls `probe` until it returns a value other than undefined; throws naming `what` after the timeout. */
export function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  return waitFor(probe, { what, timeoutMs });
}
