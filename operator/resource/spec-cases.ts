/** Spec cases shared by the parser tests and the API-server tests: both must agree on every row. */

/** The smallest valid spec. */
export const minimal = { workload: { deploymentName: "genpool-worker" }, replicas: { max: 8 } };
export const night = { name: "nights", timeZone: "Europe/Paris", days: ["Mon", "Tue"], start: "22:00", end: "06:00" };
export const spot = { name: "gpu-spot", capacityType: "spot", maxNodes: 4 };

/** [why, spec, field the error must name, fragment of what is allowed, checked by the API server too (default true)]. */
export type InvalidCase = [string, unknown, string, string, boolean?];

// One row per rule: the spec, the field the error must name, a fragment of what is allowed.
export const invalidSpecs: InvalidCase[] = [
  ["max is required", { workload: minimal.workload, replicas: {} }, "spec.replicas.max", "Required value"],
  ["deploymentName is required", { replicas: { max: 1 }, workload: {} }, "spec.workload.deploymentName", "Required value"],
  ["a pool needs at least one worker at most", { ...minimal, replicas: { max: 0 } }, "spec.replicas.max", "greater than or equal to 1"],
  ["counts are integers", { ...minimal, replicas: { max: 2.5 } }, "spec.replicas.max", "must be of type integer"],
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
  ["time zones must be known", { ...minimal, schedules: [{ ...night, timeZone: "Mars/Olympus" }] }, "spec.schedules[0].timeZone", "IANA time zone", false],
  ["paused is a boolean", { ...minimal, paused: "yes" }, "spec.paused", "must be of type boolean"],
];
