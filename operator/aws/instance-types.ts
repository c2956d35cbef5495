/**
 * GPUs per instance type from EC2 DescribeInstanceTypes. Instance types do not change, so each
 * answer is kept for the life of the process; a failed lookup is not kept and is retried.
 */
import { DescribeInstanceTypesCommand, type EC2Client, type _InstanceType } from "@aws-sdk/client-ec2";

/** Caches GPU counts per instance type. */
export class InstanceTypeGpus {
  private readonly cache = new Map<string, Promise<number>>();

  constructor(private readonly ec2: EC2Client) {}

  /** GPUs of one instance of `type`; 0 for a type without GPUs; throws for an unknown type. */
  gpus(type: string): Promise<number> {
    const cached = this.cache.get(type);
    if (cached) return cached;
    const lookup = this.lookup(type);
    this.cache.set(type, lookup);
    lookup.catch(() => this.cache.delete(type));
    return lookup;
  }

  private async lookup(type: string): Promise<number> {
    const out = await this.ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [type as _InstanceType] }));
    const info = out.InstanceTypes?.find((t) => t.InstanceType === type);
    if (!info) throw new Error(`EC2 instance type ${type}: DescribeInstanceTypes does not know it`);
    return (info.GpuInfo?.Gpus ?? []).reduce((sum, gpu) => sum + (gpu.Count ?? 0), 0);
  }
}
