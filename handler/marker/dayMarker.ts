/**
 * The day-complete marker (DAY_MARKER=true): `<destination day prefix>_S3PUSH_COMPLETE.json`
 * at the destination, the day's manifest (format in ./manifest.ts). It says what the function that
 * wrote it verified itself, in that invocation, by one walk of both listings of the day:
 * every source object of the day (excluded keys and the marker's own name aside) is at its
 * destination key and equal by the copy rule. It never rests on what an event or a work item says
 * was done before, so a work item that skips the day (a forged `startAfter`) gets no marker.
 *
 * Bounded memory for a day of any size: both listings are streamed, the text is encoded as it is
 * produced, and at most one upload part ({@link MARKER_PART_BYTES}) of it is held. The digest is
 * kept as it goes; a stored marker whose metadata carries the same digest is left as it is (one
 * HeadObject; the stored body is never read, whatever its size or encoding). A stored object
 * without s3-push's metadata, or with another digest, is replaced.
 *
 * A manifest whose bytes fit in one part is written with one PutObject. A larger one is produced
 * twice: the metadata (the digest) must be known when the multipart upload starts, so the first
 * walk computes it and a second walk uploads; if the second walk finds another day (an object
 * changed in between), the upload is aborted and the outcome is `incomplete`.
 */
