/**
 * `npm run synth`.
 *
 * Without GENPOOL_ENV: writes the committed manifests, dist/local/ (sandbox) and
 * dist/production/ (from charts-src/examples/cdk-outputs.example.json), then runs the AWS
 * side's `npm run synth:cluster` when package.json has it. CI re-runs this and fails on drift.
 *
 * With GENPOOL_ENV=local|production: writes only that environment to GENPOOL_OUTDIR
 * (default build/<env>/), e.g. real production manifests from your own cdk-outputs.json.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { genpoolApp } from "../charts-src/app.ts";
import { settingsFromEnv } from "../charts-src/config/environment.ts";
import { EXAMPLE_PRODUCTION_ENV } from "../charts-src/examples/production-env.ts";

const root = join(import.meta.dirname, "..");

function synthTo(outdir: string, env: NodeJS.ProcessEnv): void {
  const settings = settingsFromEnv(env);
  rmSync(outdir, { recursive: true, force: true });
  genpoolApp(settings, { outdir }).synth();
  console.log(`synthesized ${settings.environment} -> ${outdir}`);
}

function synthCluster(): void {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { scripts?: Record<string, string> };
  if (!pkg.scripts?.["synth:cluster"]) {
    console.log("note: package.json has no synth:cluster script yet; skipped the CDK synth of cluster/");
    return;
  }
  const result = spawnSync("npm", ["run", "--silent", "synth:cluster"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) throw new Error(`npm run synth:cluster failed with exit code ${String(result.status ?? result.signal)}`);
  console.log("synthesized cluster/ (npm run synth:cluster)");
}

try {
  if (process.env.GENPOOL_ENV) {
    synthTo(process.env.GENPOOL_OUTDIR ?? join(root, "build", process.env.GENPOOL_ENV), process.env);
  } else {
    synthTo(join(root, "dist", "local"), { GENPOOL_ENV: "local" });
    synthTo(join(root, "dist", "production"), EXAMPLE_PRODUCTION_ENV);
    synthCluster();
  }
} catch (error) {
  console.error(`synth failed: ${(error as Error).message}`);
  process.exitCode = 1;
}
