/** EC2 instances behind nodes: spot or on-demand, running or not. */
import { DescribeInstancesCommand, type EC2Client, type Instance } from "@aws-sdk/client-ec2";
import type { InstanceInfo } from "./node-group-cloud.ts";

/** DescribeInstances takes at most this many ids per call. */
const batchSize = 200;

function toInfo(i: Instance): InstanceInfo | null {
  if (!i.InstanceId) return null;
  return {
    instanceId: i.InstanceId,
    instanceType: i.InstanceType ?? "unknown",
    // EC2 sets InstanceLifecycle only for spot, scheduled and capacity-block instances.
    lifecycle: i.InstanceLifecycle === "spot" ? "spot" : "on-demand",
    state: i.State?.Name ?? "unknown",
    zone: i.Placement?.AvailabilityZone ?? "",
  };
}

/** Looks instances up by id; ids EC2 does not return are absent from the map. */
export async function describeInstances(ec2: EC2Client, instanceIds: readonly string[]): Promise<Map<string, InstanceInfo>> {
  const found = new Map<string, InstanceInfo>();
  for (let start = 0; start < instanceIds.length; start += batchSize) {
    const ids = instanceIds.slice(start, start + batchSize);
    // A filter rather than InstanceIds: one unknown id would fail the whole call.
    const out = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: "instance-id", Values: ids }] }));
    for (const instance of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      const info = toInfo(instance);
      if (info) found.set(info.instanceId, info);
    }
  }
  return found;
}
