/**
 * Exact scale-in through the Auto Scaling group behind a managed node group. Lowering a managed
 * node group's desired size lets AWS pick the instance, possibly one running a job; terminating
 * the chosen empty instance with ShouldDecrementDesiredCapacity=true removes exactly that one.
 */
import {
  SetInstanceProtectionCommand, TerminateInstanceInAutoScalingGroupCommand, type AutoScalingClient,
} from "@aws-sdk/client-auto-scaling";

/** Terminates `instanceId` and lowers its group's desired capacity by one. */
export async function terminateInstance(autoScaling: AutoScalingClient, instanceId: string): Promise<void> {
  await autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({
    InstanceId: instanceId,
    ShouldDecrementDesiredCapacity: true,
  }));
}

/** SetInstanceProtection takes at most this many ids per call. */
const batchSize = 50;

/** Protects (or releases) instances from scale-in, so a desired-size decrease skips them. */
export async function setScaleInProtection(
  autoScaling: AutoScalingClient,
  group: string,
  instanceIds: readonly string[],
  protect: boolean,
): Promise<void> {
  for (let start = 0; start < instanceIds.length; start += batchSize) {
    await autoScaling.send(new SetInstanceProtectionCommand({
      AutoScalingGroupName: group,
      InstanceIds: instanceIds.slice(start, start + batchSize),
      ProtectedFromScaleIn: protect,
    }));
  }
}
