/**
 * Node -> EC2 instance. The AWS cloud provider sets a Node's `spec.providerID` to
 * `aws:///<zone>/<instance-id>`; that id is what Auto Scaling and EC2 calls take.
 */

const pattern = /^aws:\/\/\/([a-z0-9-]*)\/(i-[0-9a-f]+)$/;

/** The instance id and zone in a providerID, or null for anything else (fake or non-AWS nodes). */
export function parseProviderId(providerId: string | undefined | null): { zone: string; instanceId: string } | null {
  const match = pattern.exec(providerId ?? "");
  if (!match?.[1] || !match[2]) return null;
  return { zone: match[1], instanceId: match[2] };
}

/** The providerID EKS gives the node of `instanceId` in `zone` (tests and the node mirror use it). */
export function providerIdOf(zone: string, instanceId: string): string {
  return `aws:///${zone}/${instanceId}`;
}
