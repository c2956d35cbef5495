/**
 * Private Redis (AOF on) and PostgreSQL servers that one test owns, so it may crash and restart
 * them under load without touching the shared sandbox. Both keep their data folder and port
 * across restarts, the way a restarted ElastiCache node or RDS instance comes back. Redis can
 * also run as a primary with a replica behind one endpoint, to fail over.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePorts } from "../../../sandbox/ports.ts";
import { postgresBin } from "../../../sandbox/postgres.ts";
import { ping } from "../../../sandbox/redis.ts";
import { waitFor } from "../../../sandbox/wait.ts";
import { Redis } from "../../../worker/adapters/redis.ts";
import { TcpProxy } from "../../support/tcp-proxy.ts";

const run = promisify(execFile);

/** Every child this process started, killed if the test process exits without its teardown. */
const children = new Set<ChildProcess>();
process.once("exit", () => children.forEach((c) => c.kill("SIGKILL")));

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** redis-server with appendonly yes (appendfsync everysec), restartable on the same port and data. */
export class PrivateRedis {
  private child: ChildProcess | null = null;
  private constructor(readonly port: number, readonly dir: string, private readonly extraArgs: string[]) {}

  /** `extraArgs` go to redis-server after the defaults (e.g. `--replicaof 127.0.0.1 <port>`). */
  static async start(extraArgs: string[] = []): Promise<PrivateRedis> {
    const [port] = await freePorts(1);
    const redis = new PrivateRedis(port!, mkdtempSync(join(tmpdir(), "genpool-rel-redis-")), extraArgs);
    await redis.start();
    return redis;
  }

  /** Starts the server and waits until it answers PONG (not LOADING: the AOF is replayed). */
  async start(): Promise<void> {
    const child = track(spawn("redis-server", [
      "--bind", "127.0.0.1", "--port", String(this.port), "--dir", this.dir,
      "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
      "--maxmemory-policy", "noeviction", "--protected-mode", "no", ...this.extraArgs,
    ], { stdio: "ignore" }));
    this.child = child;
    await waitFor(() => ping(this.port), {
      what: `private redis on ${this.port}`,
      timeoutMs: 30_000,
      abortIf: () => {
        if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      },
    });
  }

