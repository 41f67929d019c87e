/**
 * Push on write: copies the objects that object events name, one key at a time, with the rules of
 * the daily copy. For each event:
 * - another bucket than SOURCE_BUCKET, a key under DESTINATION_PREFIX when the source is also the
 *   destination bucket (the copies' own events), an event that is not an object creation, a key
 *   outside PREFIX_FORMAT or without a calendar date there, a key named like its day's
 *   day-complete marker (it would replace the partner's marker): counted, logged, never copied;
 * - otherwise the key is looked up as it is NOW at the source and at the destination (one
 *   ListObjectsV2 each), and the copy plan's rule decides: equal → skipped, missing or changed →
 *   copied by the daily run's own single-object copy ({@link copyListedObject}); a key that is
 *   gone is counted and ignored; an archived object (S3 answers the copy with InvalidObjectState
 *   or ObjectNotInActiveTierError) is counted as `archived`, not a failure: it is not retried; an
 *   object whose destination key would be over S3's 1,024 bytes is `tooLong` (ignored, with the
 *   reason in `notable`), never sent and not retried, as in the daily run.
 *
 * The event's size and ETag are never used: a duplicate, late or reordered event copies the object
 * as it is when it is handled, so the last event handled for a key leaves its newest version at the
 * destination, and an event for an object since overwritten or deleted copies the new one or
 * nothing. Events for one key in one batch are handled once.
 *
 * With EXACT_DAYS, an object-deleted event deletes the object's copy when the source is without it
 * now (./objectDeletes.ts). With DAY_MARKER, a day this batch copied into or deleted from that
 * already has its marker gets the marker rewritten once, after the batch (the marker's own walk
 * decides what it lists).
 *
 * With SOURCE_READY_KEY, an event of a day's ready key is `readyKey`: never copied by itself, it
 * asks for its day's copy after the batch's own copies ({@link copyReadyDays}: the work queue, or
 * inline), which copies the ready key last. The other objects of a day are copied as they arrive,
 * ready key or not: the partner reads a day once its ready key is there.
 */
import pLimit from 'p-limit';
import type { HandlerConfig } from '../config.ts';
import { ArchivedObjectError, EventValidationError } from '../errors.ts';
import { S3PushError, describeError } from '../../rules/errors.ts';
import type { Logger } from '../logger.ts';
import { parseObjectEvents, type ObjectEvent } from './objectEvents.ts';
import { decide, normalizeEtag, type ObjectInfo } from '../copy/plan.ts';
import { dayOfKey, destinationKey, isDestinationKey } from '../../rules/prefix.ts';
import { copyListedObject, type ReplicationClients } from '../copy/replicateDay.ts';
import { ARCHIVED_HELP, MAX_LISTED_FAILURES, type Failure } from '../summary.ts';
import type { SQSBatchResponse } from 'aws-lambda';
import type { SqsRecordLike } from '../fanOut/workItems.ts';
import { findObject } from '../aws/s3Listing.ts';
import { dayExclusion } from '../../rules/exclude.ts';
import { isDayMarkerSourceKey, updateDayMarker, type MarkerOutcome } from '../marker/dayMarker.ts';
import { destinationKeyProblem } from '../../rules/keyLength.ts';
import { tooLongLeftOut } from '../copy/tooLong.ts';
import { deleteIfGone, type DeleteOutcome } from './objectDeletes.ts';
import type { IsoDate } from '../../rules/dates.ts';
import { renderPrefix } from '../../rules/prefix.ts';
import type { WorkQueue } from '../aws/workQueue.ts';
import { copyReadyDays, type ReadyDay } from './readyDays.ts';

/** Why an event copied nothing. */
export type IgnoredReason = 'otherBucket' | 'ownDestination' | 'notCreated' | 'outsidePattern' | 'noCalendarDate' | 'markerName' | 'excluded' | 'gone' | 'tooLong';

/** What happened to one event. */
export interface ObjectOutcome {
  readonly bucket: string;
  readonly key: string;
  /** `readyKey`: the day's ready key (SOURCE_READY_KEY), not copied by itself: its day's copy was asked for. */
  readonly outcome: 'copied' | 'skipped' | 'failed' | 'archived' | 'readyKey' | IgnoredReason | Exclude<DeleteOutcome, 'failed'>;
  /** The day of the key, when it has one. */
  readonly date?: string;
  readonly bytes?: number;
  /** True when the object handled is not the one the event described (size or ETag differ): it was overwritten since. */
  readonly changedSinceEvent?: true;
  readonly error?: string;
}

