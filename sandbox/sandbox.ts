/**
 * Bringing a whole sandbox up and down: the Kubernetes control plane with KWOK, Redis,
 * PostgreSQL and moto, each on free loopback ports, all state in one folder
 * (`.sandbox/<run-id>/` by default), described by `<state>/env` (the contract in env.ts).
 */
import { existsSync, lstatSync, mkdirSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { controlPlaneBin, motoVenv } from "./binaries.ts";
import { createPki } from "./certs.ts";
import { formatEnvFile, type SandboxEnv } from "./env.ts";
import { startApiServer, startControllers } from "./kube.ts";
import { startKwok } from "./kwok.ts";
import { startMoto } from "./moto.ts";
import { freePorts } from "./ports.ts";
import { startPostgres } from "./postgres.ts";
import { stopProcesses } from "./processes.ts";
import { startRedis } from "./redis.ts";

/** The parts a sandbox can be made of. */
export const components = ["kube", "kwok", "redis", "postgres", "moto"] as const;
export type Component = (typeof components)[number];

/** Options of `up`. */
export interface UpOptions {
  /** @default all components; "kwok" brings "kube" with it */
  with?: readonly Component[];
  /** Parent of the state folder. @default `<repo>/.sandbox` */
  root?: string;
  /** Point `<root>/current` at the new sandbox. @default false */
  setCurrent?: boolean;
  /** Redis append-only persistence. @default false */
  redisAppendonly?: boolean;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

/** A running sandbox. */
export interface Sandbox {
  dir: string;
  envFile: string;
  /** The contract values; keys of components that were not started are absent. */
  env: Partial<SandboxEnv>;
}

/** The repository's `.sandbox` folder. */
export const defaultRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", ".sandbox");

/** Starts the requested components and writes `<state>/env`; on failure stops what started and throws. */
export async function up(options: UpOptions = {}): Promise<Sandbox> {
  const wanted = new Set<Component>(options.with ?? components);
  if (wanted.has("kwok")) wanted.add("kube");
  const root = options.root ?? defaultRoot;
  const dir = join(root, runId());
  mkdirSync(dir, { recursive: true });
  const log = options.log ?? ((): void => undefined);
  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const start = Date.now();
    const value = await work();
    log(`${what} ready in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    return value;
  };
  const env: Partial<SandboxEnv> = { GENPOOL_SANDBOX: dir };
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler, kwokPort, redisPort, pgPort, motoPort] = await freePorts(9);
  const starts: Promise<void>[] = [];
  if (wanted.has("kube")) {
    starts.push(timed("kubernetes", async () => {
      const [bin, pki] = await Promise.all([timed("control-plane binaries", controlPlaneBin), createPki(dir)]);
      const setup = { state: dir, bin, pki, ports: { etcdClient: etcdClient!, etcdPeer: etcdPeer!, apiserver: apiserver!, controllerManager: controllerManager!, scheduler: scheduler! } };
      const api = await timed("kube-apiserver", () => startApiServer(setup));
      Object.assign(env, { KUBECONFIG: api.kubeconfig, SANDBOX_BIN: bin });
      await Promise.all([
        timed("controller-manager and scheduler", () => startControllers(setup, api)),
        wanted.has("kwok") ? timed("kwok", () => startKwok({ state: dir, bin, kubeconfig: api.kubeconfig, port: kwokPort! })) : undefined,
      ]);
    }));
  }
  if (wanted.has("redis")) {
    starts.push(timed("redis", async () => {
      await startRedis({ state: dir, port: redisPort!, appendonly: options.redisAppendonly ?? false });
      Object.assign(env, { REDIS_HOST: "127.0.0.1", REDIS_PORT: redisPort });
    }));
  }
  if (wanted.has("postgres")) {
    starts.push(timed("postgres", async () => {
      const pg = await startPostgres({ state: dir, port: pgPort! });
      Object.assign(env, { DB_HOST: "127.0.0.1", DB_PORT: pgPort, DB_NAME: pg.database, DB_USER: pg.user, DB_PASSWORD: pg.password });
    }));
  }
  if (wanted.has("moto")) {
    starts.push(timed("moto", async () => {
      const venv = await timed("moto virtualenv", motoVenv);
      await startMoto({ state: dir, venv, port: motoPort! });
      Object.assign(env, {
        AWS_ENDPOINT_URL: `http://127.0.0.1:${motoPort}`, AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "testing", AWS_SECRET_ACCESS_KEY: "testing",
      });
    }));
  }
  // Wait for every start to settle before cleaning up, so nothing is spawned after the clean-up.
  const failures = (await Promise.allSettled(starts)).filter((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failures.length > 0) {
    await stopProcesses(dir);
    const reasons = failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason)));
    throw new Error(`sandbox did not come up (logs kept in ${dir}/logs):\n${reasons.join("\n")}`);
  }
  const envFile = join(dir, "env");
  writeFileSync(envFile, formatEnvFile(env));
  if (options.setCurrent) pointCurrent(root, dir);
  return { dir, envFile, env };
}

/** Stops every process of the sandbox in `dir` and removes its state (and `current` if it pointed there). */
export async function down(dir: string, log?: (line: string) => void): Promise<void> {
  const state = resolve(dir);
  if (!existsSync(join(state, "pids.json")) && !existsSync(join(state, "env"))) {
    throw new Error(`${state} is not a sandbox state folder (no pids.json or env)`);
  }
  await stopProcesses(state, undefined, log);
  // PostgreSQL's folder may live outside the state folder (see postgres.ts): remove the target too.
  const pg = join(state, "postgres");
  if (existsSync(pg) && lstatSync(pg).isSymbolicLink()) rmSync(realpathSync(pg), { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
  const current = join(dirname(state), "current");
  if (isLinkTo(current, state)) rmSync(current);
}

/** The folder `<root>/current` points at, if any. */
export function currentSandbox(root = defaultRoot): string | undefined {
  const current = join(root, "current");
  if (!existsSync(current)) return undefined;
  return realpathSync(current);
}

function pointCurrent(root: string, dir: string): void {
  const current = join(root, "current");
  rmSync(current, { force: true });
  symlinkSync(dir, current);
}

function isLinkTo(link: string, target: string): boolean {
  try {
    return resolve(dirname(link), readlinkSync(link)) === target;
  } catch {
    return false;
  }
}

// Sortable by time, unique per process.
function runId(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return `${stamp}-${process.pid}`;
}
