/**
 * The pinned programs the sandbox runs: the control-plane binaries (built by build-binaries.sh,
 * cached by pin) and the moto virtualenv (created from requirements-moto.txt, cached by its hash).
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

/** ~/.cache/genpool, or $GENPOOL_CACHE. */
export const cacheDir = (): string => process.env.GENPOOL_CACHE ?? join(homedir(), ".cache", "genpool");

/** Runs build-binaries.sh (a no-op when cached) and returns the folder of binaries it prints last. */
export async function controlPlaneBin(): Promise<string> {
  const output = await runShowingProgress("bash", [join(here, "build-binaries.sh")]);
  const bin = output.trim().split("\n").at(-1) ?? "";
  if (!existsSync(join(bin, "kube-apiserver"))) throw new Error(`build-binaries.sh printed ${JSON.stringify(bin)}, which holds no kube-apiserver`);
  return bin;
}

/** The moto virtualenv for the pinned requirements; created when missing. */
export async function motoVenv(): Promise<string> {
  const requirements = join(here, "requirements-moto.txt");
  const hash = createHash("sha256").update(readFileSync(requirements)).digest("hex").slice(0, 16);
  const venv = join(cacheDir(), `venv-moto-${hash}`);
  if (existsSync(join(venv, "bin", "python")) && existsSync(join(venv, ".complete"))) return venv;
  // Built under a unique name and renamed, so an interrupted or concurrent install is never taken
  // as complete. Renaming breaks the venv's console scripts (absolute shebangs), so moto is run as
  // `python -m moto.server`, which does not depend on the folder's name.
  const partial = `${venv}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  process.stderr.write(`creating the moto virtualenv ${venv}\n`);
  await run(process.env.PYTHON ?? "python3", ["-m", "venv", partial]);
  await runShowingProgress(join(partial, "bin", "pip"), ["install", "--quiet", "--disable-pip-version-check", "-r", requirements]);
  writeFileSync(join(partial, ".complete"), "");
  try {
    renameSync(partial, venv);
  } catch (error) {
    // Another process finished first: use its venv.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(venv, ".complete"))) throw error;
  }
  return venv;
}

// Progress goes to our stderr; stdout is returned.
function runShowingProgress(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}