/** Counts of object events; returned and logged as one JSON line (`"message": "s3-push object events"`). */
export interface ObjectEventsSummary {
  /** Object events received (a duplicate counts each time it arrives). */
  readonly events: number;
  readonly copied: number;
  /** At the destination already and equal (a duplicate, or the daily run was first). */
  readonly skipped: number;
  readonly failed: number;
  /** Objects left out because they are archived (not copied, not retried, not failures; see {@link ARCHIVED_HELP}). */
  readonly archived: number;
  readonly bytesCopied: number;
  /** Events that copied nothing, by reason; never errors. */
  readonly ignored: Readonly<Record<IgnoredReason, number>>;
  /** The first {@link MAX_LISTED_FAILURES} failures; `failed` has the full count. */
  readonly failures: readonly Failure[];
  /** With DAY_MARKER: the marker of each day copied into that had one ({@link rewriteMarkers}). */
  readonly markers?: MarkerRewrites;
  /**
   * With EXACT_DAYS, when the batch held object-deleted events: copies `deleted`, and those kept
   * because the source object is back (`keptAtSource`), the source day is empty (`keptEmptyDay`)
   * or the copy was not there (`alreadyGone`). A delete that failed is in `failed`.
   */
  readonly deletes?: Readonly<Record<Exclude<DeleteOutcome, 'failed'>, number>>;
  /** With SOURCE_READY_KEY: events of a day's ready key (each asks for its day's copy, `readyDays`). Absent without. */
  readonly readyKeys?: number;
  /** The days those events asked for, by date: what became of each ({@link copyReadyDays}). A `failed` one is in `failures` too. */
  readonly readyDays?: Readonly<Record<string, ReadyDay>>;
}

/** An object event named an object that could not be copied; thrown after the summary is logged. */
export class ObjectEventsFailedError extends S3PushError {
  override name = 'ObjectEventsFailedError';
  readonly summary: ObjectEventsSummary;

  constructor(message: string, summary: ObjectEventsSummary) {
    super(message, { userFault: false });
    this.summary = summary;
  }
}

/** Options of {@link pushObjects}. */
export interface PushOptions {
  /** Keys handled at once. Default: the config's COPY_CONCURRENCY. */
  readonly concurrency?: number;
}

/**
 * Whether an event names something this function should copy, which day it belongs to, and the
 * keys to look it up under, in order: the key as written when it fits the day pattern, then each
 * decoded form that fits (an EventBridge key may arrive URL-encoded: `dt%3D2024-07-01/…`).
 */
export function classify(event: ObjectEvent, config: HandlerConfig): { readonly reason: IgnoredReason } | { readonly date: string; readonly keys: readonly string[]; readonly deleted?: true; readonly readyKey?: true } {
  if (event.bucket !== config.sourceBucket) return { reason: 'otherBucket' };
  // With one bucket for both, the copies' own events come back.
  if (config.sourceBucket === config.destinationBucket && isDestinationKey(config, event.key)) return { reason: 'ownDestination' };
  // A deleted object's copy is deleted only with exact days; without, the event is not ours.
  const deleted = event.deleted === true && config.exactDays;
  if (!event.created && !deleted) return { reason: 'notCreated' };
  const fitting: { key: string; date: string; prefix: string }[] = [];
  let reason: IgnoredReason | undefined;
  for (const key of [event.key, ...(event.decodedKeys ?? [])]) {
    const day = dayOfKey(config.prefixFormat, key);
    if (day.kind === 'day') fitting.push({ key, date: day.date, prefix: day.prefix });
    else reason ??= day.kind;
  }
  const date = fitting[0]?.date;
  if (date === undefined) return { reason: reason! };
  // Named like its day's marker in every spelling: never copied (it would replace the partner's marker).
  if (fitting.every((f) => isDayMarkerSourceKey(config.prefixFormat, f.key))) return { reason: 'markerName' };
  // Not an object of its day (EXCLUDE) in every spelling.
  const isExcluded = dayExclusion(config.exclude);
  if (fitting.every((f) => isExcluded(f.prefix, f.key))) return { reason: 'excluded' };
  // A decoded form of another day is not the same object.
  const ofDay = fitting.filter((f) => f.date === date);
  // Upstream's ready key says its day is whole: it is copied by the day's copy, last. Its deletion is a delete like any.
  const readyKey = !deleted && config.sourceReadyKey !== undefined && ofDay.some((f) => f.key === f.prefix + config.sourceReadyKey);
  return { date, keys: ofDay.map((f) => f.key), ...(deleted ? { deleted: true as const } : {}), ...(readyKey ? { readyKey: true as const } : {}) };
}

