import test from "ava";
import { PoolDefaults as D } from "./defaults.ts";
import { InvalidGenerationPoolError, parseGenerationPool, parseGenerationPoolSpec } from "./parse.ts";

const minimal = { workload: { deploymentName: "genpool-worker" }, replicas: { max: 8 } };
const night = { name: "nights", timeZone: "Europe/Paris", days: ["Mon", "Tue"], start: "22:00", end: "06:00" };
const spot = { name: "gpu-spot", capacityType: "spot", maxNodes: 4 };

test("a minimal spec gets every default from the table", (t) => {
  const spec = parseGenerationPoolSpec(minimal);
  t.deepEqual(spec.queue, { name: D.queueName, prefix: D.queuePrefix });
  t.deepEqual(spec.replicas, { min: 0, max: 8, warmIdle: 0 });
  t.is(spec.targetBacklogPerWorker, 5);
  t.is(spec.queueWaitObjectiveSeconds, 60);
  t.deepEqual(spec.scaleUp, { stabilizationSeconds: 0, maxStepWorkers: 10, maxStepPercent: 100, stepPeriodSeconds: 15, urgentMultiplier: 2 });
  t.deepEqual(spec.scaleDown, { stabilizationSeconds: 300, maxStepWorkers: 10, stepPeriodSeconds: 60, scaleToZeroDelaySeconds: 600 });
  t.deepEqual([spec.schedules, spec.nodeGroups, spec.paused], [[], [], false]);
  t.deepEqual([spec.onDemandBaseNodes, spec.spotFallbackDelaySeconds, spec.nodeScaleDownDelaySeconds], [0, 180, 600]);
});

test("defaults fill the gaps of a partly given object and of list items, given values are kept", (t) => {
  const spec = parseGenerationPoolSpec({ ...minimal, scaleDown: { stabilizationSeconds: 30 }, nodeGroups: [spot] });
  t.deepEqual(spec.scaleDown, { stabilizationSeconds: 30, maxStepWorkers: 10, stepPeriodSeconds: 60, scaleToZeroDelaySeconds: 600 });
  t.deepEqual(spec.nodeGroups, [{ name: "gpu-spot", capacityType: "spot", maxNodes: 4, priority: 0, minNodes: 0, workersPerNode: 1 }]);
});

test("unknown fields are pruned, as the API server prunes them", (t) => {
  const spec = parseGenerationPoolSpec({ ...minimal, replicas: { max: 8, maximum: 99 }, colour: "blue" });
  t.deepEqual(spec.replicas, { min: 0, max: 8, warmIdle: 0 });
  t.false("colour" in spec);
});

test("parsing does not modify its input", (t) => {
  const input = structuredClone(minimal);
  parseGenerationPoolSpec(input);
  t.deepEqual(input, minimal);
});

