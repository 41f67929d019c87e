/**
 * Replicates one day: lists the source prefix (the function's own credentials) and the
 * destination prefix (the destination role), walks both listings together in key order, and
 * copies what is missing or changed, up to `copyConcurrency` objects at once.
 *
 * It can resume and stop: `startAfter` skips every key up to and including it, and `shouldStop`
 * is asked before each new object, before each destination-only key the walk passes over, and
 * before each part of a multipart copy; once it says stop, no new object is started, the copies in
 * flight finish (a multipart copy between two parts stops and aborts its upload, and its object
 * counts as not finished), and the result's `lastKey` says how far the day is done. A continuation
 * (the SQS fan-out) passes that `lastKey` back as `startAfter`.
 *
 * Memory is bounded whatever the size of the day: the listings are streamed, at most
 * `maxPendingKeys` keys wait behind an unfinished copy, and at most {@link MAX_FAILURES_PER_DAY}
 * failures (and as many archived objects) are kept (the counts have them all).
 *
 * Archived source objects are not copied and not failures: they are counted as `archived` and
 * listed in `archived`. An object listed as GLACIER or DEEP_ARCHIVE is archived unless restored,
 * which only HeadObject's `Restore` says (a restored object still lists with its class), so it
 * gets a HeadObject first, in a dry run too; an Intelligent-Tiering object in an archive tier lists
 * as INTELLIGENT_TIERING and is known from S3's answer to the copy (InvalidObjectState, or
 * HeadObject's ArchiveStatus before a multipart copy).
 *
 * A source object whose destination key would be over S3's 1,024 bytes (the plan's `tooLong`) is
 * never sent: S3 would refuse it on every run. It is counted in `tooLong` (the first few listed in
 * `tooLongKeys`), is not a failure, and does not keep the day from completing: the day marker
 * names it in `leftOut`.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { IsoDate } from '../../rules/dates.ts';
import type { HandlerConfig } from '../config.ts';
import { describeError } from '../../rules/errors.ts';
import { ArchivedObjectError, CopyInterruptedError } from '../errors.ts';
import { connectionPlan } from './connections.ts';
import { compareKeys, decide, joinListings, mayBeArchived, type Decision, type ObjectInfo } from './plan.ts';
import { MAX_LISTED_EXTRAS } from './extras.ts';
import { dayKeys, destinationKey } from '../../rules/prefix.ts';
import { copyObject, multipartCopy, sourceArchiveState, type CopyRequest } from '../aws/s3Copy.ts';
import { listObjects } from '../aws/s3Listing.ts';
import { dayExclusion } from '../../rules/exclude.ts';
import { keepFailures, MAX_LISTED_FAILURES, MAX_LISTED_TOO_LONG, type ArchivedObject, type DaySummary, type Failure, type TooLongObject } from '../summary.ts';

/**
 * Failures kept per day with their key and error; `failed` counts them all. A day where every
 * object fails (a missing permission) would otherwise hold one error per object: 50,000 failures
 * held 71 MiB. The summary lists no more than this anyway.
 */
export const MAX_FAILURES_PER_DAY = MAX_LISTED_FAILURES;

/**
 * Default of `maxPendingKeys`: keys held in listing order from the oldest unfinished copy on. While
 * one copy is slow the others finish and the walk would go on taking keys behind it; with 1-KB
 * keys 100,000 of them held 102 MiB. 10,000 keys of at most 1,024 bytes stay under ~20 MiB.
 */
export const DEFAULT_MAX_PENDING_KEYS = 10_000;
import { dayMarkerKey, DAY_MARKER_NAME } from '../marker/dayMarker.ts';
import { writePacer } from './writePacer.ts';
import { adaptiveConcurrency, type ConcurrencyLimit, type ConcurrencyStats } from './adaptiveConcurrency.ts';

/** The S3 clients of a run. */
export interface ReplicationClients {
  /** The function's own credentials (source account): lists the source bucket. */
  readonly sourceS3: S3Client;
  /** The assumed destination role: lists the destination, reads the source objects, writes the copies. */
  readonly destinationS3: S3Client;
  /** Throttling answers the destination has given so far (handler/aws/throttleSignal.ts). Default: none counted. */
  readonly throttles?: { readonly count: number };
}

