/** A ListObjectsV2 fake for aws-sdk-client-mock: pages, StartAfter, and S3's URL encoding of keys. */
import type { ListObjectsV2CommandInput, ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { compareKeys, type ObjectInfo } from '../../handler/copy/plan.ts';

/** Encodes a key the way S3 does for EncodingType=url (form encoding: space as "+"). */
export function s3UrlEncode(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

/** Answers ListObjectsV2 from `objects` (any order), `pageSize` keys per page unless MaxKeys is smaller. */
export function fakeList(objects: readonly ObjectInfo[], pageSize = 1000) {
  const sorted = [...objects].sort((a, b) => compareKeys(a.key, b.key));
  return (input: ListObjectsV2CommandInput): Partial<ListObjectsV2CommandOutput> => {
    const after = input.ContinuationToken ?? input.StartAfter;
    const matching = sorted.filter((o) => o.key.startsWith(input.Prefix ?? '') && (after === undefined || compareKeys(o.key, after) > 0));
    const n = Math.min(pageSize, input.MaxKeys ?? 1000);
    const page = matching.slice(0, n);
    const truncated = matching.length > n;
    return {
      Contents: page.map((o) => ({ Key: input.EncodingType === 'url' ? s3UrlEncode(o.key) : o.key, Size: o.size, ETag: `"${o.etag}"`, LastModified: o.lastModified ?? new Date('2024-01-02T00:00:00Z'), StorageClass: (o.storageClass ?? 'STANDARD') as 'STANDARD' })),
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: page[page.length - 1]!.key } : {}),
      KeyCount: page.length,
    };
  };
}
