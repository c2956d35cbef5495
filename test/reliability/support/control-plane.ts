/**
 * A Kubernetes control plane (etcd, kube-apiserver, controller-manager, scheduler, KWOK) that only
 * one test uses, started with the sandbox's own code (sandbox/sandbox.ts `up`) in a temporary
 * folder, so the test may stop and restart its kube-apiserver without disturbing anyone else.
 *
 * The restart is identical to the first start: the command line is read from
 * /proc/<pid>/cmdline of the running kube-apiserver (as sandbox/kube.ts started it) and started
 * again with sandbox/processes.ts `startProcess`, same binary, flags, certificates and port.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { answers200 } from "../../../sandbox/http.ts";
import { isRunning, readProcessRecords, startProcess, type ProcessRecord } from "../../../sandbox/processes.ts";
import { down, up } from "../../../sandbox/sandbox.ts";
import { waitFor } from "../../../sandbox/wait.ts";

/** The command line of a stopped kube-apiserver, to start it again identically. */
interface CommandLine {
  command: string;
  args: string[];
}

/** A private control plane in a temporary folder. */
export class PrivateControlPlane {
  private stopped: CommandLine | undefined;

  private constructor(
    /** The sandbox state folder (pids.json, logs/, pki/, kubeconfig). */
    readonly dir: string,
    private readonly root: string,
    /** Admin kubeconfig file. */
    readonly kubeconfig: string,
    /** Folder of the pinned binaries (kubectl). */
    readonly bin: string,
  ) {}

  /** Brings up kube + KWOK in a fresh temporary root; on failure nothing is left running. */
  static async start(): Promise<PrivateControlPlane> {
    const root = mkdtempSync(join(tmpdir(), "genpool-cp-"));
    try {
      const sandbox = await up({ with: ["kube", "kwok"], root });
      return new PrivateControlPlane(sandbox.dir, root, sandbox.env.KUBECONFIG!, sandbox.env.SANDBOX_BIN!);
    } catch (error) {
      rmSync(root, { recursive: true, force: true });
      throw error;
    }
  }

  /** A client configuration for this control plane. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromFile(this.kubeconfig);
    return kc;
  }

  /** The running kube-apiserver's record (the last one started). */
  private apiServer(): ProcessRecord {
    const record = readProcessRecords(this.dir).filter((r) => r.name === "kube-apiserver" && isRunning(r.pid)).at(-1);
    if (record === undefined) throw new Error(`no running kube-apiserver in ${this.dir}/pids.json`);
    return record;
  }

  /** The https URL of the API server, from its --secure-port flag. */
  url(): string {
    const args = this.stopped?.args ?? commandLine(this.apiServer().pid).args;
    const port = args.find((a) => a.startsWith("--secure-port="))?.slice("--secure-port=".length);
    if (port === undefined) throw new Error("kube-apiserver command line has no --secure-port flag");
    return `https://127.0.0.1:${port}`;
  }

  /**
   * Kills kube-apiserver (SIGKILL: a crash, open watches are cut, nothing is flushed) and waits
   * until the process is gone; etcd, the controllers and KWOK keep running. Resolves with the
   * time it was gone (ms epoch).
   */
  async stopApiServer(): Promise<number> {
    const record = this.apiServer();
    this.stopped = commandLine(record.pid);
    process.kill(record.pid, "SIGKILL");
    await waitFor(() => Promise.resolve(isRunning(record.pid) ? undefined : true), { what: `kube-apiserver pid ${record.pid} to exit`, timeoutMs: 15_000, intervalMs: 20 });
    return Date.now();
  }

  /** Starts kube-apiserver again with the command line it had; resolves when /readyz answers 200. */
  async startApiServer(): Promise<number> {
    const line = this.stopped;
    if (line === undefined) throw new Error("startApiServer: kube-apiserver was not stopped by stopApiServer()");
    const started = startProcess(this.dir, { name: "kube-apiserver", command: line.command, args: line.args, stopStage: 1 });
    this.stopped = undefined;
    const pki = join(this.dir, "pki");
    const tls = { caFile: join(pki, "ca.crt"), certFile: join(pki, "admin.crt"), keyFile: join(pki, "admin.key") };
    await waitFor(() => answers200(`${this.url()}/readyz`, tls), { what: "restarted kube-apiserver /readyz", timeoutMs: 90_000, abortIf: started.assertAlive });
    return Date.now();
  }

  /** Stops every process of this control plane and removes its folder (unless GENPOOL_KEEP_CONTROL_PLANE=1). */
  async down(): Promise<void> {
    try {
      await down(this.dir);
    } finally {
      // GENPOOL_KEEP_CONTROL_PLANE=1 keeps the folder (the controllers' and KWOK's logs) to look into a failure.
      if (process.env.GENPOOL_KEEP_CONTROL_PLANE === "1") process.stderr.write(`control plane folder kept: ${this.root}\n`);
      else rmSync(this.root, { recursive: true, force: true });
    }
  }
}

function commandLine(pid: number): CommandLine {
  const [command, ...args] = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter((s) => s !== "");
  if (command === undefined) throw new Error(`pid ${pid} has an empty command line`);
  return { command, args };
}