import type { IsoDate } from '../../rules/dates.ts';
import { describeError } from '../../rules/errors.ts';
import { dayKeys, dayOfKey, destinationDayPrefix, renderPrefix, type KeyLayout } from '../../rules/prefix.ts';
import { listObjects } from '../aws/s3Listing.ts';
import { dayExclusion } from '../../rules/exclude.ts';
import { headMarker, MarkerUpload, putMarker, type MarkerTarget, type MarkerWrite } from '../aws/s3MarkerObject.ts';
import type { HandlerConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { DaySummary, Failure } from '../summary.ts';
import { compareKeys, decide, type ObjectInfo } from '../copy/plan.ts';
import type { ReplicationClients } from '../copy/replicateDay.ts';
import { encodeMarkerBody } from './markerBody.ts';
import { DAY_MARKER_NAME, ManifestText, MARKER_FORMAT_VERSION, MARKER_METADATA_DIGEST, MARKER_METADATA_VERSION, type DayMarkerDocument } from './manifest.ts';

export { DAY_MARKER_NAME } from './manifest.ts';

/** Bytes of marker held before they are uploaded as one part (S3's parts are 5 MiB or more but the last). */
export const MARKER_PART_BYTES = 8 * 1024 * 1024;

/** Text handed to the encoder at once: fewer, larger pieces than one per key. */
const TEXT_BATCH_CHARS = 64 * 1024;

/** The settings the marker reads. */
export type MarkerSettings = Pick<HandlerConfig,
  'sourceBucket' | 'sourceAccountId' | 'destinationBucket' | 'destinationAccountId' | 'destinationPrefix' | 'destinationPrefixFormat' | 'prefixFormat' | 'kmsKeyArn'>
  & Partial<Pick<HandlerConfig, 'exclude'>>;

/**
 * What {@link updateDayMarker} did: `written`; `unchanged` (the stored marker is s3-push's and
 * holds this manifest); `incomplete` (a source object of the day is not at the destination, or
 * differs: nothing written); `stopped` (the time budget ran out during the walk: nothing written);
 * `absent` (with `onlyIfMarked`: the day has no marker, so none was written).
 */
export type MarkerOutcome = 'written' | 'unchanged' | 'incomplete' | 'stopped' | 'absent';

/** Options of {@link updateDayMarker}. */
export interface MarkerOptions {
  /** Asked before each object either listing yields (so on every page); true ends the walk: `stopped`. Default: never. */
  readonly shouldStop?: () => boolean;
  /** True for a source key that is not an object of the day (exclusions); its destination key is passed over too. Default: none. */
  readonly isExcluded?: (sourceKey: string) => boolean;
  /** A reason when a source object is left out of the copy on purpose (it is then listed in `leftOut`, not required at the destination). Default: none. */
  readonly leftOut?: (source: ObjectInfo) => string | undefined;
  /** The run's counts, written in the marker. Default: zeros. */
  readonly run?: DayMarkerDocument['run'];
  /** The clock of `completedAt`. Default: the system clock. */
  readonly now?: () => Date;
  /** Keys per listing page (1–1000). Default 1000. */
  readonly pageSize?: number;
  /** Bytes per upload part, and the most held. Default {@link MARKER_PART_BYTES}. */
  readonly partBytes?: number;
  /** Text above which the marker is gzip-compressed. Default: markerBody's MARKER_GZIP_ABOVE_BYTES. */
  readonly gzipAboveBytes?: number;
  /** Rewrite the marker only when the day has one (push on write): otherwise `absent`, with no walk. Default false. */
  readonly onlyIfMarked?: boolean;
}

/** What {@link updateDayMarker} found and did. */
export interface MarkerResult {
  readonly key: string;
  readonly outcome: MarkerOutcome;
  /** Source objects of the day in the manifest, and their bytes (as far as the walk went). */
  readonly objects: number;
  readonly bytes: number;
  /** Destination-only objects under the day's prefix. */
  readonly extra: number;
  readonly leftOut: number;
  /** `incomplete`: the first source key not at the destination (or different there). */
  readonly notAtDestination?: string;
  /** An upload that could not be aborted, for the log. */
  readonly abortProblem?: string;
}

/** The marker's key of a day: under the day's destination prefix. */
export function dayMarkerKey(layout: KeyLayout, date: IsoDate): string {
  return destinationDayPrefix(layout, date) + DAY_MARKER_NAME;
}

/**
 * True for a source key that would land on its day's marker (`<day prefix>_S3PUSH_COMPLETE.json`):
 * such a key is never copied, by any path, and never compared as an object of the day.
 */
export function isDayMarkerSourceKey(prefixFormat: string, key: string): boolean {
  if (!key.endsWith(DAY_MARKER_NAME)) return false;
  const day = dayOfKey(prefixFormat, key);
  return day.kind === 'day' && key === renderPrefix(prefixFormat, day.date) + DAY_MARKER_NAME;
}

/** How one walk ended. */
interface WalkState {
  outcome: 'complete' | 'incomplete' | 'stopped';
  notAtDestination?: string;
  digest?: string;
  counts: { objects: number; bytes: number; extra: number; leftOut: number };
}

/**
 * One walk of the day's source and destination listings, as the manifest's text (see the module
 * comment). Ends early, with `state.outcome` saying why, on the first source object not equal at
 * the destination or when `shouldStop` says so.
 */
async function* walkText(clients: ReplicationClients, settings: MarkerSettings, header: ConstructorParameters<typeof ManifestText>[0], markerKey: string, options: MarkerOptions, state: WalkState): AsyncGenerator<string> {
  const keys = dayKeys(settings, header.date);
  const dayPrefix = keys.sourcePrefix;
  const page = options.pageSize ? { pageSize: options.pageSize } : {};
  const source = listObjects(clients.sourceS3, settings.sourceBucket, dayPrefix, { expectedBucketOwner: settings.sourceAccountId, ...page });
  const destination = listObjects(clients.destinationS3, settings.destinationBucket, keys.destinationPrefix, { expectedBucketOwner: settings.destinationAccountId, ...page });
  const shouldStop = options.shouldStop ?? (() => false);
  // EXCLUDE's keys are never the day's, whichever path writes the marker.
  const excludedOfDay = dayExclusion(settings.exclude ?? []);
  const isExcluded = options.isExcluded ?? ((sourceKey: string) => excludedOfDay(dayPrefix, sourceKey));
  const markerSourceKey = dayPrefix + DAY_MARKER_NAME;
  let pending = '';
  const text = new ManifestText(header, (t) => {
    pending += t;
  });
  const take = (): string => {
    const t = pending;
    pending = '';
    return t;
  };
  const stop = (outcome: 'incomplete' | 'stopped', key?: string): void => {
    state.outcome = outcome;
    if (key !== undefined) state.notAtDestination = key;
  };
  // A destination key the walk passes over: the marker, an excluded key, or a destination-only object.
  const passOver = (d: ObjectInfo): void => {
    // Listed under the day's destination prefix, so it maps back to a key of the source day.
    if (d.key === markerKey || isExcluded(keys.toSource(d.key)!)) return;
    text.extra({ key: d.key, size: d.size, etag: d.etag.replaceAll('"', '') });
  };

  const destIter = destination[Symbol.asyncIterator]();
  try {
    let dest = (await destIter.next()).value as ObjectInfo | undefined;
    const nextDest = async (): Promise<void> => {
      dest = (await destIter.next()).value as ObjectInfo | undefined;
    };
    for await (const src of source) {
      if (shouldStop()) return stop('stopped');
      if (src.key === markerSourceKey || isExcluded(src.key)) continue;
      const wanted = keys.toDestination(src.key);
      while (dest && compareKeys(dest.key, wanted) < 0) {
        if (shouldStop()) return stop('stopped');
        passOver(dest);
        await nextDest();
      }
      const match = dest?.key === wanted ? dest : undefined;
      if (match) await nextDest();
      const reason = options.leftOut?.(src);
      if (reason !== undefined) text.leftOut({ key: wanted, reason });
      else if (match && decide(src, match) === 'equal') text.key({ key: wanted, size: match.size, etag: match.etag.replaceAll('"', '') });
      else return stop('incomplete', src.key);
      if (pending.length >= TEXT_BATCH_CHARS) yield take();
    }
    while (dest) {
      if (shouldStop()) return stop('stopped');
      passOver(dest);
      await nextDest();
    }
    const end = text.end();
    state.digest = end.digest;
    state.counts = end;
    state.outcome = 'complete';
    yield take();
  } finally {
    await destIter.return?.(undefined);
  }
}

/**
 * Writes the day's marker unless the stored one is s3-push's and holds the same manifest (see the
 * module comment). Costs one HeadObject (first, so that `onlyIfMarked` costs nothing more for a
 * day without a marker), one listing of the day at the source and one at the destination; a
 * PutObject when the manifest changed (a multipart upload and a second walk when it is larger than
 * one part). Throws {@link AwsCallError} when a listing or a request fails.
 */
export async function updateDayMarker(clients: ReplicationClients, settings: MarkerSettings, date: IsoDate, options: MarkerOptions = {}): Promise<MarkerResult> {
  const key = dayMarkerKey(settings, date);
  const partBytes = options.partBytes ?? MARKER_PART_BYTES;
  const header = {
    date,
    prefix: destinationDayPrefix(settings, date),
    run: options.run ?? { listed: 0, copied: 0, skipped: 0 },
    completedAt: (options.now ?? (() => new Date()))().toISOString(),
  };
  const target: MarkerTarget = { bucket: settings.destinationBucket, owner: settings.destinationAccountId, key, kmsKeyArn: settings.kmsKeyArn };
  const newState = (): WalkState => ({ outcome: 'stopped', counts: { objects: 0, bytes: 0, extra: 0, leftOut: 0 } });
  const result = (state: WalkState, outcome: MarkerOutcome, abortProblem?: string): MarkerResult => ({
    key, outcome, ...state.counts,
    ...(state.notAtDestination === undefined ? {} : { notAtDestination: state.notAtDestination }),
    ...(abortProblem === undefined ? {} : { abortProblem }),
  });

  const stored = await headMarker(clients.destinationS3, target);
  if (options.onlyIfMarked && stored === undefined) return result(newState(), 'absent');

  // First walk: the digest, and the bytes while they fit in one part.
  const first = newState();
  const body = await encodeMarkerBody(walkText(clients, settings, header, key, options, first), options.gzipAboveBytes);
  let held: Buffer[] | undefined = [];
  let heldBytes = 0;
  for await (const chunk of body.chunks) {
    if (!held) continue;
    held.push(chunk);
    heldBytes += chunk.length;
    if (heldBytes > partBytes) held = undefined;
  }
  if (first.outcome !== 'complete') return result(first, first.outcome);

  if (stored?.metadata[MARKER_METADATA_VERSION] === String(MARKER_FORMAT_VERSION) && stored.metadata[MARKER_METADATA_DIGEST] === first.digest) {
    return result(first, 'unchanged');
  }
  const write: MarkerWrite = { gzip: body.gzip, metadata: { [MARKER_METADATA_VERSION]: String(MARKER_FORMAT_VERSION), [MARKER_METADATA_DIGEST]: first.digest! } };
  if (held) {
    await putMarker(clients.destinationS3, target, Buffer.concat(held), write);
    return result(first, 'written');
  }

  // Second walk, uploaded part by part under the digest of the first.
  const second = newState();
  const again = await encodeMarkerBody(walkText(clients, settings, header, key, options, second), options.gzipAboveBytes);
  const upload = await MarkerUpload.start(clients.destinationS3, target, write);
  try {
    let part: Buffer[] = [];
    let partSize = 0;
    for await (const chunk of again.chunks) {
      part.push(chunk);
      partSize += chunk.length;
      if (partSize >= partBytes) {
        await upload.part(Buffer.concat(part));
        part = [];
        partSize = 0;
      }
    }
    if (second.outcome !== 'complete' || second.digest !== first.digest || again.gzip !== body.gzip) {
      return result(second, second.outcome === 'complete' ? 'incomplete' : second.outcome, await upload.abort());
    }
    if (partSize > 0) await upload.part(Buffer.concat(part));
    await upload.complete();
    return result(second, 'written');
  } catch (err) {
    const problem = await upload.abort();
    if (problem !== undefined && err instanceof Error) err.message += `; ${problem}`;
    throw err;
  }
}

/** What {@link markCompleteDay} did to a day. */
export interface MarkedDay {
  readonly summary: DaySummary;
  /** The marker could not be written (a request failed): one more failure of the day. */
  readonly failure?: Failure;
  /** The time budget ran out in the marker's walk: the day is not complete, hand it on. */
  readonly stopped: boolean;
}

/**
 * After a day finished with no failure (not a dry run): updates its marker and records the outcome
 * in the day's summary (`marker`, and `markerMissing` when `incomplete`). A marker that cannot be
 * written is one more failure of the day, so the invocation fails and the alarm sees it; the
 * copies themselves stand. `incomplete` is not a failure: the next run writes the marker.
 */
export async function markCompleteDay(clients: ReplicationClients, settings: MarkerSettings, summary: DaySummary, options: Pick<MarkerOptions, 'shouldStop' | 'isExcluded' | 'leftOut'> = {}): Promise<MarkedDay> {
  const run = { listed: summary.listed, copied: summary.copied, skipped: summary.skipped };
  try {
    const r = await updateDayMarker(clients, settings, summary.date as IsoDate, { ...options, run });
    if (r.outcome === 'absent') throw new Error('a marker of a complete day is written whether or not one exists');
    return {
      summary: { ...summary, marker: r.outcome, ...(r.notAtDestination === undefined ? {} : { markerMissing: r.notAtDestination }) },
      stopped: r.outcome === 'stopped',
    };
  } catch (err) {
    return {
      summary: { ...summary, failed: summary.failed + 1 },
      failure: { key: dayMarkerKey(settings, summary.date as IsoDate), error: describeError(err) },
      stopped: false,
    };
  }
}

/** The message of the WARN line for source objects named like the day marker. */
export const MARKER_NAME_IGNORED_MESSAGE = 's3-push ignored a source object named like the day marker';

/**
 * Logs, as one WARN line per day, a source object named like the day's marker that the walk left
 * out: it is never copied (it would replace the partner's marker).
 */
export function logIgnoredMarkerName(logger: Logger, day: Pick<DaySummary, 'date' | 'prefix' | 'ignored'>): void {
  if (!day.ignored?.markerName) return;
  logger.log('WARN', MARKER_NAME_IGNORED_MESSAGE, {
    date: day.date,
    key: day.prefix + DAY_MARKER_NAME,
    why: 'a source object of this name would replace the day-complete marker at the destination; it is not copied (ignored.markerName)',
  });
}
