/**
 * Replicates one day: lists the source prefix (the function's own credentials) and the
 * destination prefix (the destination role), walks both listings together in key order, and
 * copies what is missing or changed, up to `copyConcurrency` objects at once.
 *
 * It can resume and stop: `startAfter` skips every key up to and including it, and `shouldStop`
 * is asked before each new object and before each destination-only key the walk passes over;
 * once it says stop, no new object is started, the copies in flight finish, and the result's
 * `lastKey` says how far the day is done. A continuation (the SQS fan-out) passes that `lastKey`
 * back as `startAfter`.
 *
 * Memory is bounded whatever the size of the day: the listings are streamed, at most
 * `maxPendingKeys` keys wait behind an unfinished copy, and at most {@link MAX_FAILURES_PER_DAY}
 * failures are kept (the count has them all).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { IsoDate } from '../rules/dates.ts';
import type { HandlerConfig } from './config.ts';
import { describeError } from '../rules/errors.ts';
import { joinListings, type ObjectInfo } from './plan.ts';
import { destinationKey, renderPrefix } from '../rules/prefix.ts';
import { copyObject, multipartCopy } from './aws/s3Copy.ts';
import { listObjects } from './aws/s3Listing.ts';
import { keepFailures, MAX_LISTED_FAILURES, type DaySummary, type Failure } from './summary.ts';

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
import { dayMarkerKey } from './dayMarker.ts';

/** The S3 clients of a run. */
export interface ReplicationClients {
  /** The function's own credentials (source account): lists the source bucket. */
  readonly sourceS3: S3Client;
  /** The assumed destination role: lists the destination, reads the source objects, writes the copies. */
  readonly destinationS3: S3Client;
}

/** The settings one day needs: the part of the handler config it reads. */
export type DaySettings = Pick<HandlerConfig,
  'sourceBucket' | 'destinationBucket' | 'prefixFormat' | 'destinationPrefix' | 'kmsKeyArn' | 'copyConcurrency' | 'multipartThresholdBytes' | 'partSizeBytes'>;

/** Options of {@link replicateDay}. */
export interface ReplicateDayOptions {
  readonly date: IsoDate;
  /** Plan and count, copy nothing. Default false. */
  readonly dryRun?: boolean;
  /** Begin after this source key (exclusive). Default: the start of the day's prefix. */
  readonly startAfter?: string | undefined;
  /** Asked before each new object; true stops the day cleanly. Default: never stop. */
  readonly shouldStop?: () => boolean;
  /** Parts copied at once within one multipart copy. Default 8. */
  readonly partConcurrency?: number;
  /** Keys per listing page (1–1000). Default 1000. */
  readonly pageSize?: number;
  /**
   * At most this many keys, from the oldest one not yet handled, are held: the walk waits for that
   * copy before it takes another key. Default {@link DEFAULT_MAX_PENDING_KEYS}.
   */
  readonly maxPendingKeys?: number;
}

/** What happened to one day. */
export interface DayResult {
  readonly summary: DaySummary;
  readonly failures: readonly Failure[];
  /**
   * The last source key such that it and every key before it (after `startAfter`) were handled:
   * copied, skipped as equal, or failed (failures are in `failures`). Copies finish out of
   * order, so this is the end of the finished run of keys, not the last key to finish.
   * `startAfter` when nothing was handled; undefined when that too is undefined.
   */
  readonly lastKey: string | undefined;
  /** True when every object of the day after `startAfter` was handled (the listing ran to its end). */
  readonly complete: boolean;
}

/** The day-complete marker is never a destination object of the day: a source key of that name is compared with nothing. */
async function* withoutKey(objects: AsyncGenerator<ObjectInfo>, key: string): AsyncGenerator<ObjectInfo> {
  for await (const o of objects) if (o.key !== key) yield o;
}

/**
 * Copies one source object, as listed, to its destination key with the rules of every copy: one
 * CopyObject up to `multipartThresholdBytes`, a multipart copy above it, SSE-KMS with `kmsKeyArn`,
 * signed by `s3` (the destination role). Returns the bytes copied; throws CopyError. The
 * daily run and the push-on-write path both copy through here.
 */
