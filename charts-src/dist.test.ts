import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { parseAllDocuments } from "yaml";
import { genpoolApp } from "./app.ts";
import { localSettings } from "./config/local.ts";
import { exampleProductionSettings } from "./lib/fixtures.ts";

const root = join(import.meta.dirname, "..");
const files = (dir: string): Record<string, string> =>
  Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), "utf8")]));

function synthTo(settings: Parameters<typeof genpoolApp>[0]): Record<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), "genpool-dist-"));
  genpoolApp(settings, { outdir }).synth();
  return files(outdir);
}

const environments = [
  ["local", localSettings],
  ["production", exampleProductionSettings],
] as const;

for (const [env, settings] of environments) {
  test(`dist/${env} is what synth writes now (run npm run synth after changing charts-src)`, (t) => {
    t.deepEqual(files(join(root, "dist", env)), synthTo(settings()));
  });

  test(`dist/${env} is deterministic: two syntheses are byte-identical`, (t) => {
    t.deepEqual(synthTo(settings()), synthTo(settings()));
  });

  test(`dist/${env}: the CRD file sorts first and the GenerationPool file last`, (t) => {
    const names = Object.keys(files(join(root, "dist", env)));
    t.is(names[0], "00-crds.yaml");
    t.is(names.at(-1), "60-pools.yaml");
    const kinds = (f: string): string[] => parseAllDocuments(readFileSync(join(root, "dist", env, f), "utf8")).map((d) => String(d.get("kind")));
    t.deepEqual(kinds("00-crds.yaml"), ["CustomResourceDefinition"]);
    t.deepEqual(kinds("60-pools.yaml"), ["GenerationPool"]);
    t.false(names.slice(0, -1).some((f) => kinds(f).includes("GenerationPool")));
  });
}

test("the CRD carries no namespace (its chart stamps none)", (t) => {
  const [crd] = parseAllDocuments(readFileSync(join(root, "dist", "local", "00-crds.yaml"), "utf8"));
  t.is(crd?.getIn(["metadata", "namespace"]), undefined);
});

test("npx cdk8s synth --stdout prints valid multi-document YAML with every object of dist/local", (t) => {
  const run = spawnSync("npx", ["cdk8s", "synth", "--stdout", "--no-check-upgrade"], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, GENPOOL_ENV: "local" },
  });
  t.is(run.status, 0, run.stderr);
  const docs = parseAllDocuments(run.stdout);
  t.deepEqual(docs.flatMap((d) => d.errors), []);
  const expected = Object.values(files(join(root, "dist", "local"))).flatMap((text) => parseAllDocuments(text).map((d) => d.toJS() as unknown));
  t.deepEqual(docs.map((d) => d.toJS() as unknown), expected);
});
