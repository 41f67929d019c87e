/**
 * The AWS calls of the preflight check (`{"check": true}`), one per link of the permission chain.
 * Each returns what the check reports, or throws the SDK's own error untouched: the check reads its
 * name (`AccessDenied`, `NoSuchBucket`…) to say which file fixes it.
 */
import { DeleteObjectCommand, GetBucketEncryptionCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { decodeListedKey } from './s3Listing.ts';

/**
 * A bucket and the account that must own it: every probe names the owner (ExpectedBucketOwner), as
 * the copies do, so the check tries the very requests the copies send. S3 answers a request whose
 * bucket another account owns with 403 AccessDenied.
 */
export interface BucketOf {
  readonly name: string;
  readonly owner: string;
}

/** An object seen by {@link listSome}. */
export interface ProbeObject {
  readonly key: string;
  readonly size: number;
}

/**
 * Resolves the client's credentials. For the destination client this is STS AssumeRole on the
 * destination role (with the external id), the very call the copies depend on.
 */
export async function resolveCredentials(s3: S3Client): Promise<void> {
  await s3.config.credentials();
}

/** One ListObjectsV2 page of at most `maxKeys` keys under `prefix`. */
export async function listSome(s3: S3Client, bucket: BucketOf, prefix: string, maxKeys: number): Promise<ProbeObject[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Prefix: prefix, MaxKeys: maxKeys, EncodingType: 'url' }));
  return (out.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [{ key: decodeListedKey(o.Key), size: o.Size ?? 0 }]));
}

/**
 * Reads the first byte of an object (GetObject with `Range: bytes=0-0`): the same s3:GetObject
 * permission a CopyObject needs on its source, without transferring the object. An empty object
 * answers 416 InvalidRange, which still proves the read was allowed.
 */
export async function readFirstByte(s3: S3Client, bucket: BucketOf, key: string): Promise<void> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Key: key, Range: 'bytes=0-0' }));
    // Drain the body so the socket goes back to the pool.
    await out.Body?.transformToByteArray();
  } catch (err) {
    if (err instanceof Error && err.name === 'InvalidRange') return;
    throw err;
  }
}

/** How an object or a bucket's default is encrypted. */
export interface Encryption {
  /** `AES256`, `aws:kms`, `aws:kms:dsse`… */
  readonly algorithm: string | undefined;
  /** The KMS key, for SSE-KMS (an ARN, or whatever the bucket's default names). */
  readonly kmsKeyId: string | undefined;
}

/**
 * How an object is encrypted (HeadObject). HEAD needs s3:GetObject but, unlike GET, no kms:Decrypt,
 * so it tells which key refused a read.
 */
export async function objectEncryption(s3: S3Client, bucket: BucketOf, key: string): Promise<Encryption> {
  const out = await s3.send(new HeadObjectCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Key: key }));
  return { algorithm: out.ServerSideEncryption, kmsKeyId: out.SSEKMSKeyId };
}

/** The bucket's default encryption (GetBucketEncryption, s3:GetEncryptionConfiguration). */
export async function bucketEncryption(s3: S3Client, bucket: BucketOf): Promise<Encryption> {
  const out = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner }));
  const rule = out.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
  return { algorithm: rule?.SSEAlgorithm, kmsKeyId: rule?.KMSMasterKeyID };
}

/** Options of {@link putProbe}. */
export interface PutProbeOptions {
  /** SSE-KMS key of the copies; the probe is encrypted the same way, so the key's grant is tried too. Default: none. */
  readonly kmsKeyArn?: string | undefined;
}

/** Writes a small text object. */
export async function putProbe(s3: S3Client, bucket: BucketOf, key: string, body: string, options: PutProbeOptions = {}): Promise<void> {
  await s3.send(new PutObjectCommand({
    Bucket: bucket.name,
    ExpectedBucketOwner: bucket.owner,
    Key: key,
    Body: body,
    ContentType: 'text/plain; charset=utf-8',
    ...(options.kmsKeyArn ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: options.kmsKeyArn } : {}),
  }));
}

/** Deletes an object. */
export async function deleteProbe(s3: S3Client, bucket: BucketOf, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket.name, ExpectedBucketOwner: bucket.owner, Key: key }));
}
