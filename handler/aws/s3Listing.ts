/**
 * ListObjectsV2 as a stream of objects, all pages, the next page fetched while the current one is
 * consumed. The only listing code; it imports the SDK.
 */
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { AwsCallError } from '../errors.ts';
import { describeError } from '../../rules/errors.ts';
import type { ObjectInfo } from '../copy/plan.ts';

/**
 * Decodes a key listed with `EncodingType=url`. S3 encodes a space as `+` (form encoding) and a
 * `+` as `%2B`; moto encodes a space as `%20`: reading `+` as a space first handles both.
 */
export function decodeListedKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** Options of {@link listObjects}. */
export interface ListOptions {
  /**
   * The account that must own the bucket (ExpectedBucketOwner): S3 refuses the listing with 403
   * when another account owns a bucket of that name (say, one deleted and registered again).
   */
  readonly expectedBucketOwner: string;
  /** List only keys after this one (ListObjectsV2 `StartAfter`). Default: from the start. */
  readonly startAfter?: string | undefined;
  /** Keys per page, at most 1000 (the default). */
  readonly pageSize?: number;
}

/**
 * Yields every object under `prefix` in S3 order (UTF-8 bytes). Keys are requested URL-encoded:
 * a key may hold characters that XML 1.0 cannot carry (e.g. U+0001), which S3 would otherwise
 * refuse to list. A failed page throws {@link AwsCallError} naming the bucket and prefix.
 */
export async function* listObjects(s3: S3Client, bucket: string, prefix: string, options: ListOptions): AsyncGenerator<ObjectInfo> {
  const fetchPage = async (token: string | undefined): Promise<ListObjectsV2CommandOutput> => {
    try {
      return await s3.send(new ListObjectsV2Command({
        Bucket: bucket,
        ExpectedBucketOwner: options.expectedBucketOwner,
        Prefix: prefix,
        EncodingType: 'url',
        ...(token ? { ContinuationToken: token } : options.startAfter ? { StartAfter: options.startAfter } : {}),
        ...(options.pageSize ? { MaxKeys: options.pageSize } : {}),
      }));
    } catch (err) {
      throw new AwsCallError(`listing s3://${bucket}/${prefix} failed: ${describeError(err)}`, err);
    }
  };

  let pending: Promise<ListObjectsV2CommandOutput> | undefined = fetchPage(undefined);
  while (pending) {
    const page: ListObjectsV2CommandOutput = await pending;
    const next: string | undefined = page.IsTruncated ? page.NextContinuationToken : undefined;
    // Start the next page now; a rejection is handled when it is awaited (or on early exit below).
    pending = next ? fetchPage(next) : undefined;
    try {
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined) continue;
        yield {
          key: decodeListedKey(o.Key),
          size: o.Size ?? 0,
          etag: o.ETag ?? '',
          ...(o.LastModified ? { lastModified: o.LastModified } : {}),
          ...(o.StorageClass ? { storageClass: o.StorageClass } : {}),
        };
      }
    } finally {
      // The consumer stopped early (time budget): do not leave an unhandled rejection behind.
      void pending?.catch(() => undefined);
    }
  }
}

/**
 * One object as S3 lists it now, or undefined when there is no such key: ListObjectsV2 with the
 * key itself as the prefix and one key per page. S3 lists in UTF-8 byte order and a key sorts
 * before every longer key it prefixes, so the first key listed is this one when it exists. A
 * listing (not HeadObject) gives the LastModified the copy plan compares, and needs only the
 * s3:ListBucket the function already has under the prefix. `expectedBucketOwner` is the account
 * that must own the bucket (ExpectedBucketOwner). A failed call throws {@link AwsCallError}.
 */
export async function findObject(s3: S3Client, bucket: string, key: string, expectedBucketOwner: string): Promise<ObjectInfo | undefined> {
  let out: ListObjectsV2CommandOutput;
  try {
    out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ExpectedBucketOwner: expectedBucketOwner, Prefix: key, MaxKeys: 1, EncodingType: 'url' }));
  } catch (err) {
    throw new AwsCallError(`looking up s3://${bucket}/${key} failed: ${describeError(err)}`, err);
  }
  const o = out.Contents?.[0];
  if (o?.Key === undefined || decodeListedKey(o.Key) !== key) return undefined;
  return { key, size: o.Size ?? 0, etag: o.ETag ?? '', ...(o.LastModified ? { lastModified: o.LastModified } : {}), ...(o.StorageClass ? { storageClass: o.StorageClass } : {}) };
}