/**
 * Handles a list of object events (see the module comment) and returns one outcome per event, in
 * order. Never throws for an object: a failed copy is an outcome `failed` with its error.
 */
export async function pushObjects(events: readonly ObjectEvent[], config: HandlerConfig, clients: ReplicationClients, options: PushOptions = {}): Promise<ObjectOutcome[]> {
  const limit = pLimit(options.concurrency ?? config.copyConcurrency);
  const byKey = new Map<string, Promise<Omit<ObjectOutcome, 'bucket' | 'key' | 'date' | 'changedSinceEvent'> & { readonly current?: ObjectInfo }>>();

  const pushKey = (keys: readonly string[]) => limit(async () => {
    try {
      let src: ObjectInfo | undefined;
      for (const key of keys) {
        src = await findObject(clients.sourceS3, config.sourceBucket, key, config.sourceAccountId);
        if (src) break;
      }
      if (!src) return { outcome: 'gone' as const };
      // The key found may be another spelling of the event's: the marker's name is checked on what would be copied.
      if (isDayMarkerSourceKey(config.prefixFormat, src.key)) return { outcome: 'markerName' as const };
      const dstKey = destinationKey(config, src.key);
      // A destination key S3 cannot hold: never sent (S3 would refuse it on every retry), not a failure.
      const tooLong = destinationKeyProblem(dstKey);
      if (tooLong !== undefined) return { outcome: 'tooLong' as const, error: tooLong };
      const dst = await findObject(clients.destinationS3, config.destinationBucket, dstKey, config.destinationAccountId);
      if (decide(src, dst) === 'equal') return { outcome: 'skipped' as const, current: src };
      const bytes = await copyListedObject(clients.destinationS3, config, src);
      return { outcome: 'copied' as const, bytes, current: src };
    } catch (err) {
      if (err instanceof ArchivedObjectError) return { outcome: 'archived' as const, error: `${err.storageClass}: ${ARCHIVED_HELP}` };
      return { outcome: 'failed' as const, error: describeError(err) };
    }
  });

  const firstOfKey = new Map<string, number>();
  return Promise.all(events.map(async (event, i): Promise<ObjectOutcome> => {
    const where = { bucket: event.bucket, key: event.key };
    const c = classify(event, config);
    if ('reason' in c) return { ...where, outcome: c.reason };
    if (c.readyKey) return { ...where, date: c.date, outcome: 'readyKey' };
    // A key's creations are handled once per batch, and so are its deletions: each looks the key up as it is now.
    const handle = c.deleted ? `deleted:${event.key}` : event.key;
    let pending = byKey.get(handle);
    if (!pending) {
      pending = c.deleted ? limit(() => deleteIfGone(c.keys, c.date, config, clients)) : pushKey(c.keys);
      byKey.set(handle, pending);
      firstOfKey.set(handle, i);
    }
    const { current, ...result } = await pending;
    const changed = current !== undefined && ((event.size !== undefined && event.size !== current.size) || (event.etag !== undefined && normalizeEtag(event.etag) !== normalizeEtag(current.etag)));
    // A key named again in the same batch was handled once: its other events count as skipped.
    const again = firstOfKey.get(handle) !== i && (result.outcome === 'copied' || result.outcome === 'deleted');
    return {
      ...where,
      date: c.date,
      ...(again ? { outcome: 'skipped' as const } : result),
      ...(changed ? { changedSinceEvent: true as const } : {}),
    };
  }));
}

