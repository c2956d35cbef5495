/**
 * Entry point for the cdk8s CLI (`app` in cdk8s.yaml). Writes ONE multi-document file so that
 * `cdk8s synth --stdout` streams valid YAML (the CLI pipes each file as-is, with no `---`
 * between files). Environment: GENPOOL_ENV and friends, see docs/CHARTS.md.
 */
import { YamlOutputType } from "cdk8s";
import { genpoolApp } from "./app.ts";
import { settingsFromEnv } from "./config/environment.ts";

try {
  genpoolApp(settingsFromEnv(process.env), { yamlOutputType: YamlOutputType.FILE_PER_APP }).synth();
} catch (error) {
  process.stderr.write(`genpool synth failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
