/**
 * Server-side copies into the destination bucket, sent with the destination role's credentials so
 * that the destination account owns the copies: one CopyObject, or a multipart copy
 * (UploadPartCopy in parallel) for objects above the threshold.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  UploadPartCopyCommand,
  type CompletedPart,
  type S3Client,
  type StorageClass,
} from '@aws-sdk/client-s3';
import { ArchivedObjectError, CopyError, CopyInterruptedError, archivedStateOf } from '../errors.ts';
import { describeError } from '../../rules/errors.ts';

/** S3's largest number of parts in one upload. */
export const S3_MAX_PARTS = 10_000;
const MiB = 1024 * 1024;

/** One object to copy. */
export interface CopyRequest {
  readonly sourceBucket: string;
  readonly sourceKey: string;
  /** The account that must own the source bucket (ExpectedSourceBucketOwner, or ExpectedBucketOwner when the source is read). */
  readonly sourceOwner: string;
  readonly destinationBucket: string;
  readonly destinationKey: string;
  /** The account that must own the destination bucket (ExpectedBucketOwner on every write). */
  readonly destinationOwner: string;
  /** When set, the copy is SSE-KMS with this key; otherwise the destination bucket's default encryption applies. */
  readonly kmsKeyArn?: string | undefined;
  /** When set, the copy's storage class (`x-amz-storage-class`); otherwise S3 stores it in STANDARD. */
  readonly storageClass?: StorageClass | undefined;
}

/**
 * The `CopySource` of a key: each `/`-separated segment percent-encoded. A raw `%`, `?`, `#` or
 * `+` in a key would otherwise be read as an escape, a query, a fragment or a space, and the copy
 * would fail with NoSuchKey or copy another object.
 */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

function sse(kmsKeyArn: string | undefined): { ServerSideEncryption?: 'aws:kms'; SSEKMSKeyId?: string } {
  return kmsKeyArn ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kmsKeyArn } : {};
}

/** The copy's storage class, when one is set: every write of a copy (CopyObject, CreateMultipartUpload) carries it. */
function storageClassOf(req: CopyRequest): { StorageClass?: StorageClass } {
  return req.storageClass ? { StorageClass: req.storageClass } : {};
}

function where(req: CopyRequest): string {
  return `s3://${req.sourceBucket}/${req.sourceKey} → s3://${req.destinationBucket}/${req.destinationKey}`;
}

/** The fields of a HeadObject answer that say whether the object can be read now. */
export interface ArchiveHead {
  readonly StorageClass?: string | undefined;
  readonly Restore?: string | undefined;
  readonly ArchiveStatus?: string | undefined;
}

/**
 * Whether an object can be read now, from its HeadObject answer: undefined when it can, else its
 * archive state (`GLACIER`, `DEEP_ARCHIVE`, `INTELLIGENT_TIERING (ARCHIVE_ACCESS)`, … with
 * `, restore in progress` while a restore runs). AWS's rules
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html): `x-amz-restore` (SDK:
 * `Restore`) is `ongoing-request="true"` while a restore runs and `ongoing-request="false",
 * expiry-date="…"` once the restored copy can be read; `x-amz-archive-status` (`ArchiveStatus`)
 * names the Intelligent-Tiering archive tier an object is in. A restored GLACIER or DEEP_ARCHIVE
 * object keeps its storage class in HeadObject and in ListObjectsV2 ("unless you make a copy and
 * change its storage class, the object will still be stored in the S3 Glacier Flexible Retrieval
 * or S3 Glacier Deep Archive storage classes",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html): only `Restore`
 * tells it apart, so the listed class alone would leave restored objects behind.
 */
export function unreadableState(head: ArchiveHead): string | undefined {
  const restore = head.Restore ?? '';
  if (/ongoing-request="false"/.test(restore)) return undefined;
  const state = head.ArchiveStatus
    ? `INTELLIGENT_TIERING (${head.ArchiveStatus})`
    : head.StorageClass === 'GLACIER' || head.StorageClass === 'DEEP_ARCHIVE' ? head.StorageClass : undefined;
  if (state === undefined) return undefined;
  return /ongoing-request="true"/.test(restore) ? `${state}, restore in progress` : state;
}

/**
 * The archive state of a source object (see {@link unreadableState}), by HeadObject signed by `s3`
 * (the destination role, which may read the source): undefined when it can be copied now. Asked
 * only for objects that list as GLACIER or DEEP_ARCHIVE, so a day of STANDARD objects costs no
 * request more. `expectedBucketOwner` is the account that must own the bucket (ExpectedBucketOwner).
 * Throws {@link CopyError} when HeadObject fails.
 */