/** Adds up outcomes. */
export function summarizeObjects(outcomes: readonly ObjectOutcome[]): ObjectEventsSummary {
  const ignored: Record<IgnoredReason, number> = { otherBucket: 0, ownDestination: 0, notCreated: 0, outsidePattern: 0, noCalendarDate: 0, markerName: 0, excluded: 0, gone: 0, tooLong: 0 };
  let copied = 0;
  let skipped = 0;
  let archived = 0;
  let bytesCopied = 0;
  let readyKeys = 0;
  const failures: Failure[] = [];
  const deletes: Record<Exclude<DeleteOutcome, 'failed'>, number> = { deleted: 0, keptAtSource: 0, keptEmptyDay: 0, alreadyGone: 0 };
  let deleteEvents = 0;
  for (const o of outcomes) {
    if (o.outcome in deletes) {
      deletes[o.outcome as keyof typeof deletes]++;
      deleteEvents++;
    } else if (o.outcome === 'copied') {
      copied++;
      bytesCopied += o.bytes ?? 0;
    } else if (o.outcome === 'skipped') skipped++;
    else if (o.outcome === 'archived') archived++;
    else if (o.outcome === 'failed') failures.push({ key: o.key, error: o.error ?? '?' });
    else if (o.outcome === 'readyKey') readyKeys++;
    else ignored[o.outcome as IgnoredReason]++;
  }
  return {
    events: outcomes.length, copied, skipped, failed: failures.length, archived, bytesCopied, ignored, failures: failures.slice(0, MAX_LISTED_FAILURES),
    ...(deleteEvents > 0 ? { deletes } : {}),
    ...(readyKeys > 0 ? { readyKeys } : {}),
  };
}

/** Options of the object event runners. */
export interface ObjectRunOptions extends PushOptions {
  readonly logger: Logger;
  /** Asked by the day markers' walks (see {@link rewriteMarkers}) and the ready days run inline. Default: never stop. */
  readonly shouldStop?: () => boolean;
  /** The fan-out work queue: the days ready keys ask for go there. Default: none, they run inline. */
  readonly workQueue?: WorkQueue | undefined;
}

/**
 * The days the batch's ready-key events ask for, copied ({@link copyReadyDays}), and the summary
 * with them: a day that failed counts once in `failed`, its ready key in `failures`.
 */
async function withReadyDays(outcomes: readonly ObjectOutcome[], summary: ObjectEventsSummary, config: HandlerConfig, clients: ReplicationClients, options: ObjectRunOptions): Promise<ObjectEventsSummary> {
  const dates = new Set(outcomes.filter((o) => o.outcome === 'readyKey').map((o) => o.date!));
  if (dates.size === 0) return summary;
  const readyDays = await copyReadyDays(dates, config, clients, options);
  const failed = Object.entries(readyDays).filter(([, d]) => d.outcome === 'failed')
    .map(([date, d]) => ({ key: renderPrefix(config.prefixFormat, date as IsoDate) + config.sourceReadyKey!, error: d.error ?? '?' }));
  return {
    ...summary,
    failed: summary.failed + failed.length,
    failures: [...summary.failures, ...failed].slice(0, MAX_LISTED_FAILURES),
    readyDays,
  };
}

/** True when an outcome's object, or the day its ready key asked for, failed: its record is retried. */
function outcomeFailed(o: ObjectOutcome, readyDays: ObjectEventsSummary['readyDays']): boolean {
  return o.outcome === 'failed' || (o.outcome === 'readyKey' && readyDays?.[o.date!]?.outcome === 'failed');
}

/** What happened to the marker of each day a batch copied into (days without a marker are left out). */
export type MarkerRewrites = Readonly<Record<string, Exclude<MarkerOutcome, 'absent'> | 'failed'>>;

/**
 * With DAY_MARKER: for each day the outcomes copied into, in date order, rewrites the day's marker
 * if the day has one (`onlyIfMarked`: one HeadObject for a day without). A marker that cannot be
 * rewritten is logged as an ERROR and left to the next scheduled run (its copies stand; retrying
 * the records would copy nothing and so rewrite nothing). Undefined when there is nothing to say.
 */
export async function rewriteMarkers(outcomes: readonly ObjectOutcome[], config: HandlerConfig, clients: ReplicationClients, options: ObjectRunOptions): Promise<MarkerRewrites | undefined> {
  if (!config.dayMarker) return undefined;
  const copiedInto = new Map<string, number>();
  // A day deleted from (exact days) has another manifest too.
  for (const o of outcomes) if ((o.outcome === 'copied' || o.outcome === 'deleted') && o.date !== undefined) copiedInto.set(o.date, (copiedInto.get(o.date) ?? 0) + (o.outcome === 'copied' ? 1 : 0));
  const markers: Record<string, Exclude<MarkerOutcome, 'absent'> | 'failed'> = {};
  for (const [date, copied] of [...copiedInto].sort(([a], [b]) => (a < b ? -1 : 1))) {
    try {
      const r = await updateDayMarker(clients, config, date as IsoDate, {
        onlyIfMarked: true,
        leftOut: tooLongLeftOut(config, date as IsoDate),
        run: { listed: 0, copied, skipped: 0 },
        ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
      });
      if (r.outcome !== 'absent') markers[date] = r.outcome;
    } catch (err) {
      markers[date] = 'failed';
      options.logger.log('ERROR', `the day-complete marker of ${date} could not be rewritten after push on write: ${describeError(err)}; the next scheduled run of the day rewrites it`, { date });
    }
  }
  return Object.keys(markers).length > 0 ? markers : undefined;
}

