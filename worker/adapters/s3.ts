/** S3 client and image upload (adapter: the only worker file importing @aws-sdk/*). */
import { HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { S3Config } from "../config/env.ts";

export type { S3Client } from "@aws-sdk/client-s3";

/** A client for the configured region; path-style when a local endpoint (emulator) is set. */
export function createS3(cfg: S3Config): S3Client {
  return new S3Client({
    region: cfg.AWS_REGION,
    ...(cfg.AWS_ENDPOINT_URL ? { endpoint: cfg.AWS_ENDPOINT_URL, forcePathStyle: true } : {}),
    maxAttempts: 4,
  });
}

/** An object to store: the key is deterministic, so a retried PUT overwrites the same object. */
export interface ImageObject {
  bucket: string;
  key: string;
  body: Buffer;
  contentType: string;
  metadata: Record<string, string>;
}

/** Uploads with server-side encryption, content type and metadata. */
export async function putImage(s3: S3Client, obj: ImageObject): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: obj.bucket,
      Key: obj.key,
      Body: obj.body,
      ContentType: obj.contentType,
      ContentLength: obj.body.length,
      ServerSideEncryption: "AES256",
      Metadata: obj.metadata,
    }),
  );
}

/** Size of an object, or null when it does not exist. */
export async function objectSize(s3: S3Client, bucket: string, key: string): Promise<number | null> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return head.ContentLength ?? 0;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
    throw err;
  }
}
