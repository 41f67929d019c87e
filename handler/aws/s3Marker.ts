/**
 * Reading and writing the day-complete marker object at the destination (with the destination
 * role). `owner` is the account that must own the bucket (ExpectedBucketOwner), as on every request.
 */
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { AwsCallError } from '../errors.ts';
import { describeError } from '../../rules/errors.ts';

/** The stored marker: its bytes and Content-Encoding; undefined when there is none. */
export async function readMarkerObject(s3: S3Client, bucket: string, owner: string, key: string): Promise<{ body: Buffer; contentEncoding: string | undefined } | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, ExpectedBucketOwner: owner, Key: key }));
    return { body: Buffer.from(await out.Body!.transformToByteArray()), contentEncoding: out.ContentEncoding };
  } catch (err) {
    if ((err as { name?: string }).name === 'NoSuchKey') return undefined;
    throw new AwsCallError(`reading s3://${bucket}/${key} failed: ${describeError(err)}`, err);
  }
}

/** Writes the marker; SSE-KMS with `kmsKeyArn` like the copies, otherwise the bucket's default encryption. */
export async function writeMarkerObject(s3: S3Client, bucket: string, owner: string, key: string, body: Buffer, options: { gzip: boolean; kmsKeyArn: string | undefined }): Promise<void> {
  try {
    await s3.send(new PutObjectCommand({
      Bucket: bucket,
      ExpectedBucketOwner: owner,
      Key: key,
      Body: body,
      ContentType: 'application/json',
      ...(options.gzip ? { ContentEncoding: 'gzip' } : {}),
      ...(options.kmsKeyArn ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: options.kmsKeyArn } : {}),
    }));
  } catch (err) {
    throw new AwsCallError(`writing s3://${bucket}/${key} failed: ${describeError(err)}`, err);
  }
}
