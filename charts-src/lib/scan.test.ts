import { readFileSync } from "node:fs";
import { join } from "node:path";
import test from "ava";
import { localSettings } from "../config/local.ts";
import { exampleProductionSettings } from "./fixtures.ts";
import { allManifests } from "./manifests.ts";
import { ScanException } from "./scan.ts";

const docs = readFileSync(join(import.meta.dirname, "..", "..", "docs", "CHARTS.md"), "utf8");

test("every scanner exception carries a reason and is explained in docs/CHARTS.md", (t) => {
  for (const [id, reason] of Object.values(ScanException)) {
    t.regex(id, /^CKV_K8S_\d+$/);
    t.true(reason.length > 20, id);
    t.true(docs.includes(id), `${id} missing from docs/CHARTS.md`);
  }
});

test("only workloads (Deployments, DaemonSets) skip checks, each skip as id=reason", (t) => {
  for (const o of [...allManifests(localSettings()), ...allManifests(exampleProductionSettings())]) {
    const skips = Object.entries(o.metadata.annotations ?? {}).filter(([k]) => k.startsWith("checkov.io/skip"));
    if (o.kind !== "Deployment" && o.kind !== "DaemonSet") t.deepEqual(skips, [], `${o.kind} ${o.metadata.name}`);
    for (const [, value] of skips) t.regex(value, /^CKV_K8S_\d+=.{20,}$/);
  }
});
