/**
 * The extras of a day, once its copy walk reached the day's end. The copy walk counts them (the
 * destination objects the source day does not have, ./replicateDay.ts), in every mode, at no
 * request of their own; here they are recorded in the day's summary and, with EXACT_DAYS when the
 * rules of ./extras.ts allow it, deleted.
 *
 * Why the deletes are a pass of their own at the end of the day, and not done by the copy walk as
 * it meets each extra: a delete is allowed only once every copy of the day succeeded, which only
 * the part that ends the day knows (its own copies, and every earlier part's, which work items
 * carry). An earlier part of a fanned-out day may be followed by a part that fails a copy. So the
 * copy walk only counts, and the day's last part, when the count is not 0, walks the day once more
 * (source and destination side by side, ./extras.ts `destinationOnly`) and deletes what it finds
 * in batches of up to 1,000, each key looked up at the source once more just before its batch (a
 * source object written since the walk listed the source, and copied by push on write, is not
 * deleted). A day without extras, the common case, costs no request more with exact days on.
 *
 * The pass resumes: when the time budget runs out it sends the batch it holds (the stop margin
 * leaves time for it) and says the last destination key it is done with; the continuation walks
 * on from there, so a day with millions of extras finishes over several invocations, in bounded
 * memory (the listings are streamed, one batch of keys is held).
 */
import pLimit from 'p-limit';
import type { IsoDate } from '../../rules/dates.ts';
import { describeError } from '../../rules/errors.ts';
import { dayKeys, type KeyLayout } from '../../rules/prefix.ts';
import { dayExclusion } from '../../rules/exclude.ts';
import type { HandlerConfig } from '../config.ts';
import { deleteObjects } from '../aws/s3Delete.ts';
import { findObject, listObjects } from '../aws/s3Listing.ts';
import { dayMarkerKey, DAY_MARKER_NAME } from '../marker/dayMarker.ts';
import { keepFailures, type DaySummary, type Failure } from '../summary.ts';
import type { ObjectInfo } from './plan.ts';
import { destinationOnly, isDeletable, MAX_KEYS_PER_DELETE, NOT_DELETED_HELP, notDeletedReason, type DayScope, type NotDeletedReason, type WalkEnd } from './extras.ts';
import type { ReplicationClients } from './replicateDay.ts';

/** The settings the delete pass reads. */
export type ExtrasSettings = Pick<HandlerConfig,
  'sourceBucket' | 'sourceAccountId' | 'destinationBucket' | 'destinationAccountId' | 'exactDays' | 'exactDaysMaxDeletes' | 'copyConcurrency'> & KeyLayout
  & Partial<Pick<HandlerConfig, 'exclude'>>;

/** Options of {@link deleteExtras}. */
export interface DeletePassOptions {
  /**
   * Go on after this key, in source form (the source key the destination key maps back to): where
   * an earlier invocation's pass stopped. Default: the day's start.
   */
  readonly startAfter?: string | undefined;
  /** Extras deleted by the earlier invocations of this pass: they count towards the ceiling. Default 0. */
  readonly deletedBefore?: number;
  /** Asked before each destination object; true ends the pass (`stopped`) after the batch it holds. Default: never. */
  readonly shouldStop?: () => boolean;
  /** True for a source key that is not an object of the day: never an extra, never deleted. Default: EXCLUDE's patterns (`settings.exclude`). */
  readonly isExcluded?: (sourceKey: string) => boolean;
  /** Keys per listing page (1–1000). Default 1000. */
  readonly pageSize?: number;
  /** Keys per DeleteObjects request (1–1000). Default {@link MAX_KEYS_PER_DELETE}. */
  readonly batchSize?: number;
}