export async function sourceArchiveState(s3: S3Client, bucket: string, key: string, expectedBucketOwner: string): Promise<string | undefined> {
  try {
    return unreadableState(await s3.send(new HeadObjectCommand({ Bucket: bucket, ExpectedBucketOwner: expectedBucketOwner, Key: key })));
  } catch (err) {
    throw new CopyError(key, `HeadObject s3://${bucket}/${key} failed: ${describeError(err)}`, err);
  }
}

/**
 * Copies up to 5 GiB in one request. Metadata, content type and tags are copied by S3 itself
 * (MetadataDirective and TaggingDirective COPY).
 */
export async function copyObject(s3: S3Client, req: CopyRequest): Promise<void> {
  try {
    await s3.send(new CopyObjectCommand({
      Bucket: req.destinationBucket,
      Key: req.destinationKey,
      ExpectedBucketOwner: req.destinationOwner,
      CopySource: copySource(req.sourceBucket, req.sourceKey),
      ExpectedSourceBucketOwner: req.sourceOwner,
      MetadataDirective: 'COPY',
      TaggingDirective: 'COPY',
      ...sse(req.kmsKeyArn),
      ...storageClassOf(req),
    }));
  } catch (err) {
    const archived = archivedStateOf(err);
    if (archived) throw new ArchivedObjectError(req.sourceKey, archived, `CopyObject ${where(req)}: the source is archived (${archived}): ${describeError(err)}`, err);
    throw new CopyError(req.sourceKey, `CopyObject ${where(req)} failed: ${describeError(err)}`, err);
  }
}

/**
 * The part size for an object: the configured size, raised (to a whole MiB) when the object would
 * otherwise need more than 10,000 parts.
 */
export function partSizeFor(objectBytes: number, partSizeBytes: number): number {
  const needed = Math.ceil(objectBytes / S3_MAX_PARTS);
  return needed <= partSizeBytes ? partSizeBytes : Math.ceil(needed / MiB) * MiB;
}

/** Byte ranges (inclusive) of the parts of an object. */
export function partRanges(objectBytes: number, partSize: number): { start: number; end: number }[] {
  const out = [];
  for (let start = 0; start < objectBytes; start += partSize) out.push({ start, end: Math.min(start + partSize, objectBytes) - 1 });
  return out;
}

/** Options of {@link multipartCopy}. */
export interface MultipartOptions {
  /** PART_SIZE_BYTES; raised for objects that would need over 10,000 parts. */
  readonly partSizeBytes: number;
  /** Parts copied at once for this object. Default 8. */
  readonly partConcurrency?: number;
  /**
   * Asked before each part is started; true stops the copy: no new part starts, the parts in flight
   * settle, the upload is aborted and {@link CopyInterruptedError} is thrown. Lambda stops the
   * process at its timeout, and an upload it leaves behind is never aborted (and is billed).
   * Default: never stop.
   */
  readonly shouldStop?: () => boolean;
}

/** What a multipart copy copied. */
export interface MultipartResult {
  /** The size of the source as read by HeadObject at the start of the copy. */
  readonly bytes: number;
  readonly parts: number;
}

/**
 * Copies an object of any size in parts. A multipart upload does not copy metadata or tags, so
 * they are read from the source (HeadObject, GetObjectTagging) and set on CreateMultipartUpload.
 * Every part demands the source ETag read at the start (CopySourceIfMatch): an object rewritten
 * mid-copy fails the copy instead of producing a mix of two versions. On any failure the upload is
 * aborted after the in-flight parts settle (parts that land after an abort would be stored and
 * billed), and a {@link CopyError} is thrown.
 */
