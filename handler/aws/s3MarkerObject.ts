/**
 * The day-complete marker object at the destination (with the destination role): its metadata by
 * HeadObject (its body is never read), and its writing by one PutObject or by a multipart upload
 * whose parts are handed in one at a time. `owner` is the account that must own the bucket
 * (ExpectedBucketOwner), on every request, the abort included.
 *
 * Why not `@aws-sdk/lib-storage`'s Upload: its AbortMultipartUpload carries no ExpectedBucketOwner,
 * and the marker's body is produced by a walk that must be able to give up (time budget, a day
 * that changed) between parts; the test compares the requests of both on the same body.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AwsCallError } from '../errors.ts';
import { describeError } from '../../rules/errors.ts';

/** Where a marker lives and how it is encrypted. */
export interface MarkerTarget {
  readonly bucket: string;
  /** The account that must own the bucket (ExpectedBucketOwner). */
  readonly owner: string;
  readonly key: string;
  /** SSE-KMS with this key like the copies; otherwise the bucket's default encryption. */
  readonly kmsKeyArn: string | undefined;
}

/** How a marker's body is stored: gzip-compressed or not, and the metadata that says it is s3-push's. */
export interface MarkerWrite {
  readonly gzip: boolean;
  /** User metadata (x-amz-meta-*), lower-case names. */
  readonly metadata: Readonly<Record<string, string>>;
}

/**
 * A stored marker as HeadObject describes it; undefined when there is none. Only its user metadata
 * is kept: S3 takes at most 2 KB of it on a write
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html), and Node's HTTP
 * parser refuses more than 16 KiB of headers from any endpoint, so what is compared is bounded
 * whatever sits at the key.
 */
export interface StoredMarkerHead {
  /** User metadata, names lower-case as S3 returns them. */
  readonly metadata: Readonly<Record<string, string>>;
}

const where = (t: MarkerTarget): string => `s3://${t.bucket}/${t.key}`;

/** HeadObject of the marker: one request, no body read, whatever the partner put there. */
export async function headMarker(s3: S3Client, target: MarkerTarget): Promise<StoredMarkerHead | undefined> {
  try {
    const out = await s3.send(new HeadObjectCommand({ Bucket: target.bucket, ExpectedBucketOwner: target.owner, Key: target.key }));
    return { metadata: out.Metadata ?? {} };
  } catch (err) {
    const name = (err as { name?: string }).name;
    // HeadObject has no body, so S3's 404 reaches the SDK as NotFound (NoSuchKey from some endpoints).
    if (name === 'NotFound' || name === 'NoSuchKey') return undefined;
    throw new AwsCallError(`reading the metadata of ${where(target)} failed: ${describeError(err)}`, err);
  }
}

function objectFields(target: MarkerTarget, write: MarkerWrite) {
  return {
    Bucket: target.bucket,
    ExpectedBucketOwner: target.owner,
    Key: target.key,
    ContentType: 'application/json',
    ...(write.gzip ? { ContentEncoding: 'gzip' } : {}),
    Metadata: { ...write.metadata },
    ...(target.kmsKeyArn ? { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: target.kmsKeyArn } : {}),
  };
}

/** Writes the whole marker with one PutObject. */
export async function putMarker(s3: S3Client, target: MarkerTarget, body: Buffer, write: MarkerWrite): Promise<void> {
  try {
    await s3.send(new PutObjectCommand({ ...objectFields(target, write), Body: body }));
  } catch (err) {
    throw new AwsCallError(`writing ${where(target)} failed: ${describeError(err)}`, err);
  }
}

/**
 * A multipart upload of the marker: parts are uploaded in order, one at a time, as the caller
 * hands them in (each at least 5 MiB but the last: S3's rule). Nothing is visible at the key until
 * {@link MarkerUpload.complete}; {@link MarkerUpload.abort} leaves nothing behind.
 */
export class MarkerUpload {
  private readonly parts: CompletedPart[] = [];

  private constructor(private readonly s3: S3Client, private readonly target: MarkerTarget, private readonly uploadId: string) {}

  /** CreateMultipartUpload with the marker's content type, encoding, metadata and encryption. */
  static async start(s3: S3Client, target: MarkerTarget, write: MarkerWrite): Promise<MarkerUpload> {
    try {
      const out = await s3.send(new CreateMultipartUploadCommand({ ...objectFields(target, write), ChecksumAlgorithm: 'CRC32' }));
      if (!out.UploadId) throw new Error('CreateMultipartUpload answered no UploadId');
      return new MarkerUpload(s3, target, out.UploadId);
    } catch (err) {
      throw new AwsCallError(`starting the upload of ${where(target)} failed: ${describeError(err)}`, err);
    }
  }

  /** Uploads the next part. */
  async part(body: Buffer): Promise<void> {
    const PartNumber = this.parts.length + 1;
    try {
      const out = await this.s3.send(new UploadPartCommand({
        Bucket: this.target.bucket, ExpectedBucketOwner: this.target.owner, Key: this.target.key,
        UploadId: this.uploadId, PartNumber, Body: body, ChecksumAlgorithm: 'CRC32',
      }));
      this.parts.push({ PartNumber, ETag: out.ETag, ...(out.ChecksumCRC32 ? { ChecksumCRC32: out.ChecksumCRC32 } : {}) });
    } catch (err) {
      throw new AwsCallError(`uploading part ${PartNumber} of ${where(this.target)} failed: ${describeError(err)}`, err);
    }
  }

  /** Completes the upload: the marker appears whole. */
  async complete(): Promise<void> {
    try {
      await this.s3.send(new CompleteMultipartUploadCommand({
        Bucket: this.target.bucket, ExpectedBucketOwner: this.target.owner, Key: this.target.key,
        UploadId: this.uploadId, MultipartUpload: { Parts: this.parts },
      }));
    } catch (err) {
      throw new AwsCallError(`completing the upload of ${where(this.target)} failed: ${describeError(err)}`, err);
    }
  }

  /**
   * Aborts the upload. Returns undefined when it is gone, otherwise what went wrong (not thrown: an
   * abort follows a first error or a decision, which is what the caller reports).
   */
  async abort(): Promise<string | undefined> {
    try {
      await this.s3.send(new AbortMultipartUploadCommand({
        Bucket: this.target.bucket, ExpectedBucketOwner: this.target.owner, Key: this.target.key, UploadId: this.uploadId,
      }));
      return undefined;
    } catch (err) {
      // NoSuchUpload: an earlier attempt of this same abort, whose answer was lost, removed it.
      if ((err as { name?: unknown } | null)?.name === 'NoSuchUpload') return undefined;
      return `aborting upload ${this.uploadId} of ${where(this.target)} failed: ${describeError(err)}; a bucket lifecycle rule AbortIncompleteMultipartUpload cleans it up`;
    }
  }
}
