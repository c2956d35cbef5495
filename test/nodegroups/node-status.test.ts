import test from "ava";
import { loadConfig } from "../../operator/config.ts";
import { lowerDelayMs, nodeStatusOf, nodeStepEnabled } from "../../operator/controller/node-status.ts";
import { buildStatus, type StatusInput } from "../../operator/controller/status.ts";
import { parseGenerationPool, type GenerationPool } from "../../operator/resource/index.ts";
import { decide, initialHistory } from "../../operator/scaling/index.ts";
import type { NodePlan } from "../../operator/scaling/nodes/types.ts";

const makePool = (spec: Record<string, unknown> = {}): GenerationPool => parseGenerationPool({
  apiVersion: "genpool.io/v1alpha1",
  kind: "GenerationPool",
  metadata: { name: "p", namespace: "ns", generation: 2 },
  spec: { queue: { name: "q" }, workload: { deploymentName: "w" }, replicas: { min: 0, max: 10 }, ...spec },
});
const groups = [
  { name: "gpu-spot", capacityType: "spot", maxNodes: 4 },
  { name: "gpu-od", capacityType: "on-demand", priority: 1, maxNodes: 2 },
];

const guardCases: { title: string; cloud: boolean; spec: Record<string, unknown>; want: boolean }[] = [
  { title: "no cluster name, no node groups", cloud: false, spec: {}, want: false },
  { title: "no cluster name, node groups", cloud: false, spec: { nodeGroups: groups }, want: false },
  { title: "cluster name, no node groups", cloud: true, spec: {}, want: false },
  { title: "cluster name, node groups", cloud: true, spec: { nodeGroups: groups }, want: true },
  { title: "cluster name, node groups, paused", cloud: true, spec: { nodeGroups: groups, paused: true }, want: false },
];
for (const c of guardCases) {
  test(`node step guard: ${c.title}`, (t) => {
    t.is(nodeStepEnabled(c.cloud, makePool(c.spec)), c.want);
  });
}

const plan: NodePlan = {
  groups: [
    { name: "gpu-spot", desired: 3, reason: "Demand", ready: 1, booting: 2 },
    { name: "gpu-od", desired: 1, reason: "Hold", ready: 1, booting: 0 },
  ],
  remove: [],
  conditions: [
    { type: "SpotDegraded", status: "False", reason: "SpotHealthy", message: "spot groups launch" },
    { type: "CapacityLimited", status: "True", reason: "MaxNodesReached", message: "2 workers have no node" },
  ],
  plannedWorkerCapacity: 4,
  estimatedHourlyCostUsd: 2.5,
  requeueAfterSeconds: 7,
  memory: { groups: {}, idleSince: {} },
};

test("nodeStatusOf maps groups, totals, cost and both conditions", (t) => {
  const s = nodeStatusOf(plan);
  t.deepEqual(s.fields, {
    nodes: { desired: 4, ready: 2 },
    nodeGroups: [{ name: "gpu-spot", desired: 3, ready: 1, booting: 2 }, { name: "gpu-od", desired: 1, ready: 1, booting: 0 }],
    estimatedHourlyCostUsd: 2.5,
  });
  t.deepEqual(s.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`), ["SpotDegraded=False/SpotHealthy", "CapacityLimited=True/MaxNodesReached"]);
});

const delayCases: [number | undefined, number | undefined, number | undefined][] = [
  [undefined, undefined, undefined], [5, undefined, 5000], [undefined, 7, 7000], [30, 7, 7000], [2, 60, 2000],
];
for (const [a, b, want] of delayCases) {
  test(`lowerDelayMs(${a}, ${b}) = ${want}`, (t) => t.is(lowerDelayMs(a, b), want));
}

function statusInput(pool: GenerationPool, node: StatusInput["node"], now = 1_000_000): StatusInput {
  const decision = decide({ spec: pool.spec, queue: undefined, workers: { current: 0, ready: 0, busy: 0 }, idleSince: null, history: initialHistory(0, now), now });
  return { pool, queue: undefined, queueError: "down", current: 0, ready: 0, busy: 0, decision, lastScaleTime: undefined, now, node };
}

test("buildStatus writes the node plan's fields and merges its conditions", (t) => {
  const status = buildStatus(statusInput(makePool({ nodeGroups: groups }), nodeStatusOf(plan)));
  t.deepEqual(status.nodeGroups?.map((g) => g.name), ["gpu-spot", "gpu-od"]);
  t.deepEqual(status.nodes, { desired: 4, ready: 2 });
  t.is(status.estimatedHourlyCostUsd, 2.5);
  t.like(status.conditions?.find((c) => c.type === "CapacityLimited"), { status: "True", observedGeneration: 2, lastTransitionTime: "1970-01-01T00:16:40Z" });
  t.truthy(status.conditions?.find((c) => c.type === "Ready"));
});

test("without a node step, node fields and conditions are kept while the pool has node groups", (t) => {
  const withGroups = makePool({ nodeGroups: groups });
  const first = buildStatus(statusInput(withGroups, nodeStatusOf(plan)));
  const next = buildStatus(statusInput({ ...withGroups, status: first }, undefined, 1_060_000));
  t.deepEqual(next.nodeGroups, first.nodeGroups);
  t.is(next.conditions?.find((c) => c.type === "CapacityLimited")?.lastTransitionTime, "1970-01-01T00:16:40Z");
});

test("a pool without node groups gets no node conditions", (t) => {
  const status = buildStatus(statusInput(makePool(), undefined));
  t.deepEqual(status.conditions?.map((c) => c.type), ["Ready", "QueueReachable", "Paused", "ScalingLimited"]);
  t.is(status.nodeGroups, undefined);
});

test("config: EKS_CLUSTER_NAME is optional and must be an EKS cluster name", (t) => {
  const base = { REDIS_HOST: "redis", POD_NAME: "op-0" };
  t.is(loadConfig(base).EKS_CLUSTER_NAME, undefined);
  t.is(loadConfig({ ...base, EKS_CLUSTER_NAME: "" }).EKS_CLUSTER_NAME, undefined, "empty counts as unset");
  t.is(loadConfig({ ...base, EKS_CLUSTER_NAME: "genpool-prod_1" }).EKS_CLUSTER_NAME, "genpool-prod_1");
  const error = t.throws(() => loadConfig({ ...base, EKS_CLUSTER_NAME: "bad name!" }));
  t.regex(error.message, /EKS_CLUSTER_NAME="bad name!": EKS_CLUSTER_NAME must be an EKS cluster name/);
});
