/**
 * The artifact bucket holding the function's code zips: created when missing (encrypted, public
 * access blocked, TLS only, old artifacts expiring), and a zip uploaded only when its content-hash
 * key is not there yet.
 */
import {
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeployError } from '../cli/errors.ts';
import { describeError } from '../../rules/errors.ts';
import { errorName, httpStatus } from '../../rules/awsErrors.ts';
import { partitionOf } from '../../rules/awsNames.ts';

/** Keys of the code zips start with this; the lifecycle rule expires only them. */
export const ARTIFACT_KEY_PREFIX = 's3-push/';
/**
 * Days before an artifact expires. CloudFormation reads the code key again when it rolls an update
 * back, so a key must outlive any rollback; 90 days is far beyond that, and an expired current key
 * is simply uploaded again by the next deploy.
 */
export const ARTIFACT_EXPIRY_DAYS = 90;

/** The key of a zip: its hex SHA-256, so new code is a new key and unchanged code is never re-uploaded. */
export function artifactKey(sha256: string): string {
  return `${ARTIFACT_KEY_PREFIX}${sha256}.zip`;
}

function notFound(err: unknown): boolean {
  return errorName(err) === 'NotFound' || errorName(err) === 'NoSuchBucket' || errorName(err) === 'NoSuchKey' || httpStatus(err) === 404;
}

/** What ensureArtifactBucket did. */
export type BucketOutcome = 'exists' | 'created';

/**
 * The artifact bucket's TLS-only policy: deny every request without TLS. Its ARNs are in the
 * region's partition (`arn:aws-cn:s3:::…` in China, `arn:aws-us-gov:s3:::…` in GovCloud); S3
 * refuses a policy whose resources name another partition (MalformedPolicy: "Policy has invalid
 * resource").
 */
export function tlsOnlyPolicy(bucket: string, partition: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:${partition}:s3:::${bucket}`, `arn:${partition}:s3:::${bucket}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }],
  });
}

export interface ArtifactBucketOptions {
  /**
   * Add a bucket policy that denies requests without TLS. Default true. Off only when the endpoint
   * is plain http (AWS_ENDPOINT_URL=http://…): such a policy would lock that endpoint out of the bucket.
   */
  tlsOnly?: boolean;
}

/**
 * Makes sure the artifact bucket exists in `account`. A 403 is not "missing": the name is taken by
 * another account, or these credentials may not read it, and we say so instead of trying to create it.
 */
export async function ensureArtifactBucket(s3: S3Client, bucket: string, region: string, account: string, options: ArtifactBucketOptions = {}): Promise<BucketOutcome> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
    return 'exists';
  } catch (err) {
    if (httpStatus(err) === 403) {
      throw new DeployError(
        `the artifact bucket ${bucket} exists but these credentials may not use it (it belongs to another account, or a policy denies it): ` +
          'set S3_ARTIFACT_BUCKET to a bucket of this account',
        err,
      );
    }
    if (!notFound(err)) throw new DeployError(`could not check the artifact bucket ${bucket}: ${describeError(err)}`, err, 's3:ListBucket');
  }
  // The IAM action of the call in flight, for the error message.
  let action = 's3:CreateBucket';
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        // us-east-1 is the one region that refuses an explicit location constraint.
        ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
    action = 's3:PutBucketPublicAccessBlock';
    await s3.send(new PutPublicAccessBlockCommand({
      Bucket: bucket,
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    }));
    action = 's3:PutEncryptionConfiguration';
    await s3.send(new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: true }] },
    }));
    action = 's3:PutLifecycleConfiguration';
    await s3.send(new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: [{
          ID: 'expire-old-s3-push-artifacts',
          Status: 'Enabled',
          Filter: { Prefix: ARTIFACT_KEY_PREFIX },
          Expiration: { Days: ARTIFACT_EXPIRY_DAYS },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        }],
      },
    }));
    action = 's3:PutBucketPolicy';
    if (options.tlsOnly ?? true) await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: tlsOnlyPolicy(bucket, partitionOf(region)) }));
  } catch (err) {
    throw new DeployError(`could not create the artifact bucket ${bucket} (${action}): ${describeError(err)}`, err, action);
  }
  return 'created';
}

/** What deploy did with the artifact. */
export type UploadOutcome = 'uploaded' | 'present';

/**
 * Whether the artifact is in the bucket already (HeadObject with the owner condition). When it is,
 * so is its bucket, in this account: a rerun of unchanged code needs no HeadBucket. A 404 (no such
 * key, or no such bucket) and a 403 (another owner, or denied) both answer "not here", and
 * {@link ensureArtifactBucket} then tells those cases apart with its own messages.
 */
export async function artifactPresent(s3: S3Client, bucket: string, key: string, account: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ExpectedBucketOwner: account }));
    return true;
  } catch (err) {
    if (notFound(err) || httpStatus(err) === 403) return false;
    throw new DeployError(`could not check s3://${bucket}/${key} (s3:GetObject): ${describeError(err)}`, err, 's3:GetObject');
  }
}

/** Uploads the zip under `key` (after {@link artifactPresent} said it is not there). */
export async function putArtifact(s3: S3Client, bucket: string, key: string, zip: Buffer, account: string): Promise<void> {
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: zip, ContentType: 'application/zip', ExpectedBucketOwner: account }));
  } catch (err) {
    throw new DeployError(`could not upload the code to s3://${bucket}/${key} (s3:PutObject): ${describeError(err)}`, err, 's3:PutObject');
  }
}