// One row per rule: the spec, the field the error must name, a fragment of what is allowed.
const invalid: [string, unknown, string, string][] = [
  ["max is required", { workload: minimal.workload, replicas: {} }, "spec.replicas.max", "Required value"],
  ["deploymentName is required", { replicas: { max: 1 }, workload: {} }, "spec.workload.deploymentName", "Required value"],
  ["a pool needs at least one worker at most", { ...minimal, replicas: { max: 0 } }, "spec.replicas.max", "greater than or equal to 1"],
  ["counts are integers", { ...minimal, replicas: { max: 2.5 } }, "spec.replicas.max", "must be an integer"],
  ["CEL: min <= max", { ...minimal, replicas: { min: 9, max: 8 } }, "spec.replicas.min", "less than or equal to replicas.max"],
  ["CEL: warmIdle <= max", { ...minimal, replicas: { warmIdle: 9, max: 8 } }, "spec.replicas.warmIdle", "less than or equal to replicas.max"],
  ["target backlog must be positive", { ...minimal, targetBacklogPerWorker: 0 }, "spec.targetBacklogPerWorker", "greater than or equal to 1"],
  ["BullMQ queue names cannot contain ':'", { ...minimal, queue: { name: "a:b" } }, "spec.queue.name", "should match"],
  ["capacity type is spot or on-demand", { ...minimal, nodeGroups: [{ ...spot, capacityType: "SPOT" }] }, "spec.nodeGroups[0].capacityType", 'supported values: "spot", "on-demand"'],
  ["CEL: minNodes <= maxNodes", { ...minimal, nodeGroups: [{ ...spot, minNodes: 5 }] }, "spec.nodeGroups[0].minNodes", "less than or equal to maxNodes"],
  ["CEL: node group names are unique", { ...minimal, nodeGroups: [spot, spot] }, "spec.nodeGroups", "names must be unique"],
  ["node groups are bounded", { ...minimal, nodeGroups: Array.from({ length: 11 }, (_, i) => ({ ...spot, name: `g${i}` })) }, "spec.nodeGroups", "at most 10 items"],
  ["start is HH:MM", { ...minimal, schedules: [{ ...night, start: "7:00" }] }, "spec.schedules[0].start", "should match"],
  ["end may be 24:00 but not 24:30", { ...minimal, schedules: [{ ...night, end: "24:30" }] }, "spec.schedules[0].end", "should match"],
  ["days are Mon..Sun", { ...minimal, schedules: [{ ...night, days: ["Monday"] }] }, "spec.schedules[0].days[0]", "supported values"],
  ["days are a set", { ...minimal, schedules: [{ ...night, days: ["Mon", "Mon"] }] }, "spec.schedules[0].days", "Duplicate value"],
  ["CEL: a window has a length", { ...minimal, schedules: [{ ...night, end: "22:00" }] }, "spec.schedules[0].end", "must differ from start"],
  ["CEL: schedule min <= its max", { ...minimal, schedules: [{ ...night, min: 3, max: 2 }] }, "spec.schedules[0].min", "less than or equal to its max"],
  ["CEL: schedule names are unique", { ...minimal, schedules: [night, night] }, "spec.schedules", "names must be unique"],
  ["CEL: schedule min alone stays within replicas.max", { ...minimal, schedules: [{ ...night, min: 9 }] }, "spec.schedules", "min <= replicas.max"],
  ["CEL: schedule max alone stays above replicas.min", { ...minimal, replicas: { min: 3, max: 8 }, schedules: [{ ...night, max: 2 }] }, "spec.schedules", "replicas.min <= max"],
  ["time zones must be known", { ...minimal, schedules: [{ ...night, timeZone: "Mars/Olympus" }] }, "spec.schedules[0].timeZone", "IANA time zone"],
  ["paused is a boolean", { ...minimal, paused: "yes" }, "spec.paused", "must be a boolean"],
];

for (const [why, spec, field, fragment] of invalid) {
  test(`rejects: ${why}`, (t) => {
    const error = t.throws(() => parseGenerationPoolSpec(spec), { instanceOf: InvalidGenerationPoolError });
    const issue = error?.issues.find((i) => i.field === field);
    t.truthy(issue, `${field} in ${error?.message}`);
    t.true(issue?.message.includes(fragment), issue?.message);
    t.true(error?.message.includes(field));
  });
}

test("the error message names the field, the value and what is allowed", (t) => {
  const error = t.throws(() => parseGenerationPoolSpec({ ...minimal, replicas: { min: 9, max: 8 } }));
  t.is(error?.message, "spec.replicas.min: Invalid value: 9: replicas.min must be less than or equal to replicas.max");
});

test("all problems are reported at once", (t) => {
  const error = t.throws(() => parseGenerationPoolSpec({ replicas: { max: 0 }, paused: 1 }), { instanceOf: InvalidGenerationPoolError });
  t.deepEqual(error?.issues.map((i) => i.field).sort(), ["spec.paused", "spec.replicas.max", "spec.workload"]);
});

test("parseGenerationPool checks kind and metadata and passes status through", (t) => {
  const pool = parseGenerationPool({
    apiVersion: "genpool.io/v1alpha1",
    kind: "GenerationPool",
    metadata: { name: "default", namespace: "genpool-gpu", generation: 3 },
    spec: minimal,
    status: { observedGeneration: 2 },
  });
  t.deepEqual(pool.metadata, { name: "default", namespace: "genpool-gpu", generation: 3 });
  t.is(pool.spec.replicas.max, 8);
  t.is(pool.status?.observedGeneration, 2);
  t.throws(() => parseGenerationPool({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x", namespace: "y" }, spec: minimal }), { message: /apiVersion\/kind/u });
  t.throws(() => parseGenerationPool({ apiVersion: "genpool.io/v1alpha1", kind: "GenerationPool", metadata: {}, spec: minimal }), { message: /metadata.name: Required value/u });
});