/** The settings one day needs: the part of the handler config it reads. */
export type DaySettings = Pick<HandlerConfig,
  'sourceBucket' | 'destinationBucket' | 'sourceAccountId' | 'destinationAccountId' | 'prefixFormat' | 'destinationPrefix' | 'destinationPrefixFormat' | 'destinationStorageClass' | 'kmsKeyArn' | 'copyConcurrency' | 'multipartThresholdBytes' | 'partSizeBytes'>
  & Partial<Pick<HandlerConfig, 'copyConcurrencyStart' | 'exclude' | 'sourceReadyKey'>>;

/** Options of {@link replicateDay}. */
export interface ReplicateDayOptions {
  readonly date: IsoDate;
  /** Plan and count, copy nothing. Default false. */
  readonly dryRun?: boolean;
  /** Begin after this source key (exclusive). Default: the start of the day's prefix. */
  readonly startAfter?: string | undefined;
  /** Asked before each new object; true stops the day cleanly. Default: never stop. */
  readonly shouldStop?: () => boolean;
  /** Parts copied at once within one multipart copy. Default: {@link connectionPlan}'s for the copy concurrency. */
  readonly partConcurrency?: number;
  /** Keys per listing page (1–1000). Default 1000. */
  readonly pageSize?: number;
  /**
   * At most this many keys, from the oldest one not yet handled, are held: the walk waits for that
   * copy before it takes another key. Default {@link DEFAULT_MAX_PENDING_KEYS}.
   */
  readonly maxPendingKeys?: number;
  /**
   * Called before each copy starts; a promise it returns is awaited first. Default: a
   * {@link writePacer} of S3's 3,500 writes per second per prefix (a day writes under one prefix).
   */
  readonly beforeCopy?: () => Promise<void> | undefined;
  /**
   * How many copies may be in flight, asked before each one starts and told when each finishes.
   * Default: an {@link adaptiveConcurrency} from `copyConcurrencyStart` up to `copyConcurrency`
   * that backs off on the clients' throttling answers.
   */
  readonly concurrency?: ConcurrencyLimit;
  /**
   * With SOURCE_READY_KEY: failed or archived objects of the day's earlier parts (a continuation's
   * item says how many). The ready key is copied only when the whole day has none. Default 0.
   */
  readonly earlierProblems?: number;
}

/** What happened to one day. */
export interface DayResult {
  readonly summary: DaySummary;
  readonly failures: readonly Failure[];
  /** The archived objects left out, the first {@link MAX_LISTED_FAILURES} (`summary.archived` counts them all). */
  readonly archived: readonly ArchivedObject[];
  /** Multipart copies stopped between parts by `shouldStop` (aborted, not finished). */
  readonly interrupted: readonly string[];
  /**
   * The last source key such that it and every key before it (after `startAfter`) were handled:
   * copied, skipped as equal, or failed (failures are in `failures`). Copies finish out of
   * order, so this is the end of the finished run of keys, not the last key to finish.
   * `startAfter` when nothing was handled; undefined when that too is undefined.
   */
  readonly lastKey: string | undefined;
  /**
   * True when every object of the day after `startAfter` was handled (the listing ran to its end),
   * and the destination listing too (its objects past the source's last key are extras).
   */
  readonly complete: boolean;
  /**
   * Destination-only objects of the day (extras) between `startAfter`'s destination key and
   * `lastKey`'s, and, when `complete`, after it to the day's end: the marker and excluded keys
   * are never among them. Earlier parts' extras are not counted here (work items carry them).
   */
  readonly extra: number;
  /** The first {@link MAX_LISTED_EXTRAS} of them, by destination key. */
  readonly extraKeys: readonly string[];
  /** How the copies in flight moved: start, peak, lowest, end, and the back-offs on throttling. */
  readonly concurrency: ConcurrencyStats;
}

/**
 * The day-complete marker is never an object of the day: at the destination it is compared with
 * nothing, and a source key of its name (`<day prefix>_S3PUSH_COMPLETE.json`) is never copied, or
 * a producer could write the partner's marker. `passed` counts what was left out.
 */
