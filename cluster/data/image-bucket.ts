import { Duration, RemovalPolicy } from "aws-cdk-lib";
import * as s3 from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { InvalidPropError, requireIntInRange } from "../validate.ts";

/** Key prefixes of the image bucket; api/ and worker/ build keys from the same strings. */
export const ImagePrefix = { users: "users/", temp: "temp/", models: "models/" } as const;

/** Properties of {@link GenpoolImageBucket}. */
export interface GenpoolImageBucketProps {
  /** Browser origins allowed by CORS (the web front end). @default ["*"]: any origin; presigned URLs still gate access */
  readonly corsAllowedOrigins?: readonly string[];
  /** Days before objects under `temp/` expire. @default 1 */
  readonly tempExpirationDays?: number;
  /** Days before objects under `users/` move to Glacier Instant Retrieval. @default 90 */
  readonly usersGlacierIrAfterDays?: number;
  /** Days a replaced or deleted object version is kept. @default 30 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days server access logs are kept in the log bucket. @default 365 */
  readonly accessLogRetentionDays?: number;
}

const NAME = "GenpoolImageBucket";

/**
 * The image bucket (`users/{userId}/images/...`, `temp/`, `models/`) and its access-log bucket.
 * SSE-S3 rather than SSE-KMS: every presigned GET of an SSE-KMS object is a KMS request billed
 * per call and needs kms:Decrypt on the API role; SSE-S3 encrypts at rest with AES-256 at no
 * per-request cost, and access is already limited by bucket policy, IAM and presigned URLs.
 */
export class GenpoolImageBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: GenpoolImageBucketProps = {}) {
    super(scope, id);
    const origins = props.corsAllowedOrigins ?? ["*"];
    const tempDays = props.tempExpirationDays ?? 1;
    const glacierDays = props.usersGlacierIrAfterDays ?? 90;
    const noncurrentDays = props.noncurrentVersionExpirationDays ?? 30;
    const logDays = props.accessLogRetentionDays ?? 365;
    requireIntInRange(NAME, "tempExpirationDays", tempDays, [1, 3650]);
    requireIntInRange(NAME, "usersGlacierIrAfterDays", glacierDays, [1, 3650]);
    requireIntInRange(NAME, "noncurrentVersionExpirationDays", noncurrentDays, [1, 3650]);
    requireIntInRange(NAME, "accessLogRetentionDays", logDays, [1, 3650]);
    for (const origin of origins) {
      if (origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin)) {
        throw new InvalidPropError(NAME, "corsAllowedOrigins", origin, `"*" or an origin such as https://app.example.com (scheme and host, no path)`);
      }
    }

    // Access-log delivery supports SSE-S3 only on the target bucket.
    this.logBucket = new s3.Bucket(this, "AccessLogs", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ id: "expire-logs", expiration: Duration.days(logDays), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new s3.Bucket(this, "Images", {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: "images/",
      cors: [
        {
          allowedOrigins: [...origins],
          allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.PUT, s3.HttpMethods.POST, s3.HttpMethods.DELETE],
          allowedHeaders: ["*"],
          exposedHeaders: ["ETag"],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        { id: "expire-temp", prefix: ImagePrefix.temp, expiration: Duration.days(tempDays) },
        {
          id: "users-to-glacier-ir",
          prefix: ImagePrefix.users,
          transitions: [{ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(glacierDays) }],
        },
        { id: "expire-noncurrent", noncurrentVersionExpiration: Duration.days(noncurrentDays), abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