/** The outcomes worth a line in the log: all but the plain successes, at most 100. */
function notable(outcomes: readonly ObjectOutcome[]): ObjectOutcome[] {
  return outcomes.filter((o) => o.outcome !== 'copied' && o.outcome !== 'skipped').slice(0, MAX_LISTED_FAILURES);
}

/**
 * The object events of one document given directly (a console test event, `npm run invoke --
 * --local --event FILE`, or a notification wired straight to the function), parsed by the router:
 * copies their objects, logs the summary and returns it. A failed copy throws
 * {@link ObjectEventsFailedError} after the summary is logged.
 */
export async function runObjectEvents(events: readonly ObjectEvent[], config: HandlerConfig, clients: ReplicationClients, options: ObjectRunOptions): Promise<ObjectEventsSummary> {
  const outcomes = await pushObjects(events, config, clients, options);
  const markers = await rewriteMarkers(outcomes, config, clients, options);
  const summary = await withReadyDays(outcomes, { ...summarizeObjects(outcomes), ...(markers ? { markers } : {}) }, config, clients, options);
  options.logger.log(summary.failed > 0 ? 'ERROR' : 'INFO', 's3-push object events', { ...summary, notable: notable(outcomes) });
  if (summary.failed > 0) {
    const first = summary.failures[0];
    throw new ObjectEventsFailedError(`${summary.failed} object(s) failed to copy (${summary.copied} copied, ${summary.skipped} skipped); first: ${first?.key ?? '?'}: ${first?.error ?? '?'}`, summary);
  }
  return summary;
}

/** What a batch of object-event records did. */
export interface ObjectBatchResult {
  readonly response: SQSBatchResponse;
  readonly summary: ObjectEventsSummary;
  /** Records whose body was not a valid object event (reported as failed, so they reach the dead-letter queue). */
  readonly rejected: number;
}

/**
 * An SQS batch of object events (from the object queue): handles every record's events together
 * (one copy per key however many records name it) and reports as failed exactly the records that
 * were malformed or named an object whose copy failed; SQS retries those and, after
 * maxReceiveCount receives, moves them to the object dead-letter queue. Logs one JSON line.
 */
export async function runObjectBatch(records: readonly SqsRecordLike[], config: HandlerConfig, clients: ReplicationClients, options: ObjectRunOptions): Promise<ObjectBatchResult> {
  const parsed: { messageId: string; events: ObjectEvent[] }[] = [];
  const rejected: { messageId: string; error: string }[] = [];
  for (const record of records) {
    try {
      parsed.push({ messageId: record.messageId, events: parseObjectEvents(JSON.parse(record.body)) });
    } catch (err) {
      // Bounded at the source: a validation message quotes input cut (parse.ts), and V8's JSON error quotes a few characters.
      rejected.push({ messageId: record.messageId, error: err instanceof EventValidationError ? err.message : `body is not JSON: ${describeError(err)}` });
    }
  }
  const all = parsed.flatMap((p) => p.events);
  const outcomes = await pushObjects(all, config, clients, options);
  const markers = await rewriteMarkers(outcomes, config, clients, options);
  const summary = await withReadyDays(outcomes, { ...summarizeObjects(outcomes), ...(markers ? { markers } : {}) }, config, clients, options);
  const failedIds = new Set(rejected.map((r) => r.messageId));
  let at = 0;
  for (const p of parsed) {
    if (outcomes.slice(at, at + p.events.length).some((o) => outcomeFailed(o, summary.readyDays))) failedIds.add(p.messageId);
    at += p.events.length;
  }
  options.logger.log(failedIds.size > 0 ? 'ERROR' : 'INFO', 's3-push object events', {
    ...summary,
    records: records.length,
    // Listed like the failures: a batch invoked directly is bounded only by Lambda's 6 MB payload.
    rejected: rejected.slice(0, MAX_LISTED_FAILURES),
    notable: notable(outcomes),
  });
  return { response: { batchItemFailures: [...failedIds].map((itemIdentifier) => ({ itemIdentifier })) }, summary, rejected: rejected.length };
}
