/**
 * Workers that fit on one node of a group: the spec's `workersPerNode` when given, otherwise the
 * GPUs of the group's instance type (one worker per GPU). A group with several instance types
 * gets the fewest GPUs among them: EC2 may launch any of them, and counting the larger ones
 * would plan capacity that a smaller node does not have.
 */

/** What resolveWorkersPerNode() reads for one group. */
export interface WorkersPerNodeInput {
  /** Where the group is in the spec, for messages, e.g. "spec.nodeGroups[0] (gpu-spot)". */
  at: string;
  /** spec.nodeGroups[i].workersPerNode, when set. */
  override: number | undefined;
  /** The group's instance types (EKS first, else the spec's list). */
  instanceTypes: readonly string[];
  /** GPUs per instance of each type (EC2 DescribeInstanceTypes). */
  gpus: ReadonlyMap<string, number>;
}

/** Workers per node of one group; throws naming the group, the type and what is allowed. */
export function resolveWorkersPerNode(input: WorkersPerNodeInput): number {
  if (input.override !== undefined) return input.override;
  if (input.instanceTypes.length === 0) {
    throw new RangeError(`${input.at}: no instance type is known (EKS reports none and spec instanceTypes is empty); set its workersPerNode or its instanceTypes`);
  }
  const counts = input.instanceTypes.map((type) => {
    const gpus = input.gpus.get(type);
    if (gpus === undefined) throw new RangeError(`${input.at}: the GPU count of instance type ${type} is unknown`);
    return { type, gpus };
  });
  const fewest = counts.reduce((a, b) => (b.gpus < a.gpus ? b : a));
  if (fewest.gpus < 1) {
    throw new RangeError(`${input.at}: instance type ${fewest.type} has ${fewest.gpus} GPUs; a worker needs one: use GPU instance types or set its workersPerNode (>= 1)`);
  }
  return fewest.gpus;
}
