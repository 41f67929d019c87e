/**
 * Deploy's check of the source bucket (S3_ROOT_BUCKET) before it builds anything on it: the bucket
 * must exist, in this account and this region. HeadBucket with the bucket owner condition answers
 * all three (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html): 404 when there
 * is no such bucket, 403 when `ExpectedBucketOwner` is not its owner — or when the caller may not
 * s3:ListBucket it, which S3 does not tell apart
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html) — and 301
 * when it lives in another region.
 */
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { DeployError } from '../cli/errors.ts';
import { errorName, httpStatus } from '../../rules/awsErrors.ts';
import { ConfigError, describeError } from '../../rules/errors.ts';

const HEADING = 'the source bucket S3_ROOT_BUCKET is not usable';

/**
 * Resolves when `bucket` exists in `account` (and the region the client is in). Throws a
 * {@link ConfigError} naming S3_ROOT_BUCKET when it does not (exit 2: the environment names the
 * wrong bucket), a {@link DeployError} when S3 could not be asked.
 */
export async function checkSourceBucket(s3: S3Client, bucket: string, account: string, region: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
  } catch (err) {
    const status = httpStatus(err);
    if (status === 404 || errorName(err) === 'NotFound' || errorName(err) === 'NoSuchBucket') {
      throw new ConfigError([`S3_ROOT_BUCKET is ${JSON.stringify(bucket)}: there is no such bucket (HeadBucket: 404 Not Found); create it in account ${account}, region ${region}, or name the source bucket`], HEADING);
    }
    if (status === 403) {
      throw new ConfigError([
        `S3_ROOT_BUCKET is ${JSON.stringify(bucket)}: it is not a bucket of account ${account}, or these credentials may not s3:ListBucket it (HeadBucket: 403 Forbidden); ` +
          'the source bucket must be in the account the function runs in',
      ], HEADING);
    }
    if (status === 301) {
      throw new ConfigError([`S3_ROOT_BUCKET is ${JSON.stringify(bucket)}: the bucket is in another region than ${region} (HeadBucket: 301); deploy in the bucket's region`], HEADING);
    }
    throw new DeployError(`could not check the source bucket ${bucket} (s3:ListBucket): ${describeError(err)}`, err, 's3:ListBucket');
  }
}
