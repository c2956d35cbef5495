import { CfnResource } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/** A checkov check that does not fit this resource, with the reason (kept in the template metadata). */
export interface CheckovSkip {
  readonly id: string;
  readonly comment: string;
}

/** Adds checkov skips to the CloudFormation resource behind `construct` (its default child, or itself). */
export function skipCheckov(construct: IConstruct, ...skips: CheckovSkip[]): void {
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!resource || !CfnResource.isCfnResource(resource)) {
    throw new Error(`skipCheckov: ${construct.node.path} has no CloudFormation resource`);
  }
  const existing = (resource.getMetadata("checkov") as { skip?: CheckovSkip[] } | undefined)?.skip ?? [];
  resource.addMetadata("checkov", { skip: [...existing, ...skips] });
}
