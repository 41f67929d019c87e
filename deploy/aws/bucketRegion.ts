/**
 * The region of a bucket, possibly in another account. S3 names it in the `x-amz-bucket-region`
 * header of a HeadBucket answer, also when it refuses the request (403) to a caller of another
 * account (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html).
 */
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';

/** The bucket's region, or undefined when S3 does not say (no such bucket, network, an emulator). */
export async function bucketRegion(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    const out = await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return out.BucketRegion;
  } catch (err) {
    const headers = (err as { $response?: { headers?: Record<string, string | undefined> } } | null)?.$response?.headers ?? {};
    return headers['x-amz-bucket-region'] ?? undefined;
  }
}
