/**
 * Test data in S3 (moto): deterministic objects with awkward keys, metadata and tags, written and
 * read back concurrently, and a snapshot of a bucket prefix (keys, bytes, metadata, tags) to
 * compare a source with its copy.
 */
import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

/** One object to write. */
export interface TestObject {
  readonly key: string;
  readonly body: Buffer;
  readonly contentType: string;
  readonly metadata: Record<string, string>;
  /** URL-encoded tag set (`k=v&k2=v2`), or empty. */
  readonly tagging: string;
}

/** Runs `fn` over `items`, `concurrency` at a time. */
export async function eachLimit<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

/**
 * `count` objects under `prefix`: mostly `part-NNNN.csv`, and every 37th with a key that needs
 * encoding (space, plus, percent, ampersand, unicode). Sizes, content types, metadata and tags vary.
 */
export function makeObjects(prefix: string, count: number): TestObject[] {
  return Array.from({ length: count }, (_, i): TestObject => {
    const n = String(i).padStart(4, '0');
    const key = i % 37 === 5 ? `${prefix}odd name + 100% & é ✓-${n}.txt` : `${prefix}part-${n}.csv`;
    return {
      key,
      body: Buffer.from(`${key}|${i}\n`.repeat(1 + (i % 5))),
      contentType: i % 2 === 0 ? 'text/csv' : 'application/json',
      metadata: i % 3 === 0 ? { origin: `sensor-${i}`, batch: prefix.replace(/\W/g, '') } : {},
      tagging: i % 10 === 0 ? `class=daily&n=${i}` : '',
    };
  });
}

/** Writes the objects, 32 at a time. */
export async function putObjects(s3: S3Client, bucket: string, objects: readonly TestObject[]): Promise<void> {
  await eachLimit(objects, 32, async (o) => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: o.key,
        Body: o.body,
        ContentType: o.contentType,
        Metadata: o.metadata,
        ...(o.tagging ? { Tagging: o.tagging } : {}),
      }),
    );
  });
}

/** What a copy must preserve of one object. */
export interface ObjectSnapshot {
  readonly size: number;
  readonly sha256: string;
  readonly contentType: string | undefined;
  readonly metadata: Record<string, string>;
  readonly tags: Record<string, string>;
}

/** The snapshot a faithful copy of `o` has (tags left out: see {@link snapshot}'s `withTags`). */
export function expectedSnapshot(o: TestObject, withTags = false): ObjectSnapshot {
  return {
    size: o.body.length,
    sha256: createHash('sha256').update(o.body).digest('hex'),
    contentType: o.contentType,
    metadata: o.metadata,
    tags: withTags && o.tagging ? Object.fromEntries(new URLSearchParams(o.tagging)) : {},
  };
}

/** Every object under `prefix` as listed (all pages): key → size and ETag without quotes. */
export async function listEtags(s3: S3Client, bucket: string, prefix = ''): Promise<Map<string, { size: number; etag: string }>> {
  const out = new Map<string, { size: number; etag: string }>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) out.set(o.Key, { size: o.Size ?? -1, etag: (o.ETag ?? '').replace(/"/g, '') });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** MD5 hex of a body: the ETag S3 gives an object written in one request. */
export function md5(body: Buffer): string {
  return createHash('md5').update(body).digest('hex');
}

/** Every key under `prefix` (all pages). */
export async function listKeys(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }));
    for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}

/** Reads the given keys (GetObject, and GetObjectTagging where `withTags(key)`) into a map by key. */
export async function snapshotOf(
  s3: S3Client,
  bucket: string,
  keys: readonly string[],
  options: { withTags?: (key: string) => boolean } = {},
): Promise<Map<string, ObjectSnapshot>> {
  const out = new Map<string, ObjectSnapshot>();
  await eachLimit(keys, 16, async (key) => {
    out.set(key, await readSnapshot(s3, bucket, key, options.withTags?.(key) ?? true));
  });
  return out;
}

async function readSnapshot(s3: S3Client, bucket: string, key: string, withTags: boolean): Promise<ObjectSnapshot> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = Buffer.from(await got.Body!.transformToByteArray());
  let tags: Record<string, string> = {};
  if (withTags) {
    const t = await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    tags = Object.fromEntries((t.TagSet ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  }
  return {
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    contentType: got.ContentType,
    metadata: got.Metadata ?? {},
    tags,
  };
}

/**
 * Reads every object under `prefix` (GetObject: bytes, content type, metadata; GetObjectTagging
 * only where `withTags(key)` says so, to spare requests) into a map keyed by the key without
 * `stripPrefix`.
 */
export async function snapshot(
  s3: S3Client,
  bucket: string,
  prefix = '',
  options: { stripPrefix?: string; withTags?: (key: string) => boolean } = {},
): Promise<Map<string, ObjectSnapshot>> {
  const keys = await listKeys(s3, bucket, prefix);
  const out = new Map<string, ObjectSnapshot>();
  await eachLimit(keys, 16, async (key) => {
    const strip = options.stripPrefix ?? '';
    out.set(key.startsWith(strip) ? key.slice(strip.length) : key, await readSnapshot(s3, bucket, key, options.withTags?.(key) ?? true));
  });
  return out;
}
