/**
 * The GenerationPool the replay runs Genpool with: the operator's defaults (PoolDefaults) on the
 * design's node groups, or the user's own pool file (`--pool pool.yaml`), parsed with the
 * operator's own parser so the replay applies exactly the defaults and rules the operator does.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { parseGenerationPool, parseGenerationPoolSpec, type GenerationPoolSpec } from "../../../operator/resource/index.ts";
import type { GroupConfig } from "../config.ts";

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
  return spec.nodeGroups.map((g) => ({ name: g.name, capacityType: g.capacityType, workersPerNode: g.workersPerNode, minNodes: g.minNodes, maxNodes: g.maxNodes }));
}
