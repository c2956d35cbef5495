// dist/local against the sandbox's real API server, following docs/CHARTS.md to the letter.
// The charts use fixed namespaces, so every test here runs serially in this one file.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import test from "ava";
import { CoreV1Api } from "@kubernetes/client-node";
import { Workload } from "../../cluster/contract.ts";
import { localSettings } from "../../charts-src/config/local.ts";
import { gpuNodeManifest, deleteGpuNode } from "../support/gpu-nodes.ts";
import { eventually, kubeConfig, kubectl, type KubectlResult } from "../support/sandbox.ts";

const repo = resolve(fileURLToPath(import.meta.url), "..", "..", "..");
const namespaces = Object.values(Workload).map((w) => w.namespace);
const operatorSa = `system:serviceaccount:${Workload.operator.namespace}:${Workload.operator.serviceAccount}`;

/** The `kubectl …` lines of the fenced block after `marker` in docs/CHARTS.md. */
function documentedCommands(marker: string): string[][] {
  const doc = readFileSync(join(repo, "docs", "CHARTS.md"), "utf8");
  const block = doc.split(marker)[1]?.split("```")[1];
  if (!block) throw new Error(`docs/CHARTS.md has no code block after ${marker}`);
  return block
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("kubectl "))
    .map((line) => line.split(/\s+/).slice(1).map((arg) => arg.replace(/^dist\//, `${repo}/dist/`)));
}

const ok = (t: { is: (a: unknown, b: unknown, m?: string) => void }, r: KubectlResult, what: string): void =>
  t.is(r.code, 0, `${what}: ${r.stderr}`);

async function namespacesGone(): Promise<void> {
  await eventually("leftover genpool namespaces to be deleted", async () => {
    const r = await kubectl(["get", "namespaces", ...namespaces, "--ignore-not-found", "-o", "name"]);
    return r.code === 0 && r.stdout.trim() === "" ? true : undefined;
  }, 90_000);
}

test.before(async () => {
  await namespacesGone();
});

test.after.always(async () => {
  // The CRD stays: other test files in this run share it. Everything else from dist/local goes.
  const files = ["10-namespaces.yaml", "30-operator.yaml"].map((f) => ["-f", join(repo, "dist", "local", f)]).flat();
  await kubectl(["delete", "--ignore-not-found", "--wait=false", ...files]);
});

test.serial("[integration] the documented install applies dist/local: preflight dry-run clean, then real apply", async (t) => {
  const commands = documentedCommands("<!-- install:local -->");
  t.true(commands.length >= 4, `commands found: ${JSON.stringify(commands)}`);
  for (const args of commands) {
    const r = await kubectl(args, { timeoutMs: 120_000 });
    ok(t, r, `kubectl ${args.join(" ")}`);
    // Pod Security "warn" labels turn template violations into warnings: there must be none.
    t.notRegex(r.stderr, /Warning:/, `kubectl ${args.join(" ")}`);
  }
  const gp = await kubectl(["get", "generationpool", "sdxl", "-n", Workload.worker.namespace, "-o", "jsonpath={.spec.targetBacklogPerWorker}"]);
  t.is(gp.stdout, "5");
});

test.serial("[integration] dist/production passes a server-side dry run too (Ingress, HPA, production sizing)", async (t) => {
  const r = await kubectl(["apply", "--server-side", "--dry-run=server", "-f", join(repo, "dist", "production")], { timeoutMs: 120_000 });
  ok(t, r, "dry run of dist/production");
  t.notRegex(r.stderr, /Warning:/);
  t.regex(r.stdout, /ingress\.networking\.k8s\.io\/genpool-api serverside-applied \(server dry run\)/);
});

test.serial("[integration] npx cdk8s synth --stdout | kubectl apply works once the CRD is established", async (t) => {
  const synth = spawnSync("npx", ["cdk8s", "synth", "--stdout", "--no-check-upgrade"], { cwd: repo, encoding: "utf8", env: { ...process.env, GENPOOL_ENV: "local" } });
  t.is(synth.status, 0, synth.stderr);
  const r = await kubectl(["apply", "--server-side", "--dry-run=server", "-f", "-"], { input: synth.stdout });
  ok(t, r, "apply of the --stdout stream");
  t.is(r.stdout.trim().split("\n").length, 34);
});

test.serial("[integration] Pod Security restricted admits every pod the Deployments create", async (t) => {
  const expected: [string, string, number][] = [
    [Workload.api.namespace, "genpool-api", localSettings().sizing.apiMinReplicas],
    [Workload.operator.namespace, "genpool-operator", 2],
    // Neither has replicas in its manifest: the HPA raises the API to its minimum, the worker
    // Deployment starts at the API server default of 1 until the operator scales it.
    [Workload.worker.namespace, "genpool-worker", 1],
  ];
  for (const [namespace, name, count] of expected) {
    const enforce = await kubectl(["get", "namespace", namespace, "-o", "jsonpath={.metadata.labels.pod-security\\.kubernetes\\.io/enforce}"]);
    t.is(enforce.stdout, "restricted");
    const pods = await eventually(`${count} pods of ${namespace}/${name}`, async () => {
      const r = await kubectl(["get", "pods", "-n", namespace, "-l", `app.kubernetes.io/name=${name}`, "-o", "name"]);
      const lines = r.stdout.trim().split("\n").filter(Boolean);
      return lines.length === count ? lines : undefined;
    }, 60_000);
    t.is(pods.length, count);
    const failures = await kubectl(["get", "events", "-n", namespace, "--field-selector", "reason=FailedCreate", "-o", "name"]);
    t.is(failures.stdout.trim(), "", `${namespace}: FailedCreate events`);
  }
});

test.serial("[integration] re-applying the worker chart keeps the replica count the operator set", async (t) => {
  ok(t, await kubectl(["scale", "deployment/genpool-worker", "-n", Workload.worker.namespace, "--replicas=3"]), "scale");
  ok(t, await kubectl(["apply", "--server-side", "-f", join(repo, "dist", "local", "50-worker.yaml")]), "re-apply");
  const replicas = await kubectl(["get", "deployment", "genpool-worker", "-n", Workload.worker.namespace, "-o", "jsonpath={.spec.replicas}"]);
  t.is(replicas.stdout, "3");
  ok(t, await kubectl(["scale", "deployment/genpool-worker", "-n", Workload.worker.namespace, "--replicas=1"]), "scale back");
});

test.serial("[integration] kubectl get gp shows the pool with its printer columns", async (t) => {
  const r = await kubectl(["get", "gp", "-n", Workload.worker.namespace]);
  ok(t, r, "get gp");
  const [header, row] = r.stdout.trim().split("\n");
  t.deepEqual(header?.split(/\s+/), ["NAME", "QUEUE", "DESIRED", "READY", "BUSY", "NODES", "REASON", "AGE"]);
  t.regex(row ?? "", /^sdxl\s/);
  const wide = await kubectl(["get", "gp", "-n", Workload.worker.namespace, "-o", "wide"]);
  t.deepEqual(wide.stdout.split("\n")[0]?.split(/\s+/), ["NAME", "QUEUE", "OLDEST", "DESIRED", "READY", "BUSY", "NODES", "MIN", "MAX", "SCHEDULE", "REASON", "AGE"]);
});

const poolHead = `apiVersion: genpool.io/v1alpha1
kind: GenerationPool
metadata: {name: invalid, namespace: ${Workload.worker.namespace}}
spec:`;
// Each row: what is wrong, the spec lines, the field and message the API server must name.
const invalidPools: [string, string, RegExp][] = [
  ["min above max", "  workload: {deploymentName: genpool-worker}\n  replicas: {min: 5, max: 2}", /spec\.replicas\.min: Invalid value: replicas\.min must be less than or equal to replicas\.max/],
  ["a negative backlog target", "  workload: {deploymentName: genpool-worker}\n  replicas: {max: 2}\n  targetBacklogPerWorker: -1", /spec\.targetBacklogPerWorker: Invalid value: -1/],
  ["an unknown capacity type", "  workload: {deploymentName: genpool-worker}\n  replicas: {max: 2}\n  nodeGroups: [{name: g, capacityType: reserved, maxNodes: 2}]", /spec\.nodeGroups\[0\]\.capacityType: Unsupported value: "reserved"/],
  ["no workload", "  replicas: {max: 2}", /spec\.workload: Required value/],
  ["no deployment name", "  workload: {}\n  replicas: {max: 2}", /spec\.workload\.deploymentName: Required value/],
  // A missing queue defaults to gpu-generation; an empty name is an error.
  ["an empty queue name", "  queue: {name: ''}\n  workload: {deploymentName: genpool-worker}\n  replicas: {max: 2}", /spec\.queue\.name: Invalid value: ""/],
];

test.serial("[integration] the API server rejects invalid GenerationPools, naming the field", async (t) => {
  for (const [what, spec, message] of invalidPools) {
    const r = await kubectl(["apply", "--server-side", "-f", "-"], { input: `${poolHead}\n${spec}\n` });
    t.not(r.code, 0, what);
    t.regex(r.stderr, message, what);
  }
  const left = await kubectl(["get", "gp", "invalid", "-n", Workload.worker.namespace, "--ignore-not-found", "-o", "name"]);
  t.is(left.stdout.trim(), "");
});

// What the operator's ServiceAccount may do: [verb, resource (and subresource flag), namespace or "" for cluster, allowed].
const canI: [string, string, string, boolean][] = [
  ["get", "generationpools.genpool.io", Workload.worker.namespace, true],
  ["watch", "generationpools.genpool.io", Workload.worker.namespace, true],
  ["patch", "generationpools.genpool.io --subresource=status", Workload.worker.namespace, true],
  ["update", "deployments.apps --subresource=scale", Workload.worker.namespace, true],
  ["get", "deployments.apps --subresource=scale", Workload.worker.namespace, true],
  ["update", "generationpools.genpool.io --subresource=status", Workload.worker.namespace, true],
  ["list", "deployments.apps", Workload.worker.namespace, true],
  ["patch", "pods", Workload.worker.namespace, true],
  ["delete", "pods", Workload.worker.namespace, true],
  ["create", "events", Workload.worker.namespace, true],
  ["list", "nodes", "", true],
  ["patch", "nodes", "", true],
  ["update", "leases.coordination.k8s.io", Workload.operator.namespace, true],
  // Denied: spec changes, Deployment edits, pods outside the worker namespace, Secrets, other namespaces, deleting nodes.
  ["patch", "generationpools.genpool.io", Workload.worker.namespace, false],
  ["patch", "deployments.apps", Workload.worker.namespace, false],
  ["delete", "pods", Workload.api.namespace, false],
  ["get", "secrets", Workload.worker.namespace, false],
  ["list", "secrets", Workload.operator.namespace, false],
  ["get", "deployments.apps", Workload.api.namespace, false],
  ["update", "deployments.apps --subresource=scale", Workload.api.namespace, false],
  ["list", "generationpools.genpool.io", "default", false],
  ["delete", "nodes", "", false],
  ["delete", "leases.coordination.k8s.io", Workload.operator.namespace, false],
];

test.serial("[integration] the operator's ServiceAccount is allowed exactly what it needs", async (t) => {
  for (const [verb, resource, namespace, allowed] of canI) {
    const args = ["auth", "can-i", verb, ...resource.split(" "), `--as=${operatorSa}`, ...(namespace ? ["-n", namespace] : [])];
    const r = await kubectl(args);
    t.is(r.stdout.trim(), allowed ? "yes" : "no", `${verb} ${resource} in ${namespace || "the cluster"}`);
  }
});

test.serial("[integration] a worker pod is scheduled onto a GPU node of the pool's node group and runs", async (t) => {
  const node = gpuNodeManifest({ name: "genpool-charts-gpu-0", nodegroup: localSettings().gpuNodegroups.spot, capacityType: "SPOT" });
  // Real EKS nodes report ephemeral storage; the worker requests some for the models volume.
  for (const list of [node.status!.capacity!, node.status!.allocatable!]) list["ephemeral-storage"] = "200Gi";
  await kubeConfig().makeApiClient(CoreV1Api).createNode({ body: node });
  t.teardown(() => deleteGpuNode(node.metadata!.name!));
  const phase = await eventually("the worker pod to run on the GPU node", async () => {
    const r = await kubectl(["get", "pods", "-n", Workload.worker.namespace, "-l", "app.kubernetes.io/name=genpool-worker", "-o", "jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{\"\\n\"}{end}"]);
    const line = r.stdout.trim().split("\n").find((l) => l.startsWith(node.metadata!.name!));
    return line?.endsWith("Running") ? line : undefined;
  }, 90_000);
  t.regex(phase, /Running$/);
});