export async function multipartCopy(s3: S3Client, req: CopyRequest, options: MultipartOptions): Promise<MultipartResult> {
  const src = { Bucket: req.sourceBucket, Key: req.sourceKey, ExpectedBucketOwner: req.sourceOwner };
  const dst = { Bucket: req.destinationBucket, Key: req.destinationKey, ExpectedBucketOwner: req.destinationOwner };
  let uploadId: string | undefined;
  try {
    const [head, tagging] = await Promise.all([
      s3.send(new HeadObjectCommand(src)),
      s3.send(new GetObjectTaggingCommand(src)),
    ]);
    const size = head.ContentLength ?? 0;
    // HeadObject answers for an archived object; UploadPartCopy would not. Stop before the upload
    // exists. A restored object (Restore: ongoing-request="false") can be copied.
    const archived = unreadableState(head);
    if (archived) throw new ArchivedObjectError(req.sourceKey, archived, `multipart copy ${where(req)}: the source is archived (${archived})`);
    const tags = (tagging.TagSet ?? [])
      .map((t) => `${encodeURIComponent(t.Key ?? '')}=${encodeURIComponent(t.Value ?? '')}`)
      .join('&');
    const created = await s3.send(new CreateMultipartUploadCommand({
      ...dst,
      ...(head.ContentType !== undefined ? { ContentType: head.ContentType } : {}),
      ...(head.CacheControl !== undefined ? { CacheControl: head.CacheControl } : {}),
      ...(head.ContentDisposition !== undefined ? { ContentDisposition: head.ContentDisposition } : {}),
      ...(head.ContentEncoding !== undefined ? { ContentEncoding: head.ContentEncoding } : {}),
      ...(head.ContentLanguage !== undefined ? { ContentLanguage: head.ContentLanguage } : {}),
      ...(head.Expires !== undefined ? { Expires: head.Expires } : {}),
      ...(head.Metadata && Object.keys(head.Metadata).length > 0 ? { Metadata: head.Metadata } : {}),
      ...(tags ? { Tagging: tags } : {}),
      ...sse(req.kmsKeyArn),
      ...storageClassOf(req),
    }));
    uploadId = created.UploadId;
    if (!uploadId) throw new Error('CreateMultipartUpload returned no UploadId');

    const ranges = partRanges(size, partSizeFor(size, options.partSizeBytes));
    const parts: CompletedPart[] = new Array<CompletedPart>(ranges.length);
    let next = 0;
    let failure: Error | undefined;
    let stopped = false;
    const worker = async (): Promise<void> => {
      while (failure === undefined && !stopped && next < ranges.length) {
        if (options.shouldStop?.()) {
          stopped = true;
          break;
        }
        const i = next++;
        const r = ranges[i]!;
        try {
          const out = await s3.send(new UploadPartCopyCommand({
            ...dst,
            UploadId: uploadId,
            PartNumber: i + 1,
            CopySource: copySource(req.sourceBucket, req.sourceKey),
            ExpectedSourceBucketOwner: req.sourceOwner,
            CopySourceRange: `bytes=${r.start}-${r.end}`,
            ...(head.ETag ? { CopySourceIfMatch: head.ETag } : {}),
          }));
          parts[i] = { PartNumber: i + 1, ETag: out.CopyPartResult?.ETag };
        } catch (err) {
          failure ??= new Error(`part ${i + 1} of ${ranges.length} (bytes ${r.start}-${r.end}): ${describeError(err)}`, { cause: err });
        }
      }
    };
    const workers = Math.max(1, Math.min(options.partConcurrency ?? 8, ranges.length));
    await Promise.all(Array.from({ length: workers }, worker));
    if (failure !== undefined) throw failure;
    if (stopped) throw new CopyInterruptedError(req.sourceKey, `the time budget ran low after ${parts.filter(Boolean).length} of ${ranges.length} parts`);

    await s3.send(new CompleteMultipartUploadCommand({
      ...dst,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
    }));
    return { bytes: size, parts: ranges.length };
  } catch (err) {
    let abortNote = '';
    if (uploadId) {
      try {
        await s3.send(new AbortMultipartUploadCommand({ ...dst, UploadId: uploadId }));
        abortNote = ' (upload aborted)';
      } catch (abortErr) {
        // NoSuchUpload on an abort means an earlier attempt of this same abort, whose answer was
        // lost, already removed the upload: the SDK retried a request that had succeeded.
        abortNote = (abortErr as { name?: unknown } | null)?.name === 'NoSuchUpload'
          ? ' (upload aborted)'
          : ` (and aborting upload ${uploadId} failed: ${describeError(abortErr)}; a bucket lifecycle rule AbortIncompleteMultipartUpload cleans it up)`;
      }
    }
    if (err instanceof ArchivedObjectError) throw err;
    if (err instanceof CopyInterruptedError) throw new CopyInterruptedError(req.sourceKey, `multipart copy ${where(req)} stopped: ${err.message}${abortNote}`, err);
    const archived = archivedStateOf(err);
    if (archived) throw new ArchivedObjectError(req.sourceKey, archived, `multipart copy ${where(req)}: the source is archived (${archived}): ${describeError(err)}${abortNote}`, err);
    throw new CopyError(req.sourceKey, `multipart copy ${where(req)} failed: ${describeError(err)}${abortNote}`, err);
  }
}
