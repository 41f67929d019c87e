/**
 * ListObjectsV2 as a stream of objects, all pages, the next page fetched while the current one is
 * consumed. The only listing code; it imports the SDK.
 */
import { createHash } from 'node:crypto';
import { ListObjectsV2Command, type ListObjectsV2CommandOutput, type _Object, type S3Client } from '@aws-sdk/client-s3';
import { AwsCallError } from '../errors.ts';
import { describeError } from '../../rules/errors.ts';
import { compareKeys, type ObjectInfo } from '../copy/plan.ts';

/**
 * Decodes a key listed with `EncodingType=url`. S3 encodes a space as `+` (form encoding) and a
 * `+` as `%2B`; moto encodes a space as `%20`: reading `+` as a space first handles both.
 */
export function decodeListedKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

/** A listed object as the copy plan reads it, under its decoded `key`. */
function objectInfo(key: string, o: _Object): ObjectInfo {
  return {
    key,
    size: o.Size ?? 0,
    etag: o.ETag ?? '',
    ...(o.LastModified ? { lastModified: o.LastModified } : {}),
    ...(o.StorageClass ? { storageClass: o.StorageClass } : {}),
  };
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
  /**
   * Asked before each page after the first is requested; true ends the listing there, after the
   * pages already read (the caller that said stop knows the listing is cut). Default: never.
   */
  readonly shouldStop?: () => boolean;
}

/** Continuation tokens remembered per listing to see a cycle: past this many, the oldest is forgotten. */
export const REMEMBERED_TOKENS = 1024;

/**
 * A token as remembered: its SHA-256. S3 documents no length for a continuation token, so an
 * endpoint may hand out tokens of any size; held whole, REMEMBERED_TOKENS of 1 MiB would be 1 GiB.
 */
function fingerprint(token: string): string {
  return createHash('sha256').update(token).digest('base64');
}

/**
 * The answer of the endpoint breaks ListObjectsV2's contract: a continuation token it gave before
 * (a listing that would never end), or a key outside the requested prefix or out of S3's order
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html: keys under the prefix,
 * in UTF-8 binary order). Nothing of that page is passed on.
 */
export class ListingProtocolError extends AwsCallError {
  override name = 'ListingProtocolError';
}

/** A key as quoted in an error: JSON, cut at 200 characters. */
function quoteKey(key: string): string {
  return key.length <= 200 ? JSON.stringify(key) : `${JSON.stringify(key.slice(0, 200))}… (${key.length} characters)`;
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

  const shouldStop = options.shouldStop ?? (() => false);
  const where = `s3://${bucket}/${prefix}`;
  // The fingerprints of the tokens given so far, the newest REMEMBERED_TOKENS of them.
  const tokens = new Set<string>();
  // Every key must sort after this one: the last key passed on, or StartAfter.
  let lastKey = options.startAfter;
  let pending: Promise<ListObjectsV2CommandOutput> | undefined = fetchPage(undefined);
  while (pending) {
    const page: ListObjectsV2CommandOutput = await pending;
    const next: string | undefined = page.IsTruncated ? page.NextContinuationToken : undefined;
    if (page.IsTruncated && !next) throw new ListingProtocolError(`listing ${where}: the endpoint said the listing goes on (IsTruncated) but gave no continuation token; not a listing S3 gives`);
    if (next !== undefined) {
      const seen = fingerprint(next);
      if (tokens.has(seen)) throw new ListingProtocolError(`listing ${where}: the endpoint gave the continuation token ${quoteKey(next)} again, a listing that would never end; not a listing S3 gives`);
      if (tokens.size >= REMEMBERED_TOKENS) tokens.delete(tokens.values().next().value!);
      tokens.add(seen);
    }
    const objects: ObjectInfo[] = [];
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      const key = decodeListedKey(o.Key);
      if (!key.startsWith(prefix)) throw new ListingProtocolError(`listing ${where}: the endpoint listed the key ${quoteKey(key)}, outside the prefix asked for; not a listing S3 gives`);
      if (lastKey !== undefined && compareKeys(key, lastKey) <= 0) throw new ListingProtocolError(`listing ${where}: the endpoint listed the key ${quoteKey(key)} after ${quoteKey(lastKey)}, out of S3's order; not a listing S3 gives`);
      lastKey = key;
      objects.push(objectInfo(key, o));
    }
    // Start the next page now, unless the budget says stop (a page of nothing but a token still
    // costs a request); a rejection is handled when it is awaited (or on early exit below).
    pending = next !== undefined && !shouldStop() ? fetchPage(next) : undefined;
    try {
      yield* objects;
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
  return objectInfo(key, o);
}
