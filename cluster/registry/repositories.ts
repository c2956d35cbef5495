import { RemovalPolicy } from "aws-cdk-lib";
import * as ecr from "aws-cdk-lib/aws-ecr";
import { Construct } from "constructs";
import { requireIntInRange } from "../validate.ts";

/** Properties of {@link GenpoolRepositories}. */
export interface GenpoolRepositoriesProps {
  /** Prefix of the repository names (`<prefix>/api`, …). @default "genpool" */
  readonly namePrefix?: string;
  /** Images kept per repository; older ones expire. @default 50 */
  readonly keepImages?: number;
}

/** ECR repositories for the three images: scanned on push, immutable tags. */
export class GenpoolRepositories extends Construct {
  readonly api: ecr.Repository;
  readonly worker: ecr.Repository;
  readonly operator: ecr.Repository;

  constructor(scope: Construct, id: string, props: GenpoolRepositoriesProps = {}) {
    super(scope, id);
    const prefix = props.namePrefix ?? "genpool";
    const keep = props.keepImages ?? 50;
    requireIntInRange("GenpoolRepositories", "keepImages", keep, [1, 10000]);
    const repo = (name: string): ecr.Repository =>
      new ecr.Repository(this, name, {
        repositoryName: `${prefix}/${name}`,
        imageScanOnPush: true,
        imageTagMutability: ecr.TagMutability.IMMUTABLE,
        // KMS with the AWS-managed aws/ecr key: encrypted with KMS, no extra grants for node image pulls.
        encryption: ecr.RepositoryEncryption.KMS,
        lifecycleRules: [{ description: `keep the newest ${keep} images`, maxImageCount: keep }],
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.api = repo("api");
    this.worker = repo("worker");
    this.operator = repo("operator");
  }
}
