/**
 * `npm run sandbox:up [-- --with kube,kwok,redis,postgres,moto] [--appendonly]`
 * `npm run sandbox:down [-- <state folder>]` (default: the one `.sandbox/current` points at)
 * `npx tsx sandbox/cli.ts prepare` (binaries and moto virtualenv only; used by .ci/run)
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { controlPlaneBin, motoVenv } from "./binaries.ts";
import { components, currentSandbox, down, up, type Component } from "./sandbox.ts";

const usage = `usage:
  tsx sandbox/cli.ts up [--with ${components.join(",")}] [--appendonly] [--root DIR]
  tsx sandbox/cli.ts down [STATE_DIR]
  tsx sandbox/cli.ts prepare      (build or find the pinned binaries and the moto virtualenv; print where)`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { with: { type: "string" }, appendonly: { type: "boolean" }, root: { type: "string" }, help: { type: "boolean" } },
  });
  const [command, target] = positionals;
  if (values.help || command === undefined) {
    console.log(usage);
    return;
  }
  if (command === "up") return cmdUp(values);
  if (command === "down") return cmdDown(target, values.root);
  if (command === "prepare") return cmdPrepare();
  throw new Error(`unknown command ${JSON.stringify(command)}: expected "up" or "down"\n${usage}`);
}

async function cmdUp(values: { with?: string; appendonly?: boolean; root?: string }): Promise<void> {
  const start = Date.now();
  const sandbox = await up({
    with: values.with === undefined ? undefined : parseComponents(values.with),
    redisAppendonly: values.appendonly ?? false,
    setCurrent: true,
    ...(values.root ? { root: values.root } : {}),
    log: (line) => process.stderr.write(`sandbox: ${line}\n`),
  });
  process.stderr.write(`sandbox: up in ${((Date.now() - start) / 1000).toFixed(1)} s (state ${sandbox.dir})\n`);
  if (sandbox.env.KUBECONFIG) console.log(`KUBECONFIG=${sandbox.env.KUBECONFIG}`);
  console.log(`env file: ${sandbox.envFile}`);
  console.log(`use it:   set -a; . ${sandbox.envFile}; set +a; export PATH="$SANDBOX_BIN:$PATH"`);
  console.log("stop it:  npm run sandbox:down");
}

async function cmdDown(target: string | undefined, root: string | undefined): Promise<void> {
  const dir = target ?? currentSandbox(root);
  if (dir === undefined) throw new Error(`no sandbox to stop: ${join(root ?? ".sandbox", "current")} does not exist; pass a state folder`);
  await down(dir, (line) => process.stderr.write(`sandbox: ${line}\n`));
  console.log(`sandbox ${dir} stopped and removed`);
}

async function cmdPrepare(): Promise<void> {
  const [bin, venv] = await Promise.all([controlPlaneBin(), motoVenv()]);
  console.log(`control-plane binaries: ${bin}`);
  console.log(`moto virtualenv: ${venv}`);
}

function parseComponents(list: string): Component[] {
  const names = list.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(components as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`--with ${JSON.stringify(list)}: unknown component(s) ${JSON.stringify(unknown)}; allowed: ${components.join(", ")}`);
  }
  return names as Component[];
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`sandbox: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