export async function copyListedObject(s3: S3Client, settings: DaySettings, src: ObjectInfo, options: { readonly partConcurrency?: number } = {}): Promise<number> {
  const req = {
    sourceBucket: settings.sourceBucket,
    sourceKey: src.key,
    destinationBucket: settings.destinationBucket,
    destinationKey: destinationKey(settings.destinationPrefix, src.key),
    kmsKeyArn: settings.kmsKeyArn,
  };
  if (src.size > settings.multipartThresholdBytes) {
    const r = await multipartCopy(s3, req, { partSizeBytes: settings.partSizeBytes, ...(options.partConcurrency ? { partConcurrency: options.partConcurrency } : {}) });
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
  const prefix = renderPrefix(settings.prefixFormat, options.date);
  const dryRun = options.dryRun ?? false;
  const askBudget = options.shouldStop ?? (() => false);
  const maxPendingKeys = Math.max(1, options.maxPendingKeys ?? DEFAULT_MAX_PENDING_KEYS);
  // Once the budget says stop it stays stopped, wherever it was asked (the walk or the copies).
  let stopped = false;
  const shouldStop = (): boolean => (stopped ||= askBudget());
  const list = (s3: S3Client, bucket: string, p: string, startAfter: string | undefined): AsyncGenerator<ObjectInfo> =>
    listObjects(s3, bucket, p, { startAfter, ...(options.pageSize ? { pageSize: options.pageSize } : {}) });

  const source = list(clients.sourceS3, settings.sourceBucket, prefix, options.startAfter);
  const destination = withoutKey(list(
    clients.destinationS3,
    settings.destinationBucket,
    destinationKey(settings.destinationPrefix, prefix),
    options.startAfter === undefined ? undefined : destinationKey(settings.destinationPrefix, options.startAfter),
  ), dayMarkerKey(settings.destinationPrefix, prefix));

  let listed = 0;
  let copied = 0;
  let skipped = 0;
  let failed = 0;
  let bytesCopied = 0;
  // Dry runs only: what would be copied, split by why.
  let missing = 0;
  let differ = 0;
  const failures: Failure[] = [];

  // Keys in listing order with their state; `lastKey` advances over the finished head.
  const order: { key: string; done: boolean }[] = [];
  let head = 0;
  let lastKey = options.startAfter;
  const finish = (entry: { key: string; done: boolean }): void => {
    entry.done = true;
    while (head < order.length && order[head]!.done) lastKey = order[head++]!.key;
    if (head > 1024 && head * 2 > order.length) {
      order.splice(0, head);
      head = 0;
    }
  };

  const inFlight = new Set<Promise<void>>();
  const copyOne = async (src: ObjectInfo, entry: { key: string; done: boolean }): Promise<void> => {
    try {
      // Read the counter after the await: `x += await …` would add to the value from before it.
      const bytes = await copyListedObject(clients.destinationS3, settings, src, options.partConcurrency ? { partConcurrency: options.partConcurrency } : {});
      bytesCopied += bytes;
      copied++;
    } catch (err) {
      failed++;
      keepFailures(failures, [{ key: src.key, error: describeError(err) }]);
    } finally {
      finish(entry);
    }
  };

  try {
    for await (const item of joinListings(source, destination, settings.destinationPrefix, { shouldStop })) {
      const needsCopy = item.decision !== 'equal' && !dryRun;
      if (needsCopy) while (inFlight.size >= settings.copyConcurrency) await Promise.race(inFlight);
      // The oldest unfinished key is a copy in flight, so inFlight is not empty while this waits.
      while (order.length - head >= maxPendingKeys && inFlight.size > 0) await Promise.race(inFlight);
      if (shouldStop()) break;
      listed++;
      const entry = { key: item.source.key, done: false };
      order.push(entry);
      if (item.decision === 'equal') {
        skipped++;
        finish(entry);
      } else if (dryRun) {
        copied++;
        if (item.decision === 'missing') missing++;
        else differ++;
        bytesCopied += item.source.size;
        finish(entry);
      } else {
        const p: Promise<void> = copyOne(item.source, entry).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    }
  } finally {
    // Whatever ended the walk (done, stop, or a listing error), let the copies in flight finish.
    await Promise.all(inFlight);
  }

  return {
    summary: { date: options.date, prefix, listed, copied, skipped, failed, bytesCopied, ...(dryRun ? { missing, differ } : {}) },
    failures,
    lastKey,
    complete: !stopped,
  };
}