  /** Stops the server: SIGKILL is a crash (no final fsync), SIGTERM a clean shutdown. */
  async stop(signal: "SIGKILL" | "SIGTERM" = "SIGKILL"): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.kill(signal);
    await exitOf(child);
  }

  /** Stops, stays down for `downMs`, starts again; returns how long the server was unreachable. */
  async restart(signal: "SIGKILL" | "SIGTERM", downMs: number): Promise<number> {
    const t0 = Date.now();
    await this.stop(signal);
    await new Promise((r) => setTimeout(r, downMs));
    await this.start();
    return Date.now() - t0;
  }

  async destroy(): Promise<void> {
    await this.stop("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The `postgres` user when running as root (PostgreSQL refuses to run as root). */
async function postgresOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
  const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
  return { uid, gid };
}

/** A PostgreSQL cluster of its own (initdb once), restartable on the same port and data. */
export class PrivatePostgres {
  readonly user = "genpool";
  readonly password = "reliability";
  readonly database = "postgres";
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    private readonly root: string,
    private readonly owner: { uid: number; gid: number } | undefined,
  ) {}

  private exe(name: string): string {
    const bin = postgresBin();
    return bin ? join(bin, name) : name;
  }

  static async start(): Promise<PrivatePostgres> {
    const [port] = await freePorts(1);
    const owner = await postgresOwner();
    const root = mkdtempSync(join(tmpdir(), "genpool-rel-pg-"));
    if (owner) chownSync(root, owner.uid, owner.gid);
    const pg = new PrivatePostgres(port!, root, owner);
    await run(pg.exe("initdb"), ["-D", join(root, "data"), "-U", pg.user, "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"], {
      cwd: root,
      ...(owner ?? {}),
    });
    await pg.start();
    return pg;
  }

  /** Starts the postmaster and waits until it accepts connections. */
  async start(): Promise<void> {
    const child = track(spawn(this.exe("postgres"), [
      "-D", join(this.root, "data"), "-p", String(this.port), "-k", this.root, "-c", "listen_addresses=127.0.0.1",
      "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
    ], { cwd: this.root, stdio: "ignore", ...(this.owner ?? {}) }));
    this.child = child;
    await waitFor(async () => {
      await run(this.exe("pg_isready"), ["-h", "127.0.0.1", "-p", String(this.port), "-U", this.user, "-d", this.database]);
      return true;
    }, {
      what: `private postgres on ${this.port}`,
      timeoutMs: 30_000,
      abortIf: () => {
        if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}`);
      },
    });
  }

  /** Fast shutdown (SIGINT: every connection is cut, as in an RDS reboot or failover). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child) return;
    child.kill("SIGINT");
    await exitOf(child);
  }

  /** Stops, stays down for `downMs`, starts again; returns how long the server was unreachable. */
  async restart(downMs: number): Promise<number> {
    const t0 = Date.now();
    await this.stop();
    await new Promise((r) => setTimeout(r, downMs));
    await this.start();
    return Date.now() - t0;
  }

  async destroy(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (child) {
      child.kill("SIGQUIT"); // immediate shutdown: the postmaster takes its backends with it
      await exitOf(child);
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** INFO replication of the server on `port`, as field → value. */
async function replicationInfo(port: number): Promise<Record<string, string>> {
  const redis = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    const text = await redis.info("replication");
    return Object.fromEntries(text.split("\r\n").filter((l) => l.includes(":")).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]));
  } finally {
    redis.disconnect();
  }
}

/** What a failover did. */
export interface Failover {
  /** Bytes of writes the primary acknowledged and the replica never received. */
  lostBytes: number;
  /** From the primary's death to the endpoint pointing at the promoted replica. */
  switchMs: number;
}

/**
 * A primary and its replica (asynchronous replication, as in ElastiCache) behind one endpoint
 * that follows the primary, as ElastiCache's primary endpoint does after a failover. The
 * replication link runs through a TcpProxy, so a test can make the replica lag behind.
 */
export class ReplicatedRedis {
  private constructor(
    readonly primary: PrivateRedis,
    readonly replica: PrivateRedis,
    private readonly link: TcpProxy,
    private readonly endpoint: TcpProxy,
  ) {}

  static async start(): Promise<ReplicatedRedis> {
    const primary = await PrivateRedis.start();
    const link = await TcpProxy.start(primary.port);
    const replica = await PrivateRedis.start(["--replicaof", "127.0.0.1", String(link.port)]);
    const endpoint = await TcpProxy.start(primary.port);
    await waitFor(async () => ((await replicationInfo(replica.port)).master_link_status === "up" ? true : undefined), { what: "the replica to sync", timeoutMs: 30_000 });
    return new ReplicatedRedis(primary, replica, link, endpoint);
  }

  /** The endpoint clients use. */
  get port(): number {
    return this.endpoint.port;
  }

  /**
   * Fails over the way a primary lost with a lagging replica does: the replica receives nothing
   * for `lagMs` while the primary goes on acknowledging writes, then the primary dies (SIGKILL),
   * the replica is promoted (REPLICAOF NO ONE) and the endpoint moves to it, cutting every open
   * connection (the clients reconnect to the new primary).
   */
  async failover(lagMs: number): Promise<Failover> {
    this.link.hold();
    await new Promise((r) => setTimeout(r, lagMs));
    const primaryOffset = Number((await replicationInfo(this.primary.port)).master_repl_offset);
    const t0 = Date.now();
    await this.primary.stop("SIGKILL");
    this.link.cut();
    const replicaOffset = Number((await replicationInfo(this.replica.port)).slave_repl_offset);
    const admin = new Redis({ host: "127.0.0.1", port: this.replica.port, maxRetriesPerRequest: 1 });
    try {
      await admin.replicaof("NO", "ONE");
    } finally {
      admin.disconnect();
    }
    this.endpoint.retarget(this.replica.port);
    return { lostBytes: primaryOffset - replicaOffset, switchMs: Date.now() - t0 };
  }

  async destroy(): Promise<void> {
    await Promise.allSettled([this.endpoint.close(), this.link.close()]);
    await Promise.allSettled([this.primary.destroy(), this.replica.destroy()]);
  }
}