async function* withoutKey(objects: AsyncGenerator<ObjectInfo>, key: string, passed: { count: number } = { count: 0 }): AsyncGenerator<ObjectInfo> {
  for await (const o of objects) {
    if (o.key === key) passed.count++;
    else yield o;
  }
}

/**
 * An excluded key (EXCLUDE) is not an object of the day on either side: a source one is never
 * copied or compared, a destination one never counted as the destination's own. `passed` counts
 * what was left out.
 */
async function* withoutExcluded(objects: AsyncGenerator<ObjectInfo>, dayPrefix: string, isExcluded: (dayPrefix: string, key: string) => boolean, passed: { count: number } = { count: 0 }): AsyncGenerator<ObjectInfo> {
  for await (const o of objects) {
    if (isExcluded(dayPrefix, o.key)) passed.count++;
    else yield o;
  }
}

/** What became of the ready key in the part that ended the day: see `DaySummary.ready`. */
type ReadyOutcome = NonNullable<DaySummary['ready']>;

/**
 * The one object listed under `key` when it is exactly that key (one request: the key sorts first
 * among the keys it starts); undefined when there is none.
 */
async function findListed(s3: S3Client, bucket: string, owner: string, key: string): Promise<ObjectInfo | undefined> {
  for await (const o of listObjects(s3, bucket, key, { expectedBucketOwner: owner, pageSize: 1 })) return o.key === key ? o : undefined;
  return undefined;
}

/** A day whose ready key is not in the source yet: nothing listed or copied, complete (nothing to hand on), waiting. */
function waitingDay(date: IsoDate, prefix: string, concurrency: ConcurrencyStats): DayResult {
  return {
    summary: { date, prefix, listed: 0, copied: 0, skipped: 0, failed: 0, archived: 0, bytesCopied: 0, waiting: true },
    failures: [],
    archived: [],
    interrupted: [],
    lastKey: undefined,
    complete: true,
    // Not listed: a waiting day's extras are not counted (its source is not the day yet).
    extra: 0,
    extraKeys: [],
    concurrency,
  };
}

/** A source key the walk took, in listing order; `extrasBefore`: the extras passed over just before it. */
interface Entry {
  readonly key: string;
  done: boolean;
  readonly extrasBefore: number;
}

/** Options of {@link copyListedObject}. */
export interface CopyListedOptions {
  readonly partConcurrency?: number;
  readonly shouldStop?: () => boolean;
}

/**
 * Copies one source object, as listed, to its destination key with the rules of every copy: one
 * CopyObject up to `multipartThresholdBytes`, a multipart copy above it, SSE-KMS with `kmsKeyArn`,
 * signed by `s3` (the destination role). Returns the bytes copied; throws CopyError. The
 * daily run and the push-on-write path both copy through here.
 */
export async function copyListedObject(s3: S3Client, settings: DaySettings, src: ObjectInfo, options: CopyListedOptions = {}): Promise<number> {
  const req = {
    sourceBucket: settings.sourceBucket,
    sourceKey: src.key,
    sourceOwner: settings.sourceAccountId,
    destinationBucket: settings.destinationBucket,
    destinationKey: destinationKey(settings, src.key),
    destinationOwner: settings.destinationAccountId,
    kmsKeyArn: settings.kmsKeyArn,
    storageClass: settings.destinationStorageClass,
  };
  try {
    return await copyOnce(s3, settings, src, req, options);
  } catch (err) {
    // ObjectNotInActiveTierError names no storage class: the listed one says more than 'archived'.
    if (err instanceof ArchivedObjectError && err.storageClass === 'archived' && src.storageClass !== undefined) {
      throw new ArchivedObjectError(src.key, src.storageClass, err.message, err.cause);
    }
    throw err;
  }
}

async function copyOnce(s3: S3Client, settings: DaySettings, src: ObjectInfo, req: CopyRequest, options: CopyListedOptions): Promise<number> {
  if (src.size > settings.multipartThresholdBytes) {
    const r = await multipartCopy(s3, req, {
      partSizeBytes: settings.partSizeBytes,
      // Push on write copies through here too: its parts fit the sockets as the day's do.
      partConcurrency: options.partConcurrency ?? connectionPlan(settings.copyConcurrency).partConcurrency,
      ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
    });
    return r.bytes;
  }
  await copyObject(s3, req);
  return src.size;
}

