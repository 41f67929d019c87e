/**
 * The day-complete marker (DAY_MARKER=true): once a day has been handled with no failure and no
 * object left, `<DESTINATION_PREFIX><day prefix>_S3PUSH_COMPLETE.json` at the destination tells the
 * destination team's jobs that the day is complete. It holds the day, the time, the counts and
 * every key of the day at the destination with its size and ETag.
 *
 * It is rewritten only when the day's content changed since it was written: the day's destination
 * prefix is listed (the marker left out) and compared, key by key, with the keys the marker holds,
 * so a rerun that copies nothing leaves it (and its LastModified) as it is. A dry run never writes it.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import type { IsoDate } from '../../rules/dates.ts';
import { destinationKey } from '../../rules/prefix.ts';
import { listObjects } from '../aws/s3Listing.ts';
import { readMarkerObject, writeMarkerObject } from '../aws/s3Marker.ts';
import { describeError } from '../../rules/errors.ts';
import type { DaySummary, Failure } from '../summary.ts';

/** The marker's name, after the day's prefix. */
export const DAY_MARKER_NAME = '_S3PUSH_COMPLETE.json';

/**
 * Markers whose JSON is larger than this (1 MiB, roughly 10,000 keys of 60 characters) are stored
 * gzip-compressed, with `Content-Encoding: gzip` on the same key.
 */
export const DAY_MARKER_GZIP_BYTES = 1024 * 1024;

/** The marker's key for a day's (source) prefix. */
export function dayMarkerKey(destinationPrefix: string, dayPrefix: string): string {
  return destinationKey(destinationPrefix, `${dayPrefix}${DAY_MARKER_NAME}`);
}

/** One object of the day at the destination. */
export interface MarkerEntry {
  readonly key: string;
  readonly size: number;
  /** Without quotes. */
  readonly etag: string;
}

/** The marker's JSON. */
export interface DayMarker {
  readonly date: IsoDate;
  /** The day's prefix at the destination. */
  readonly prefix: string;
  /** When this marker was written (ISO 8601, UTC). */
  readonly completedAt: string;
  /** Objects and bytes of the day at the destination (the marker left out). */
  readonly objects: number;
  readonly bytes: number;
  /** What the run that wrote it did (for a fanned-out day: its last piece). */
  readonly run: { readonly listed: number; readonly copied: number; readonly skipped: number };
  readonly keys: readonly MarkerEntry[];
}

/** What {@link updateDayMarker} did. */
export type MarkerOutcome = 'written' | 'unchanged';

export interface MarkerSettings {
  readonly destinationBucket: string;
  /** The account that owns the destination bucket (ExpectedBucketOwner of the marker's listing). */
  readonly destinationAccountId: string;
  readonly destinationPrefix: string;
  readonly kmsKeyArn: string | undefined;
}

const sameKeys = (a: readonly MarkerEntry[], b: readonly MarkerEntry[]): boolean =>
  a.length === b.length && a.every((e, i) => e.key === b[i]!.key && e.size === b[i]!.size && e.etag === b[i]!.etag);

/** Parses a stored marker's bytes; undefined when they are not a marker (then it is rewritten). */
export function parseStoredMarker(body: Buffer, contentEncoding: string | undefined): DayMarker | undefined {
  try {
    const text = (contentEncoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');
    const doc = JSON.parse(text) as DayMarker;
    return Array.isArray(doc.keys) ? doc : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the day's marker unless the stored one lists exactly the keys, sizes and ETags the
 * destination holds now. Costs one listing of the day's destination prefix and one GetObject; a
 * PutObject only when the content changed.
 */
export async function updateDayMarker(s3: S3Client, settings: MarkerSettings, date: IsoDate, dayPrefix: string, run: DayMarker['run'], now: () => Date = () => new Date()): Promise<{ key: string; outcome: MarkerOutcome }> {
  const key = dayMarkerKey(settings.destinationPrefix, dayPrefix);
  const prefix = destinationKey(settings.destinationPrefix, dayPrefix);
  const keys: MarkerEntry[] = [];
  let bytes = 0;
  for await (const o of listObjects(s3, settings.destinationBucket, prefix, { expectedBucketOwner: settings.destinationAccountId })) {
    if (o.key === key) continue;
    keys.push({ key: o.key, size: o.size, etag: o.etag.replaceAll('"', '') });
    bytes += o.size;
  }
  const stored = await readMarkerObject(s3, settings.destinationBucket, settings.destinationAccountId, key);
  const previous = stored ? parseStoredMarker(stored.body, stored.contentEncoding) : undefined;
  if (previous && sameKeys(previous.keys, keys)) return { key, outcome: 'unchanged' };

  const marker: DayMarker = { date, prefix, completedAt: now().toISOString(), objects: keys.length, bytes, run, keys };
  const json = Buffer.from(JSON.stringify(marker));
  const gzip = json.length > DAY_MARKER_GZIP_BYTES;
  await writeMarkerObject(s3, settings.destinationBucket, settings.destinationAccountId, key, gzip ? gzipSync(json) : json, { gzip, kmsKeyArn: settings.kmsKeyArn });
  return { key, outcome: 'written' };
}

/**
 * After a day finished with no failure (not a dry run): updates its marker and records the outcome
 * in the day's summary (`marker`). A marker that cannot be written is one more failure of the day,
 * so the invocation fails and the alarm sees it; the copies themselves stand.
 */
export async function markCompleteDay(s3: S3Client, settings: MarkerSettings, summary: DaySummary): Promise<{ summary: DaySummary; failure?: Failure }> {
  const run = { listed: summary.listed, copied: summary.copied, skipped: summary.skipped };
  try {
    const { outcome } = await updateDayMarker(s3, settings, summary.date as IsoDate, summary.prefix, run);
    return { summary: { ...summary, marker: outcome } };
  } catch (err) {
    return { summary: { ...summary, failed: summary.failed + 1 }, failure: { key: dayMarkerKey(settings.destinationPrefix, summary.prefix), error: describeError(err) } };
  }
}
