/**
 * PostgreSQL for the sandbox: a fresh cluster (initdb) in the state folder, a `genpool` database
 * and a password-authenticated user, on a free loopback port with its unix socket beside the data.
 *
 * PostgreSQL refuses to run as root: when we are root, initdb and postgres run as the `postgres`
 * user that Debian's package creates, and the data lives where that user can reach it.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { startProcess, type StartedProcess } from "./processes.ts";
import { waitFor } from "./wait.ts";

const run = promisify(execFile);

/** What PostgreSQL needs. */
export interface PostgresSetup {
  state: string;
  port: number;
}

/** The running server and how to log in. */
export interface Postgres {
  process: StartedProcess;
  database: string;
  user: string;
  password: string;
}

/** The PostgreSQL server binaries: $PG_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. */
export function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  const dir = versions.map((v) => join(root, v, "bin")).find((d) => existsSync(join(d, "initdb")));
  if (dir) return dir;
  return "";
}

/** Initialises a cluster, starts it, creates the `genpool` database. */
export async function startPostgres(setup: PostgresSetup): Promise<Postgres> {
  const bin = postgresBin();
  const exe = (name: string): string => (bin ? join(bin, name) : name);
  const owner = await runAsUser();
  const root = postgresRoot(setup.state, owner !== undefined, setup.port);
  const data = join(root, "data");
  const password = randomBytes(12).toString("hex");
  const user = "genpool";
  const pwfile = join(root, "pwfile");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner) {
    chownSync(root, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  const asOwner = owner ? { uid: owner.uid, gid: owner.gid } : {};
  await run(exe("initdb"), ["-D", data, "-U", user, `--pwfile=${pwfile}`, "--auth=scram-sha-256", "--auth-local=trust",
    "--encoding=UTF8", "--locale=C", "--no-sync"], { cwd: root, ...asOwner });
  const postgres = startProcess(setup.state, {
    name: "postgres",
    command: exe("postgres"),
    args: ["-D", data, "-p", String(setup.port), "-k", root, "-c", "listen_addresses=127.0.0.1",
      // Disposable test data: durability off makes every write far cheaper.
      "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200"],
    cwd: root,
    ...asOwner,
    // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for clients to disconnect.
    stopSignal: "SIGINT",
  });
  const env = { ...process.env, PGPASSWORD: password };
  await waitFor(async () => {
    await run(exe("pg_isready"), ["-h", "127.0.0.1", "-p", String(setup.port), "-U", user, "-d", "postgres"]);
    return true;
  }, { what: "postgres accepting connections", abortIf: postgres.assertAlive });
  await run(exe("createdb"), ["-h", "127.0.0.1", "-p", String(setup.port), "-U", user, "genpool"], { env });
  return { process: postgres, database: "genpool", user, password };
}

/** The `postgres` user when we are root (PostgreSQL will not run as root). */
async function runAsUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number((await run("id", ["-u", "postgres"])).stdout.trim());
    const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new Error("running as root, PostgreSQL needs the `postgres` user to run as: install Debian's postgresql package (apt-get install -y postgresql)");
  }
}

/**
 * `<state>/postgres`, or a folder under the system temp dir linked from there when the state
 * folder is out of the postgres user's reach (e.g. a clone under /root) or its socket path would
 * be too long for a unix socket.
 */
function postgresRoot(state: string, otherUser: boolean, port: number): string {
  const inState = join(state, "postgres");
  const socketPath = join(inState, `.s.PGSQL.${port}`);
  if ((!otherUser || reachableByOthers(state)) && socketPath.length < 100) {
    mkdirSync(inState, { recursive: true });
    return inState;
  }
  const outside = mkdtempSync(join(tmpdir(), "genpool-pg-"));
  symlinkSync(outside, inState);
  return outside;
}

// Every ancestor must be searchable by "others" for another user to reach the folder.
function reachableByOthers(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (d === dirname(d)) return true;
  }
}
