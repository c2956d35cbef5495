/**
 * The planner's guard against numbers it cannot plan with. The GenerationPool schema rejects bad
 * specs earlier; this catches what the runtime derives (a non-GPU instance type gives 0 workers
 * per node) with a message naming the field, the value and what is allowed.
 */
import type { NodePlanInput } from "./types.ts";

function requireCount(field: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${field} is ${value}; it must be an integer >= ${min}`);
  }
}

/** Throws a RangeError naming the first invalid field of `input`. */
export function checkNodePlanInput(input: NodePlanInput): void {
  requireCount("desiredWorkers", input.desiredWorkers, 0);
  requireCount("policy.onDemandBaseNodes", input.policy.onDemandBaseNodes, 0);
  const names = new Set<string>();
  for (const [i, g] of input.groups.entries()) {
    const at = `groups[${i}] (${g.spec.name})`;
    if (names.has(g.spec.name)) throw new RangeError(`${at}.spec.name is used twice; node group names must be unique`);
    names.add(g.spec.name);
    requireCount(`${at}.workersPerNode`, g.workersPerNode, 1);
    requireCount(`${at}.spec.minNodes`, g.spec.minNodes, 0);
    requireCount(`${at}.spec.maxNodes`, g.spec.maxNodes, g.spec.minNodes);
    requireCount(`${at}.desiredSize`, g.desiredSize, 0);
  }
}
