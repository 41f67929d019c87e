/**
 * The artifact bucket holding the function's code zips: created when missing (encrypted, public
 * access blocked, TLS only, superseded artifacts expiring: artifactLifecycle.ts), a zip uploaded
 * only when its content-hash key is not there yet (or is marked superseded), and marked
 * superseded once no stack uses it.
 */
import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectTaggingCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
  type BucketLocationConstraint,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeployError } from '../cli/errors.ts';
import { describeError } from '../../rules/errors.ts';
import { errorName, httpStatus } from '../../rules/awsErrors.ts';
import { partitionOf } from '../../rules/awsNames.ts';
import { ARTIFACT_KEY_PREFIX, artifactLifecycleRules, migrateLifecycleRules, SUPERSEDED_TAG } from './artifactLifecycle.ts';

export { ARTIFACT_KEY_PREFIX } from './artifactLifecycle.ts';

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
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: artifactLifecycleRules() } }));
    action = 's3:PutBucketPolicy';
    if (options.tlsOnly ?? true) await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: tlsOnlyPolicy(bucket, partitionOf(region)) }));
  } catch (err) {
    throw new DeployError(`could not create the artifact bucket ${bucket} (${action}): ${describeError(err)}`, err, action);
  }
  return 'created';
}

/** What deploy did with the artifact: uploaded it, found it, or uploaded it again because it was marked superseded. */
export type UploadOutcome = 'uploaded' | 'present' | 'renewed';

/** What HeadObject says of an artifact. */
export type ArtifactHead =
  | { readonly present: false }
  | {
      readonly present: true;
      /** Its `x-amz-expiration` header: a lifecycle rule expires it (see artifactLifecycle.ts). */
      readonly expiration: string | undefined;
      /** How many tags it has (S3 says so to callers who may read them); ours carry none unless superseded. */
      readonly tagCount: number;
    };

/**
 * Whether the artifact is in the bucket already (HeadObject, owner checked), and whether anything
 * may expire it. When it is there, so is its bucket, in this account: a rerun of unchanged code
 * needs no HeadBucket. A 404 (no such key, or no such bucket) and a 403 (another owner, or denied)
 * both answer "not here", and {@link ensureArtifactBucket} then tells those cases apart.
 */
export async function headArtifact(s3: S3Client, bucket: string, key: string, account: string): Promise<ArtifactHead> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ExpectedBucketOwner: account }));
    return { present: true, expiration: head.Expiration, tagCount: head.TagCount ?? 0 };
  } catch (err) {
    if (notFound(err) || httpStatus(err) === 403) return { present: false };
    throw new DeployError(`could not check s3://${bucket}/${key} (s3:GetObject): ${describeError(err)}`, err, 's3:GetObject');
  }
}

/**
 * Uploads the zip under `key`: a new object, without tags, whose age counts from now. Returns its
 * `x-amz-expiration` header, if a lifecycle rule expires it.
 */
export async function putArtifact(s3: S3Client, bucket: string, key: string, zip: Buffer, account: string): Promise<string | undefined> {
  try {
    const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: zip, ContentType: 'application/zip', ExpectedBucketOwner: account }));
    return out.Expiration;
  } catch (err) {
    throw new DeployError(`could not upload the code to s3://${bucket}/${key} (s3:PutObject): ${describeError(err)}`, err, 's3:PutObject');
  }
}

/**
 * Puts deploy's lifecycle rules on an artifact bucket that has other ones (the legacy rule that
 * expired every artifact, the one a stack runs included), keeping every rule not deploy's.
 */
export async function ensureArtifactLifecycle(s3: S3Client, bucket: string, account: string): Promise<'updated' | 'unchanged'> {
  let action = 's3:GetLifecycleConfiguration';
  try {
    let rules: LifecycleRule[] = [];
    try {
      rules = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket, ExpectedBucketOwner: account }))).Rules ?? [];
    } catch (err) {
      if (errorName(err) !== 'NoSuchLifecycleConfiguration') throw err;
    }
    const next = migrateLifecycleRules(rules);
    if (next === undefined) return 'unchanged';
    action = 's3:PutLifecycleConfiguration';
    await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, ExpectedBucketOwner: account, LifecycleConfiguration: { Rules: next } }));
    return 'updated';
  } catch (err) {
    throw new DeployError(`could not set the lifecycle rules of the artifact bucket ${bucket} (${action}): ${describeError(err)}`, err, action);
  }
}

/** Marks an artifact superseded: the bucket's lifecycle then expires it (PutObjectTagging replaces its tags). */
export async function markSuperseded(s3: S3Client, bucket: string, key: string, account: string): Promise<void> {
  try {
    await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, ExpectedBucketOwner: account, Tagging: { TagSet: [{ ...SUPERSEDED_TAG }] } }));
  } catch (err) {
    throw new DeployError(`could not mark s3://${bucket}/${key} superseded (s3:PutObjectTagging): ${describeError(err)}`, err, 's3:PutObjectTagging');
  }
}
