/**
 * The day manifest's text: what the day-complete marker holds, written one record per line so
 * that it can be produced (and read) as a stream, and its digest. Pure: no SDK, no I/O.
 *
 * The document stays one JSON object with the fields of the first format (`date`, `prefix`,
 * `completedAt`, `objects`, `bytes`, `run`, `keys`), so a reader of that format keeps working;
 * `format`, `version`, `extra`, `leftOut` and `sha256` are new. Field order is fixed: the header,
 * then `keys` one entry per line, then the fields only known at the end.
 */
import { createHash, type Hash } from 'node:crypto';
import type { IsoDate } from '../../rules/dates.ts';

/** The marker's name, after the day's prefix. */
export const DAY_MARKER_NAME = '_S3PUSH_COMPLETE.json';

/** `format` of every marker this code writes. */
export const MARKER_FORMAT = 's3-push-day-manifest';

/**
 * `version` of the document: 2 added `format`, `version`, `extra`, `leftOut`, `sha256` and the
 * rule that `keys` lists the source's objects only. A reader accepts any version it knows and
 * ignores fields it does not; a version bump is kept for a change that breaks a field's meaning.
 */
export const MARKER_FORMAT_VERSION = 2;

/** Destination-only keys and left-out keys listed by name; their counts have them all. */
export const MAX_LISTED_EXTRA = 100;

/** Object metadata (x-amz-meta-*) that marks a marker as written by s3-push: the format version and the manifest digest. */
export const MARKER_METADATA_VERSION = 's3push-format';
export const MARKER_METADATA_DIGEST = 's3push-manifest-sha256';

/** One object of the day: its destination key, size and destination ETag (without quotes). */
export interface ManifestEntry {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
}

/** A source object of the day that s3-push does not copy, and why (its destination key). */
export interface LeftOutEntry {
  readonly key: string;
  readonly reason: string;
}

/** The marker's JSON (as a reader parses it). */
export interface DayMarkerDocument {
  readonly format: typeof MARKER_FORMAT;
  readonly version: number;
  readonly date: IsoDate;
  /** The day's prefix at the destination. */
  readonly prefix: string;
  /** Every source object of the day at its destination key, in S3's key order; never a destination-only object. */
  readonly keys: readonly ManifestEntry[];
  /** Destination-only objects under the day's prefix (not from the source): all counted, the first {@link MAX_LISTED_EXTRA} listed. */
  readonly extra: { readonly count: number; readonly first: readonly ManifestEntry[] };
  /** Source objects of the day not copied on purpose (e.g. a key too long for the destination). */
  readonly leftOut: { readonly count: number; readonly first: readonly LeftOutEntry[] };
  /** `keys.length` and the sum of their sizes. */
  readonly objects: number;
  readonly bytes: number;
  /** What the run that wrote it did (for a fanned-out day: its last piece). */
  readonly run: { readonly listed: number; readonly copied: number; readonly skipped: number };
  /** When this marker was written (ISO 8601, UTC). */
  readonly completedAt: string;
  /** The manifest digest ({@link ManifestText}), as in the object's metadata. */
  readonly sha256: string;
}

/** The fixed part of a manifest, known before its first key. */
export interface ManifestHeader {
  readonly date: IsoDate;
  readonly prefix: string;
  readonly run: DayMarkerDocument['run'];
  readonly completedAt: string;
}

/**
 * Builds the manifest's text record by record, handing each piece to `emit`, and keeps the digest
 * as it goes: SHA-256 over `k <entry>\n` for each key, `x <entry>\n` for each destination-only
 * object and `l <entry>\n` for each left-out one, in the order given, `<entry>` being the record's
 * JSON exactly as the document holds it. `completedAt` and `run` are outside the digest, so a
 * rerun that finds the same day computes the same digest. Holds at most
 * {@link MAX_LISTED_EXTRA} extra and left-out records.
 */
export class ManifestText {
  private readonly hash: Hash = createHash('sha256');
  private readonly header: ManifestHeader;
  private readonly emit: (text: string) => void;
  private objects = 0;
  private bytes = 0;
  private extraCount = 0;
  private readonly extraFirst: string[] = [];
  private leftOutCount = 0;
  private readonly leftOutFirst: string[] = [];
  private ended = false;

  constructor(header: ManifestHeader, emit: (text: string) => void) {
    this.header = header;
    this.emit = emit;
    emit(`{"format":${JSON.stringify(MARKER_FORMAT)},"version":${MARKER_FORMAT_VERSION},"date":${JSON.stringify(header.date)},"prefix":${JSON.stringify(header.prefix)},\n"keys":[`);
  }

  /** One object of the day; in key order. */
  key(entry: ManifestEntry): void {
    const json = entryJson(entry);
    this.hash.update(`k ${json}\n`);
    this.emit(`${this.objects === 0 ? '\n' : ',\n'}${json}`);
    this.objects++;
    this.bytes += entry.size;
  }

  /** A destination-only object under the day's prefix. */
  extra(entry: ManifestEntry): void {
    const json = entryJson(entry);
    this.hash.update(`x ${json}\n`);
    if (this.extraFirst.length < MAX_LISTED_EXTRA) this.extraFirst.push(json);
    this.extraCount++;
  }

  /** A source object left out on purpose. */
  leftOut(entry: LeftOutEntry): void {
    const json = JSON.stringify({ key: entry.key, reason: entry.reason });
    this.hash.update(`l ${json}\n`);
    if (this.leftOutFirst.length < MAX_LISTED_EXTRA) this.leftOutFirst.push(json);
    this.leftOutCount++;
  }

  /** Emits the rest of the document and returns the digest (hex) and the counts. */
  end(): { digest: string; objects: number; bytes: number; extra: number; leftOut: number } {
    if (this.ended) throw new Error('the manifest was already ended');
    this.ended = true;
    const digest = this.hash.digest('hex');
    const { run, completedAt } = this.header;
    this.emit(`${this.objects === 0 ? '' : '\n'}],\n` +
      `"extra":{"count":${this.extraCount},"first":[${this.extraFirst.join(',')}]},\n` +
      `"leftOut":{"count":${this.leftOutCount},"first":[${this.leftOutFirst.join(',')}]},\n` +
      `"objects":${this.objects},"bytes":${this.bytes},"run":${JSON.stringify({ listed: run.listed, copied: run.copied, skipped: run.skipped })},` +
      `"completedAt":${JSON.stringify(completedAt)},"sha256":"${digest}"}\n`);
    return { digest, objects: this.objects, bytes: this.bytes, extra: this.extraCount, leftOut: this.leftOutCount };
  }
}

function entryJson(entry: ManifestEntry): string {
  return JSON.stringify({ key: entry.key, size: entry.size, etag: entry.etag });
}

/**
 * The digest a reader recomputes from a parsed document to check it ({@link ManifestText}):
 * possible only when every extra and left-out record is listed (their counts are at most
 * {@link MAX_LISTED_EXTRA}); undefined otherwise.
 */
export function manifestDigest(doc: Pick<DayMarkerDocument, 'keys' | 'extra' | 'leftOut'>): string | undefined {
  if (doc.extra.count !== doc.extra.first.length || doc.leftOut.count !== doc.leftOut.first.length) return undefined;
  const hash = createHash('sha256');
  for (const e of doc.keys) hash.update(`k ${entryJson(e)}\n`);
  for (const e of doc.extra.first) hash.update(`x ${entryJson(e)}\n`);
  for (const e of doc.leftOut.first) hash.update(`l ${JSON.stringify({ key: e.key, reason: e.reason })}\n`);
  return hash.digest('hex');
}
