/**
 * The GenerationPool the replay runs Genpool with: the operator's defaults (PoolDefaults) on the
 * design's node groups, or the user's own pool file (`--pool pool.yaml`), parsed with the
 * operator's own parser so the replay applies exactly the defaults and rules the operator does.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { parseGenerationPool, parseGenerationPoolSpec, type GenerationPoolSpec } from "../../../operator/resource/index.ts";
import { resolveWorkersPerNode } from "../../../operator/scaling/nodes/workers-per-node.ts";
import type { GroupConfig } from "../config.ts";

/**
 * GPUs per instance of the types the design uses (EC2 DescribeInstanceTypes figures). The
 * replay cannot ask EC2, so a pool file's group without `workersPerNode` must use these types.
 */
export const REPLAY_INSTANCE_GPUS: ReadonlyMap<string, number> = new Map([
  ["g4dn.xlarge", 1],
  ["g4dn.2xlarge", 1],
  ["g4dn.12xlarge", 4],
  ["g5.xlarge", 1],
  ["g5.2xlarge", 1],
  ["g5.12xlarge", 4],
  ["p3.2xlarge", 1],
]);

/** Genpool's default pool on `groups`: replicas.min is the on-demand base's workers (the design's base). */
export function defaultPoolSpec(groups: GroupConfig[]): GenerationPoolSpec {
  const base = groups.filter((g) => g.capacityType === "on-demand").reduce((s, g) => s + g.minNodes, 0);
  const baseWorkers = groups.filter((g) => g.capacityType === "on-demand").reduce((s, g) => s + g.minNodes * g.workersPerNode, 0);
  const max = groups.reduce((s, g) => s + g.maxNodes * g.workersPerNode, 0);
  return parseGenerationPoolSpec({
    workload: { deploymentName: "genpool-worker" },
    replicas: { min: baseWorkers, max },
    nodeGroups: groups.map((g) => ({ name: g.name, capacityType: g.capacityType, minNodes: g.minNodes, maxNodes: g.maxNodes, workersPerNode: g.workersPerNode })),
    onDemandBaseNodes: base,
  });
}

/** A GenerationPool (or a bare spec) from a YAML file, defaulted and validated like the operator does. */
export function readPoolFile(path: string): GenerationPoolSpec {
  const doc: unknown = parse(readFileSync(path, "utf8"));
  const kind = typeof doc === "object" && doc !== null && "kind" in doc;
  return kind ? parseGenerationPool(doc).spec : parseGenerationPoolSpec(doc);
}

/** The simulated node groups of a pool spec; undefined when the spec names none. */
export function groupsOf(spec: GenerationPoolSpec): GroupConfig[] | undefined {
  if (spec.nodeGroups.length === 0) return undefined;
  return spec.nodeGroups.map((g, i) => ({
    name: g.name,
    capacityType: g.capacityType,
    workersPerNode: resolveWorkersPerNode({ at: `spec.nodeGroups[${i}] (${g.name})`, override: g.workersPerNode, instanceTypes: g.instanceTypes ?? [], gpus: REPLAY_INSTANCE_GPUS }),
    minNodes: g.minNodes,
    maxNodes: g.maxNodes,
  }));
}