/** What {@link deleteExtras} did. */
export interface DeletePassResult {
  /** Extras deleted by this pass. */
  readonly deleted: number;
  /** Extras whose source object was there again when looked up just before the delete: kept. */
  readonly backAtSource: number;
  /** Deletes that failed (the destination key and S3's answer), the first 100; `failed` counts them all. */
  readonly failures: readonly Failure[];
  readonly failed: number;
  /** The time budget ran out: the pass is not finished. */
  readonly stopped: boolean;
  /** The last destination key the pass is done with, in source form; undefined when none. */
  readonly reached: string | undefined;
  /** The source day lists no object of the day: nothing was deleted. */
  readonly emptySource: boolean;
  /** The day has more extras than EXACT_DAYS_MAX_DELETES: the pass stopped before deleting past it (a failure of the day). */
  readonly tooMany: boolean;
}

/** The one failure of a day whose extras are more than the ceiling allows. */
export function tooManyFailure(destinationDayPrefix: string, extra: string, maxDeletes: number): Failure {
  return { key: destinationDayPrefix, error: `${extra} extras under ${JSON.stringify(destinationDayPrefix)}, more than EXACT_DAYS_MAX_DELETES (${maxDeletes}): ${NOT_DELETED_HELP.tooMany}` };
}

/**
 * True when the source day lists an object of the day (not one named like the marker, not an
 * excluded key). Asked by a pass that resumes: its own listings start past the day's first keys.
 */
async function sourceDayHasObject(source: AsyncIterable<ObjectInfo>, skip: (o: ObjectInfo) => boolean): Promise<boolean> {
  for await (const o of source) if (!skip(o)) return true;
  return false;
}

/**
 * Walks the day (after `startAfter`) for its extras and deletes them, under the ceiling (see the
 * module comment). Call it only when the rules of ./extras.ts allow deletes: it checks the source
 * day is not empty and the ceiling, nothing else. A listing that fails throws {@link AwsCallError};
 * a delete that fails is a failure of the result, and the pass goes on.
 */
