/**
 * Background processes of a sandbox: started detached with their output in `<state>/logs/`,
 * recorded in `<state>/pids.json` as soon as they start (so a half-started sandbox can still be
 * torn down), and stopped by pid: the stop signal, then SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** One process as recorded in pids.json. */
export interface ProcessRecord {
  name: string;
  pid: number;
  /** The program started. */
  command: string;
  /** Must appear in /proc/<pid>/cmdline before we signal the pid (it may have been reused). */
  marker: string;
  /** Signal for a clean stop (PostgreSQL wants SIGINT for a fast shutdown). */
  stopSignal: NodeJS.Signals;
  /** Processes stop in rounds by ascending stage: a server stops after its clients. */
  stopStage: number;
}

/** What to start. */
export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /** @default "SIGTERM" */
  stopSignal?: NodeJS.Signals;
  /** @default the base name of `command` */
  marker?: string;
  /** @default 0 */
  stopStage?: number;
}

/** A started process: its record and a way to tell whether it already died. */
export interface StartedProcess {
  record: ProcessRecord;
  logFile: string;
  /** Throws with the end of the log when the process has exited. */
  assertAlive: () => void;
}

const pidsFile = (state: string): string => join(state, "pids.json");

/** Reads the process records of a sandbox (empty when none were started). */
export function readProcessRecords(state: string): ProcessRecord[] {
  if (!existsSync(pidsFile(state))) return [];
  return JSON.parse(readFileSync(pidsFile(state), "utf8")) as ProcessRecord[];
}

/** Starts a process detached from this one, so it outlives `sandbox:up`. */
export function startProcess(state: string, spec: ProcessSpec): StartedProcess {
  mkdirSync(join(state, "logs"), { recursive: true });
  const logFile = join(state, "logs", `${spec.name}.log`);
  const fd = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn(spec.command, spec.args, {
      cwd: spec.cwd ?? state,
      env: spec.env ?? process.env,
      stdio: ["ignore", fd, fd],
      detached: true,
      ...(spec.uid === undefined ? {} : { uid: spec.uid, gid: spec.gid }),
    });
  } finally {
    closeSync(fd);
  }
  let spawnError: Error | undefined;
  child.on("error", (error) => (spawnError = error));
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${spec.name} (${spec.command}): not found or not executable`);
  const record: ProcessRecord = {
    name: spec.name,
    pid: child.pid,
    command: spec.command,
    marker: spec.marker ?? basename(spec.command),
    stopSignal: spec.stopSignal ?? "SIGTERM",
    stopStage: spec.stopStage ?? 0,
  };
  writeFileSync(pidsFile(state), JSON.stringify([...readProcessRecords(state), record], null, 2));
  const assertAlive = (): void => {
    if (spawnError) throw new Error(`${spec.name} failed to start: ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${spec.name} exited (${child.exitCode ?? child.signalCode}); end of ${logFile}:\n${tail(logFile)}`);
    }
  };
  return { record, logFile, assertAlive };
}

/**
 * Stops every recorded process, stage by stage (kube-apiserver stops in seconds while etcd is up,
 * but hangs retrying once etcd is gone): stop signal, wait up to graceMs, then SIGKILL.
 */
export async function stopProcesses(state: string, graceMs = 10_000, log?: (line: string) => void): Promise<void> {
  const records = readProcessRecords(state).filter(isOurs);
  const stages = [...new Set(records.map((r) => r.stopStage ?? 0))].sort((a, b) => a - b);
  for (const stage of stages) {
    const start = Date.now();
    const round = records.filter((r) => (r.stopStage ?? 0) === stage);
    await stopAll(round, graceMs);
    log?.(`stopped ${round.map((r) => r.name).join(", ")} in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  }
}

async function stopAll(records: ProcessRecord[], graceMs: number): Promise<void> {
  for (const record of records) signal(record.pid, record.stopSignal);
  const deadline = Date.now() + graceMs;
  while (records.some((r) => isRunning(r.pid)) && Date.now() < deadline) await sleep(50);
  for (const record of records.filter((r) => isRunning(r.pid))) signal(record.pid, "SIGKILL");
  while (records.some((r) => isRunning(r.pid))) await sleep(20);
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 25): string {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
}

// A recorded pid may have been reused by an unrelated process after ours died: check its command line.
function isOurs(record: ProcessRecord): boolean {
  try {
    return readFileSync(`/proc/${record.pid}/cmdline`, "utf8").includes(record.marker);
  } catch {
    return false;
  }
}

/** Whether `pid` is running; a zombie (exited, not yet reaped by its parent) counts as stopped. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
