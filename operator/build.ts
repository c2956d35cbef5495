/**
 * `npm run build:operator`: bundles the operator into build/operator/main.mjs for its container
 * image, so production runs plain `node` instead of the tsx loader (about 80 MB less memory).
 * Dependencies stay in node_modules; the Lua script is copied next to the bundle, where
 * operator/queue/demand.ts finds it through import.meta.url.
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repo = resolve(fileURLToPath(import.meta.url), "..", "..");
const out = join(repo, "build", "operator");

/** Builds the bundle; returns the path of main.mjs. */
export async function buildOperator(): Promise<string> {
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [join(repo, "operator", "main.ts")],
    outfile: join(out, "main.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
  });
  copyFileSync(join(repo, "operator", "queue", "demand.lua"), join(out, "demand.lua"));
  return join(out, "main.mjs");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${await buildOperator()}\n`);
}