/**
 * Replicates one day. Copy failures are collected (one failing object does not stop the others);
 * a listing failure throws {@link AwsCallError} after the copies in flight settle.
 */
export async function replicateDay(clients: ReplicationClients, settings: DaySettings, options: ReplicateDayOptions): Promise<DayResult> {
  const keys = dayKeys(settings, options.date);
  const prefix = keys.sourcePrefix;
  const dryRun = options.dryRun ?? false;
  const askBudget = options.shouldStop ?? (() => false);
  const maxPendingKeys = Math.max(1, options.maxPendingKeys ?? DEFAULT_MAX_PENDING_KEYS);
  const beforeCopy = options.beforeCopy ?? writePacer();
  const throttles = clients.throttles;
  const concurrency = options.concurrency ?? adaptiveConcurrency({
    cap: settings.copyConcurrency,
    start: settings.copyConcurrencyStart,
    ...(throttles === undefined ? {} : { throttles: () => throttles.count }),
  });
  // Once the budget says stop it stays stopped, wherever it was asked (the walk or the copies).
  let stopped = false;
  const shouldStop = (): boolean => (stopped ||= askBudget());
  const list = (s3: S3Client, bucket: string, owner: string, p: string, startAfter: string | undefined): AsyncGenerator<ObjectInfo> =>
    // The budget is asked before every page too: pages of nothing (a hostile endpoint, or the
    // partner's own objects) would otherwise be listed without the walk ever asking.
    listObjects(s3, bucket, p, { expectedBucketOwner: owner, startAfter, shouldStop, ...(options.pageSize ? { pageSize: options.pageSize } : {}) });

  // Upstream's ready key: the day waits until the source has it, and it is copied last (below).
  const readyKey = settings.sourceReadyKey === undefined ? undefined : prefix + settings.sourceReadyKey;
  if (readyKey !== undefined && options.startAfter === undefined && !(await findListed(clients.sourceS3, settings.sourceBucket, settings.sourceAccountId, readyKey))) {
    return waitingDay(options.date, prefix, concurrency.stats());
  }

  const markerNamed = { count: 0 };
  const excluded = { count: 0 };
  const isExcluded = dayExclusion(settings.exclude ?? []);
  const sourceListing = withoutExcluded(withoutKey(list(clients.sourceS3, settings.sourceBucket, settings.sourceAccountId, prefix, options.startAfter), prefix + DAY_MARKER_NAME, markerNamed), prefix, isExcluded, excluded);
  const source = readyKey === undefined ? sourceListing : withoutKey(sourceListing, readyKey);
  const destination = withoutExcluded(withoutKey(list(
    clients.destinationS3,
    settings.destinationBucket,
    settings.destinationAccountId,
    keys.destinationPrefix,
    // A source key maps to its destination key; one outside the day's prefix (a work item's keys
    // are checked, a caller's need not be) lists the destination from the start: the join passes
    // over what it does not need, so that is always correct.
    options.startAfter?.startsWith(keys.sourcePrefix) ? keys.toDestination(options.startAfter) : undefined,
  ), dayMarkerKey(settings, options.date)), keys.destinationPrefix, isExcluded);
  const destinationWalk = readyKey === undefined ? destination : withoutKey(destination, keys.toDestination(readyKey));

  let listed = 0;
  let copied = 0;
  let skipped = 0;
  let failed = 0;
  let bytesCopied = 0;
  // Dry runs only: what would be copied, split by why.
  let missing = 0;
  let differ = 0;
  const failures: Failure[] = [];
  const archived: ArchivedObject[] = [];
  let archivedCount = 0;
  // Like the failures: all counted, the first MAX_LISTED_FAILURES kept (a day may be all archived).
  const keepArchived = (a: ArchivedObject): void => {
    archivedCount++;
    if (archived.length < MAX_LISTED_FAILURES) archived.push(a);
  };
  const interrupted: string[] = [];
  // Objects whose destination key S3 cannot hold: all counted, the first MAX_LISTED_TOO_LONG kept.
  let tooLong = 0;
  const tooLongKeys: TooLongObject[] = [];
  const partConcurrency = options.partConcurrency ?? connectionPlan(settings.copyConcurrency).partConcurrency;

  // The day's extras (destination-only objects), counted by the walk itself. Those it passes over
  // before a source key are that key's `extrasBefore`, and count once the key is handled, as
  // `lastKey` passes it: a part counts exactly the extras before its lastKey's counterpart, the
  // rest of the day (whose destination listing starts there) the others, none twice. Those after
  // the source's last key count when the walk completes.
  let extrasPending = 0;
  let extraCounted = 0;
  const extraSeen: string[] = [];
  const onDestinationOnly = (o: ObjectInfo): void => {
    extrasPending++;
    if (extraSeen.length < MAX_LISTED_EXTRAS) extraSeen.push(o.key);
  };

  // Keys in listing order with their state; `lastKey` advances over the finished head.
  const order: Entry[] = [];
  let head = 0;
  let lastKey = options.startAfter;
  const finish = (entry: Entry): void => {
    entry.done = true;
    while (head < order.length && order[head]!.done) {
      const e = order[head++]!;
      lastKey = e.key;
      extraCounted += e.extrasBefore;
    }
    if (head > 1024 && head * 2 > order.length) {
      order.splice(0, head);
      head = 0;
    }
  };

  const inFlight = new Set<Promise<void>>();
  // The walk is the only one that waits for a copy to finish. One resolver, woken by whichever copy
  // finishes first, costs the same at any concurrency; Promise.race over the copies in flight
  // added a reaction to each of them on every wait: its cost grew with COPY_CONCURRENCY.
  let wake: (() => void) | undefined;
  const aCopyFinishes = (): Promise<void> => new Promise<void>((resolve) => (wake = resolve));
  // What a dry run counts for an object it would copy.
  const wouldCopy = (src: ObjectInfo, decision: Decision, entry: Entry): void => {
    copied++;
    if (decision === 'missing') missing++;
    else differ++;
    bytesCopied += src.size;
    finish(entry);
  };
  const copyOne = async (src: ObjectInfo, decision: Decision, entry: Entry): Promise<void> => {
    try {
      // Listed as GLACIER or DEEP_ARCHIVE: archived unless restored, which only HeadObject says.
      const state = mayBeArchived(src) ? await sourceArchiveState(clients.destinationS3, settings.sourceBucket, src.key, settings.sourceAccountId) : undefined;
      if (state !== undefined) {
        keepArchived({ key: src.key, storageClass: state });
        finish(entry);
        return;
      }
      if (dryRun) {
        wouldCopy(src, decision, entry);
        return;
      }
      // Read the counter after the await: `x += await …` would add to the value from before it.
      const bytes = await copyListedObject(clients.destinationS3, settings, src, { partConcurrency, shouldStop });
      bytesCopied += bytes;
      copied++;
      finish(entry);
    } catch (err) {
      if (err instanceof CopyInterruptedError) {
        // Not finished: `lastKey` stays before it, so the continuation copies it again.
        interrupted.push(src.key);
        return;
      }
      if (err instanceof ArchivedObjectError) keepArchived({ key: src.key, storageClass: err.storageClass });
      else {
        failed++;
        keepFailures(failures, [{ key: src.key, error: describeError(err) }]);
      }
      finish(entry);
    }
  };

  try {
    for await (const item of joinListings(source, destinationWalk, keys.toDestination, { shouldStop, onDestinationOnly })) {
      // A request to send: a copy, or (also in a dry run) HeadObject of an object that may be archived.
      const needsRequest = item.decision !== 'equal' && item.decision !== 'tooLong' && (!dryRun || mayBeArchived(item.source));
      if (needsRequest) while (inFlight.size >= concurrency.limit) await aCopyFinishes();
      if (needsRequest && !dryRun) {
        // Most copies may start at once: no promise to await then.
        const paced = beforeCopy();
        if (paced !== undefined) await paced;
      }
      // The oldest unfinished key is a copy in flight, so inFlight is not empty while this waits.
      while (order.length - head >= maxPendingKeys && inFlight.size > 0) await aCopyFinishes();
      if (shouldStop()) break;
      listed++;
      const entry: Entry = { key: item.source.key, done: false, extrasBefore: extrasPending };
      extrasPending = 0;
      order.push(entry);
      if (item.decision === 'equal') {
        skipped++;
        finish(entry);
      } else if (item.decision === 'tooLong') {
        // Never sent: S3 would refuse it on every run. Counted and listed, not a failure.
        tooLong++;
        if (tooLongKeys.length < MAX_LISTED_TOO_LONG) tooLongKeys.push({ key: item.source.key, destinationBytes: Buffer.byteLength(keys.toDestination(item.source.key)) });
        finish(entry);
      } else if (!needsRequest) {
        wouldCopy(item.source, item.decision, entry);
      } else {
        const p: Promise<void> = copyOne(item.source, item.decision, entry).finally(() => {
          inFlight.delete(p);
          concurrency.finished();
          const w = wake;
          wake = undefined;
          w?.();
        });
        inFlight.add(p);
      }
    }
  } finally {
    // Whatever ended the walk (done, stop, or a listing error), let the copies in flight finish.
    await Promise.all(inFlight);
  }

  // The ready key last: only once every other object of the whole day is handled, none failed or
  // archived (a consumer that waits for it must find the day whole), in the part that ends the day.
  let ready: ReadyOutcome | undefined;
  if (readyKey !== undefined && !stopped && interrupted.length === 0) {
    if (failed > 0 || archivedCount > 0 || (options.earlierProblems ?? 0) > 0) ready = 'held';
    else {
      const src = await findListed(clients.sourceS3, settings.sourceBucket, settings.sourceAccountId, readyKey);
      const dst = src && await findListed(clients.destinationS3, settings.destinationBucket, settings.destinationAccountId, keys.toDestination(readyKey));
      if (!src) ready = 'gone';
      else {
        listed++;
        const decision = decide(src, dst);
        if (decision === 'equal') {
          skipped++;
          ready = 'equal';
        } else if (dryRun) {
          copied++;
          bytesCopied += src.size;
          if (decision === 'missing') missing++;
          else differ++;
          ready = 'copied';
        } else {
          try {
            const bytes = await copyListedObject(clients.destinationS3, settings, src, { partConcurrency, shouldStop });
            bytesCopied += bytes;
            copied++;
            ready = 'copied';
          } catch (err) {
            if (err instanceof CopyInterruptedError) interrupted.push(src.key);
            else {
              failed++;
              keepFailures(failures, [{ key: src.key, error: describeError(err) }]);
              ready = 'held';
            }
          }
        }
      }
    }
  }

  // An object whose copy stopped between parts is not done, even if the listing ran to its end.
  const complete = !stopped && interrupted.length === 0;
  // Past lastKey's counterpart the extras belong to the rest of the day.
  const bound = lastKey?.startsWith(prefix) ? keys.toDestination(lastKey) : undefined;
  const extraKeys = complete ? extraSeen : extraSeen.filter((k) => bound !== undefined && compareKeys(k, bound) < 0);
  return {
    summary: {
      date: options.date, prefix, listed, copied, skipped, failed, archived: archivedCount, bytesCopied,
      ...(ready === undefined ? {} : { ready }),
      // The ready key vanished while the day was copied (upstream is rewriting it): wait again.
      ...(ready === 'gone' ? { waiting: true as const } : {}),
      ...(dryRun ? { missing, differ } : {}),
      ...(markerNamed.count > 0 ? { ignored: { markerName: markerNamed.count } } : {}),
      ...(tooLong > 0 ? { tooLong, tooLongKeys } : {}),
      // With EXCLUDE set, always said (0 included): the operator sees the patterns at work.
      ...((settings.exclude ?? []).length > 0 ? { excluded: excluded.count } : {}),
    },
    failures,
    archived,
    interrupted,
    lastKey,
    complete,
    extra: extraCounted + (complete ? extrasPending : 0),
    extraKeys,
    concurrency: concurrency.stats(),
  };
}