export async function deleteExtras(clients: ReplicationClients, settings: ExtrasSettings, date: IsoDate, options: DeletePassOptions = {}): Promise<DeletePassResult> {
  const day = dayKeys(settings, date);
  // Excluded keys are no objects of the day on either side, as in the copy walk and the marker.
  const excludedOfDay = dayExclusion(settings.exclude ?? []);
  const isExcluded = options.isExcluded ?? ((sourceKey: string) => excludedOfDay(day.sourcePrefix, sourceKey));
  const scope: DayScope = {
    destinationDayPrefix: day.destinationPrefix,
    markerKey: dayMarkerKey(settings, date),
    sourceKeyOf: day.toSource,
    isExcluded,
  };
  const page = options.pageSize ? { pageSize: options.pageSize } : {};
  // A resume point outside the day (only a caller's mistake: work items are checked) starts at the day's start.
  const startAfter = options.startAfter?.startsWith(day.sourcePrefix) ? options.startAfter : undefined;
  const listSource = (after: string | undefined): AsyncGenerator<ObjectInfo> =>
    listObjects(clients.sourceS3, settings.sourceBucket, day.sourcePrefix, { expectedBucketOwner: settings.sourceAccountId, startAfter: after, ...page });
  const markerSourceKey = day.sourcePrefix + DAY_MARKER_NAME;
  const skipSource = (s: ObjectInfo): boolean => s.key === markerSourceKey || isExcluded(s.key);
  const batchSize = Math.min(MAX_KEYS_PER_DELETE, Math.max(1, options.batchSize ?? MAX_KEYS_PER_DELETE));
  const deletedBefore = options.deletedBefore ?? 0;
  const none = { deleted: 0, backAtSource: 0, failures: [], failed: 0, stopped: false, reached: startAfter, tooMany: false };

  // Resumed past the day's first keys, the walk's own source listing cannot tell an empty day.
  if (startAfter !== undefined && !(await sourceDayHasObject(listSource(undefined), skipSource))) return { ...none, emptySource: true };

  let deleted = 0;
  let backAtSource = 0;
  let failed = 0;
  let tooMany = false;
  const failures: Failure[] = [];
  let batch: string[] = [];
  const fail = (key: string, error: string): void => {
    failed++;
    keepFailures(failures, [{ key, error }]);
  };

  const limit = pLimit(settings.copyConcurrency);
  const flush = async (): Promise<void> => {
    const keys = batch;
    batch = [];
    // Gone from the source now? A delete event followed by a re-create, or an object that arrived
    // after the walk listed the source and was copied by push on write, must not be deleted.
    const gone = await Promise.all(keys.map((key) => limit(async () => {
      const sourceKey = scope.sourceKeyOf(key)!;
      try {
        if (await findObject(clients.sourceS3, settings.sourceBucket, sourceKey, settings.sourceAccountId)) {
          backAtSource++;
          return undefined;
        }
        return key;
      } catch (err) {
        fail(key, `not deleted: its source ${JSON.stringify(sourceKey)} could not be looked up: ${describeError(err)}`);
        return undefined;
      }
    })));
    const toDelete = gone.filter((k): k is string => k !== undefined);
    if (deletedBefore + deleted + toDelete.length > settings.exactDaysMaxDeletes) {
      tooMany = true;
      fail(day.destinationPrefix, tooManyFailure(day.destinationPrefix, `at least ${deletedBefore + deleted + toDelete.length}`, settings.exactDaysMaxDeletes).error);
      return;
    }
    try {
      const refused = await deleteObjects(clients.destinationS3, settings.destinationBucket, settings.destinationAccountId, toDelete);
      deleted += toDelete.length - refused.length;
      for (const r of refused) fail(r.key, r.error);
    } catch (err) {
      for (const key of toDelete) fail(key, describeError(err));
    }
  };

  const source = listSource(startAfter);
  const destination = listObjects(clients.destinationS3, settings.destinationBucket, day.destinationPrefix, {
    expectedBucketOwner: settings.destinationAccountId,
    startAfter: startAfter === undefined ? undefined : day.toDestination(startAfter),
    ...page,
  });
  let sourceObjects = 0;
  let emptySource = false;
  const end: WalkEnd = { stopped: false };
  for await (const d of destinationOnly(source, destination, day.toDestination, end, {
    ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
    skipSource,
    onSource: () => sourceObjects++,
  })) {
    if (!isDeletable(d.key, scope)) continue;
    // The walk reads the source's first object before it yields any extra: an empty day is known here.
    if (startAfter === undefined && sourceObjects === 0) {
      emptySource = true;
      break;
    }
    batch.push(d.key);
    if (batch.length >= batchSize) {
      await flush();
      if (tooMany) break;
    }
  }
  // Sent also when the budget stopped the walk: the continuation goes on after `reached`.
  if (!emptySource && !tooMany && batch.length > 0) await flush();
  const reached = end.lastKey === undefined ? startAfter : day.toSource(end.lastKey);
  return { deleted, backAtSource, failures, failed, stopped: end.stopped && !tooMany && !emptySource, reached, emptySource, tooMany };
}

/** Where a day's delete pass goes on, when the time budget cut it. */
export interface DeletePassState {
  /** The last destination key done with, in source form; undefined: from the day's start. */
  readonly after: string | undefined;
  /** The day's extras, as its copy walk counted them. */
  readonly extra: number;
  /** Extras deleted so far, by every invocation of the pass. */
  readonly deleted: number;
  /** True when this invocation's pass got further than where it began. */
  readonly advanced: boolean;
}

/** Options of {@link settleDayExtras}. */
export interface SettleOptions {
  readonly dryRun: boolean;
  /** Copies of the day that failed, in this part and every earlier one. */
  readonly failedSoFar: number;
  /** The day's extras, counted by its copy walk over every part. */
  readonly extra: number;
  /** The first of them (this part's). */
  readonly extraKeys: readonly string[];
  /** True when the source day listed at least one object of the day (in this part or an earlier one). */
  readonly sourceListed: boolean;
  /** The delete pass to go on with (a continuation of a pass the budget cut): the rules were settled when it began. */
  readonly resume?: Omit<DeletePassState, 'advanced'>;
  readonly shouldStop?: () => boolean;
  readonly isExcluded?: (sourceKey: string) => boolean;
  /** Passed to {@link deleteExtras}. */
  readonly pageSize?: number;
  readonly batchSize?: number;
}

