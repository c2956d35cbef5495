/** S3 operations of the API (adapter): presigned GETs and deletes. Bytes never pass through the API. */
import { DeleteObjectCommand, GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

/** What the API needs from S3. */
export interface ImageStorage {
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
  remove(key: string): Promise<void>;
}

/** ImageStorage on one bucket. */
export function s3Storage(s3: S3Client, bucket: string): ImageStorage {
  return {
    presignGet: (key, expiresIn) => getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn }),
    remove: async (key) => {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
  };
}
