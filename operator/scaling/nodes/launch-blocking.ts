/**
 * Which node group health issues mean "this group cannot deliver new nodes now". Such a group's
 * outstanding requests are not counted as capacity, and a spot group in that state is degraded,
 * so demand moves to the next group at once instead of after the fallback delay.
 */
import type { HealthIssue } from "./types.ts";

/**
 * EKS `NodegroupIssueCode`s that stop instances from launching or joining. Spot shortages
 * (InsufficientInstanceCapacity, UnfulfillableCapacity, MaxSpotInstanceCountExceeded) arrive as
 * `AsgInstanceLaunchFailures` with the EC2 error in the message.
 */
export const LaunchBlockingIssueCodes: ReadonlySet<string> = new Set([
  "AsgInstanceLaunchFailures",
  "InsufficientFreeAddresses",
  "InstanceLimitExceeded",
  "LimitExceeded",
  "NodeCreationFailure",
  "Ec2InstanceTypeDoesNotExist",
  "AmiIdNotFound",
  "AutoScalingGroupNotFound",
  "AutoScalingGroupInvalidConfiguration",
  "AutoScalingGroupOptInRequired",
  "Ec2LaunchTemplateNotFound",
  "Ec2LaunchTemplateInvalidConfiguration",
  "Ec2SubnetNotFound",
  "Ec2SubnetInvalidConfiguration",
  "Ec2SubnetMissingIpv6Assignment",
  "IamInstanceProfileNotFound",
  "IamNodeRoleNotFound",
  "AccessDenied",
  "ClusterUnreachable",
]);

/** The issues among `issues` that block new nodes (empty when the group can grow). */
export function launchBlockingIssues(issues: readonly HealthIssue[]): HealthIssue[] {
  return issues.filter((issue) => LaunchBlockingIssueCodes.has(issue.code));
}