/** What {@link settleDayExtras} did to a day. */
export interface DayExtras {
  readonly summary: DaySummary;
  /** Deletes that failed, the ceiling, or the pass's listing: failures of the day. */
  readonly failures: readonly Failure[];
  /**
   * With EXACT_DAYS, where the delete pass got, when one ran: a day handed on after it (the budget
   * cut the pass, or the marker's walk after it) goes on from here, not from the day's start.
   */
  readonly pass?: DeletePassState;
  /** The time budget cut the delete pass: the day is not complete. */
  readonly stopped: boolean;
}

/**
 * For a part of a day whose copy walk reached the day's end (or a continuation of its delete
 * pass): records `extra` (the day's), `deleted` (by this invocation; a dry run: what a run would
 * delete), the first extras' keys and why they were kept, and with EXACT_DAYS, when the rules
 * allow it, deletes them. A delete that fails, a day over the ceiling, and a pass whose listing
 * fails count in the day's `failed`, like failed copies: the invocation fails, the alarm sees it,
 * and the day gets no marker.
 */
export async function settleDayExtras(clients: ReplicationClients, settings: ExtrasSettings, summary: DaySummary, options: SettleOptions): Promise<DayExtras> {
  const date = summary.date as IsoDate;
  const destinationDayPrefix = dayKeys(settings, date).destinationPrefix;
  const extra = options.resume?.extra ?? options.extra;
  const recorded = (deleted: number, reason: NotDeletedReason | undefined, more: Partial<DaySummary> = {}): DaySummary => ({
    ...summary,
    extra,
    deleted,
    ...(options.extraKeys.length > 0 ? { extraKeys: options.extraKeys } : {}),
    ...(reason === undefined ? {} : { notDeleted: reason }),
    ...(settings.exactDays ? { exactDays: true as const } : {}),
    ...more,
  });
  if (options.resume === undefined) {
    if (extra === 0) return { summary: recorded(0, undefined), failures: [], stopped: false };
    const reason = notDeletedReason(
      { exactDays: settings.exactDays, dryRun: options.dryRun, failedSoFar: options.failedSoFar, maxDeletes: settings.exactDaysMaxDeletes },
      options.sourceListed ? 1 : 0,
      extra,
    );
    if (reason === 'dryRun') return { summary: recorded(extra, reason), failures: [], stopped: false };
    if (reason === 'tooMany' && !options.dryRun) {
      return { summary: recorded(0, reason, { failed: summary.failed + 1 }), failures: [tooManyFailure(destinationDayPrefix, String(extra), settings.exactDaysMaxDeletes)], stopped: false };
    }
    if (reason !== undefined) return { summary: recorded(0, reason), failures: [], stopped: false };
  }
  const deletedBefore = options.resume?.deleted ?? 0;
  try {
    const r = await deleteExtras(clients, settings, date, {
      startAfter: options.resume?.after,
      deletedBefore,
      ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
      ...(options.isExcluded ? { isExcluded: options.isExcluded } : {}),
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
      ...(options.batchSize ? { batchSize: options.batchSize } : {}),
    });
    const reason = r.emptySource ? 'emptySourceDay' as const : r.tooMany ? 'tooMany' as const : undefined;
    return {
      summary: recorded(r.deleted, reason, { failed: summary.failed + r.failed, ...(r.backAtSource > 0 ? { backAtSource: r.backAtSource } : {}) }),
      failures: r.failures,
      ...(reason === undefined ? { pass: { after: r.reached, extra, deleted: deletedBefore + r.deleted, advanced: r.reached !== options.resume?.after } } : {}),
      stopped: r.stopped,
    };
  } catch (err) {
    return {
      summary: recorded(0, undefined, { failed: summary.failed + 1 }),
      failures: [{ key: destinationDayPrefix, error: `the walk of the day's extras, to delete them, failed: ${describeError(err)}` }],
      stopped: false,
    };
  }
}
