/**
 * The benchmark's data: one day of many small objects and one day of a few large ones, written
 * straight to the server (not through the counting proxy), and the destination buckets each tool
 * run copies into, checked and deleted afterwards.
 */
import { randomFillSync } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';

export interface Dataset {
  /** `small` or `large`. */
  readonly id: string;
  /** e.g. `2,500 × 1 KiB`. */
  readonly label: string;
  /** The day, `YYYY-MM-DD`, and its prefix in the handler's default format. */
  readonly date: string;
  readonly prefix: string;
  readonly count: number;
  readonly objectBytes: number;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** A dataset of `count` objects of `objectBytes` under the day `date`. */
export function dataset(id: string, date: string, count: number, objectBytes: number): Dataset {
  const size = objectBytes >= MiB ? `${objectBytes / MiB} MiB` : `${objectBytes / KiB} KiB`;
  return { id, label: `${count.toLocaleString('en-US')} × ${size}`, date, prefix: `${date.replaceAll('-', '/')}/`, count, objectBytes };
}

/**
 * The keys of a dataset. One in fifty has a name that tools must encode (space, `+`, non-ASCII),
 * as real partitions do; the rest look like exported part files.
 */
export function datasetKeys(ds: Dataset): string[] {
  const ext = ds.objectBytes >= MiB ? 'bin' : 'json';
  const keys: string[] = [];
  for (let i = 0; i < ds.count; i++) {
    const n = String(i).padStart(5, '0');
    const odd = i % 50 === 7 ? ['with space ', 'plus+', 'é-'][Math.floor(i / 50) % 3] : undefined;
    keys.push(`${ds.prefix}${odd ?? 'part-'}${n}.${ext}`);
  }
  return keys;
}

/** Writes the dataset into `bucket` (created by the caller) with content type and metadata. */
export async function seedDataset(s3: S3Client, bucket: string, ds: Dataset, concurrency = 32): Promise<void> {
  const limit = pLimit(concurrency);
  const body = Buffer.alloc(ds.objectBytes);
  randomFillSync(body);
  await Promise.all(
    datasetKeys(ds).map((key, i) =>
      limit(async () => {
        // Distinct content per object (a different first word), the same size.
        const own = Buffer.from(body);
        own.writeUInt32LE(i, 0);
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: own,
            ContentType: ds.objectBytes >= MiB ? 'application/octet-stream' : 'application/json',
            Metadata: { 'bench-index': String(i) },
          }),
        );
      }),
    ),
  );
}

export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Number of objects and bytes under `prefix`. */
export async function describePrefix(s3: S3Client, bucket: string, prefix: string): Promise<{ count: number; bytes: number; keys: Set<string> }> {
  let count = 0;
  let bytes = 0;
  const keys = new Set<string>();
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) {
      count++;
      bytes += o.Size ?? 0;
      if (o.Key !== undefined) keys.add(o.Key);
    }
  }
  return { count, bytes, keys };
}

/** Empties and deletes a bucket. */
export async function deleteBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const batch: { Key: string }[] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, MaxKeys: 1000 })) {
      for (const o of page.Contents ?? []) if (o.Key !== undefined) batch.push({ Key: o.Key });
      if (batch.length >= 1000) break;
    }
    if (batch.length === 0) break;
    for (let i = 0; i < batch.length; i += 1000) {
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.slice(i, i + 1000), Quiet: true } }));
    }
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
