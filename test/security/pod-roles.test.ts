// The pod roles (operator, api, worker) in the synthesized template: no wildcard action in any
// policy that reaches them, however it is attached. cluster/stack.test.ts pins the exact inline
// statements of each role ("operator policy: ...", "API and worker policies: ..."); this test
// closes the other ways a permission can reach a role: AWS::IAM::Policy or ManagedPolicy resources
// that list the role (what CDK's grant* methods create) and managed policy ARNs.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import test from "ava";
import { buildApp } from "../../cluster/app.ts";

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Statement = { Effect?: string; Action?: string | string[]; NotAction?: unknown; Resource?: unknown };

const { app, stack } = buildApp({ outdir: mkdtempSync(join(tmpdir(), "genpool-cdk-")) });
const resources = (app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, Resource> }).Resources;

const POD_ROLES = ["EksOperatorRole", "EksApiRole", "EksWorkerRole"];

function roleId(prefix: string): string {
  const ids = Object.keys(resources).filter((id) => id.startsWith(prefix) && resources[id]?.Type === "AWS::IAM::Role");
  if (ids.length !== 1) throw new Error(`expected one AWS::IAM::Role whose logical id starts with ${prefix}, found ${ids.join(", ") || "none"}`);
  return ids[0]!;
}

/** Every statement that applies to the role, with where it comes from. */
function statementsOf(id: string): { from: string; statement: Statement }[] {
  const props = resources[id]?.Properties ?? {};
  const inline = ((props.Policies ?? []) as { PolicyName: string; PolicyDocument: { Statement: Statement[] } }[]).flatMap((p) =>
    p.PolicyDocument.Statement.map((statement) => ({ from: `${id} inline ${p.PolicyName}`, statement })),
  );
  const attached = Object.entries(resources)
    .filter(([, r]) => (r.Type === "AWS::IAM::Policy" || r.Type === "AWS::IAM::ManagedPolicy") && JSON.stringify(r.Properties?.Roles ?? []).includes(`"${id}"`))
    .flatMap(([pid, r]) => ((r.Properties?.PolicyDocument as { Statement: Statement[] }).Statement ?? []).map((statement) => ({ from: pid, statement })));
  return [...inline, ...attached];
}

for (const prefix of POD_ROLES) {
  test(`${prefix}: no wildcard action and no NotAction in any policy that reaches it; no managed policies`, (t) => {
    const id = roleId(prefix);
    t.is(resources[id]?.Properties?.ManagedPolicyArns, undefined, "managed policy ARNs");
    const statements = statementsOf(id);
    t.true(statements.length > 0);
    const wild = statements.flatMap(({ from, statement }) => {
      const actions = [statement.Action ?? []].flat();
      return [
        ...actions.filter((a) => a.includes("*")).map((a) => `${from}: ${a}`),
        ...(statement.NotAction === undefined ? [] : [`${from}: NotAction ${JSON.stringify(statement.NotAction)}`]),
      ];
    });
    t.deepEqual(wild, []);
    t.log(`${prefix}: ${statements.length} statements, ${new Set(statements.flatMap((s) => [s.statement.Action ?? []].flat())).size} distinct actions`);
  });
}
