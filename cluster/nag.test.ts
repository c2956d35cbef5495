// cdk-nag 3 runs as a validation plugin. The stack test synthesizes with the acknowledgements
// (and would throw on any other finding); here the same app is synthesized WITHOUT them, and the
// findings must be exactly the acknowledged ones: none missing a reason, none stale.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { buildApp } from "./app.ts";
import { nagAcknowledgements } from "./nag-acknowledgements.ts";

interface Report {
  pluginReports: Array<{ pluginName: string; violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }> }>;
}

const outdir = mkdtempSync(join(tmpdir(), "genpool-nag-"));
const { app, stack } = buildApp({ outdir, acknowledge: false, stageAssets: false });
const synthError = (() => {
  try {
    app.synth();
    return undefined;
  } catch (e) {
    return e as Error;
  }
})();
const report = JSON.parse(readFileSync(join(outdir, "validation-report.json"), "utf8")) as Report;
rmSync(outdir, { recursive: true, force: true });
const prefixOf: Record<string, string> = { AwsSolutions: "AwsSolutions::", "CloudFormation Validate": "CloudFormation-Validate::" };
const findings = report.pluginReports.flatMap((p) =>
  p.violations.flatMap((v) => v.violatingConstructs.map((c) => ({ id: `${prefixOf[p.pluginName] ?? "?"}${v.ruleName}`, path: c.constructPath }))),
);
const acks = nagAcknowledgements(stack);
const covers = (a: { path: string; id: string }, f: { path: string; id: string }): boolean => a.id === f.id && f.path.startsWith(`${stack.stackName}/${a.path}/`);

test("without acknowledgements the AwsSolutions plugin fails synth", (t) => {
  t.truthy(synthError, "the plugin is active and bites");
  t.regex(synthError?.message ?? "", /AwsSolutions-EC23/);
  t.true(findings.some((f) => f.id.startsWith("AwsSolutions::")));
});

test("every finding is acknowledged", (t) => {
  const open = findings.filter((f) => !acks.some((a) => covers(a, f)));
  t.deepEqual(open, []);
});

test("every acknowledgement matches a real finding (none stale)", (t) => {
  const stale = acks.filter((a) => !findings.some((f) => covers(a, f)));
  t.deepEqual(stale, []);
});

test("every acknowledgement carries a specific reason", (t) => {
  for (const a of acks) {
    t.true(a.reason.length >= 80, `${a.path} ${a.id}: reason too short to say why`);
    t.false(/^(ok|n\/a|false positive|not needed|suppressed)\.?$/i.test(a.reason.trim()));
  }
  const keys = acks.map((a) => `${a.path} ${a.id}`);
  t.is(new Set(keys).size, keys.length, "no duplicate acknowledgements");
});
