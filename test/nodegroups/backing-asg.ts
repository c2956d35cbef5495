/**
 * TEST GLUE, not product code. moto's EKS node groups are metadata only: they name an Auto
 * Scaling group that does not exist. This file creates that group in moto (moto's Auto Scaling
 * really starts and stops EC2 instances) and keeps the two desired sizes in step the way EKS
 * does: a change of the node group's desired size goes to the ASG, and a change made on the ASG
 * (TerminateInstanceInAutoScalingGroup with ShouldDecrementDesiredCapacity) comes back to the
 * node group. With it, the operator's exact scale-in works in the sandbox as on AWS.
 */
import {
  AutoScalingClient, CreateAutoScalingGroupCommand, type AutoScalingGroup, DescribeAutoScalingGroupsCommand, SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from "@aws-sdk/client-auto-scaling";
import { CreateLaunchTemplateCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeNodegroupCommand, EKSClient, UpdateNodegroupConfigCommand, type Nodegroup } from "@aws-sdk/client-eks";

/** One instance of a backing group. */
export interface BackingInstance {
  instanceId: string;
  zone: string;
}

/** The clients the backing groups use. */
export interface BackingClients {
  eks: EKSClient;
  autoScaling: AutoScalingClient;
  ec2: EC2Client;
}

function inService(asg: AutoScalingGroup | undefined): BackingInstance[] {
  return (asg?.Instances ?? [])
    .filter((i) => i.LifecycleState === "InService" && i.InstanceId)
    .map((i) => ({ instanceId: i.InstanceId ?? "", zone: i.AvailabilityZone ?? "" }));
}

/** A node group and the moto Auto Scaling group behind it. */
export class BackingGroup {
  private lastEks = -1;
  private lastAsg = -1;

  private constructor(
    private readonly clients: BackingClients,
    readonly clusterName: string,
    readonly nodegroup: Nodegroup,
    readonly asgName: string,
  ) {}

  /** Creates the ASG named by the node group (with the node group's sizes) and returns the pair. */
  static async create(clients: BackingClients, clusterName: string, nodegroup: Nodegroup, zone: string): Promise<BackingGroup> {
    const asgName = nodegroup.resources?.autoScalingGroups?.[0]?.name ?? `eks-${nodegroup.nodegroupName}`;
    const scaling = nodegroup.scalingConfig ?? {};
    await clients.ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: asgName,
      LaunchTemplateData: { ImageId: "ami-12c6146b", InstanceType: (nodegroup.instanceTypes?.[0] ?? "g5.xlarge") as "g5.xlarge" },
    }));
    await clients.autoScaling.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: asgName,
      LaunchTemplate: { LaunchTemplateName: asgName },
      MinSize: scaling.minSize ?? 0,
      MaxSize: scaling.maxSize ?? 1,
      DesiredCapacity: scaling.desiredSize ?? 0,
      AvailabilityZones: [zone],
    }));
    return new BackingGroup(clients, clusterName, nodegroup, asgName);
  }

  /** One step of the EKS <-> ASG desired-size sync; returns the instances now in the group. */
  async sync(): Promise<BackingInstance[]> {
    const name = this.nodegroup.nodegroupName ?? "";
    const ng = await this.clients.eks.send(new DescribeNodegroupCommand({ clusterName: this.clusterName, nodegroupName: name }));
    const eksDesired = ng.nodegroup?.scalingConfig?.desiredSize ?? 0;
    let asg = await this.describe();
    const asgDesired = asg?.DesiredCapacity ?? 0;
    if (eksDesired !== this.lastEks && eksDesired !== asgDesired) {
      // The node group was resized (the operator's UpdateNodegroupConfig): EKS resizes its ASG.
      await this.clients.autoScaling.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: this.asgName, DesiredCapacity: eksDesired }));
      asg = await this.describe();
    } else if (eksDesired === this.lastEks && asgDesired !== this.lastAsg && asgDesired !== eksDesired) {
      // The ASG was resized directly (exact termination): EKS reports the ASG's size.
      await this.clients.eks.send(new UpdateNodegroupConfigCommand({
        clusterName: this.clusterName, nodegroupName: name, scalingConfig: { desiredSize: asgDesired },
      }));
    }
    this.lastAsg = asg?.DesiredCapacity ?? 0;
    this.lastEks = this.lastAsg;
    return inService(asg);
  }

  /** Terminates an instance the way a spot interruption does: the ASG launches a replacement. */
  async reclaim(instanceId: string): Promise<void> {
    await this.clients.autoScaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: false }));
  }

  private async describe(): Promise<AutoScalingGroup | undefined> {
    const out = await this.clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [this.asgName] }));
    return out.AutoScalingGroups?.[0];
  }
}
