/**
 * Replicates one day: lists the source prefix (the function's own credentials) and the
 * destination prefix (the destination role), walks both listings together in key order, and
 * copies what is missing or changed, up to `copyConcurrency` objects at once.
 *
 * It can resume and stop: `startAfter` skips every key up to and including it, and `shouldStop`
 * is asked before each new object; once it says stop, no new object is started, the copies in
 * flight finish, and the result's `lastKey` says how far the day is done. A continuation (the SQS
 * fan-out) passes that `lastKey` back as `startAfter`.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { IsoDate } from '../rules/dates.ts';
import { describeError } from './errors.ts';
import { joinListings, type ObjectInfo } from './plan.ts';
import { destinationKey, renderPrefix } from '../rules/prefix.ts';
import { copyObject, multipartCopy } from './aws/s3Copy.ts';
import { listObjects } from './aws/s3Listing.ts';
import type { DaySummary, Failure } from './summary.ts';

/** The S3 clients of a run. */
export interface ReplicationClients {
  /** The function's own credentials (source account): lists the source bucket. */
  readonly sourceS3: S3Client;
  /** The assumed destination role: lists the destination, reads the source objects, writes the copies. */
  readonly destinationS3: S3Client;
}

/** The settings one day needs (a subset of the handler config). */
export interface DaySettings {
  readonly sourceBucket: string;
  readonly destinationBucket: string;
  readonly prefixFormat: string;
  readonly destinationPrefix: string;
  readonly kmsKeyArn: string | undefined;
  readonly copyConcurrency: number;
  readonly multipartThresholdBytes: number;
  readonly partSizeBytes: number;
}

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

/**
 * Replicates one day. Copy failures are collected (one failing object does not stop the others);
 * a listing failure throws {@link AwsCallError} after the copies in flight settle.
 */
export async function replicateDay(clients: ReplicationClients, settings: DaySettings, options: ReplicateDayOptions): Promise<DayResult> {
  const prefix = renderPrefix(settings.prefixFormat, options.date);
  const dryRun = options.dryRun ?? false;
  const shouldStop = options.shouldStop ?? (() => false);
  const list = (s3: S3Client, bucket: string, p: string, startAfter: string | undefined): AsyncGenerator<ObjectInfo> =>
    listObjects(s3, bucket, p, { startAfter, ...(options.pageSize ? { pageSize: options.pageSize } : {}) });

  const source = list(clients.sourceS3, settings.sourceBucket, prefix, options.startAfter);
  const destination = list(
    clients.destinationS3,
    settings.destinationBucket,
    destinationKey(settings.destinationPrefix, prefix),
    options.startAfter === undefined ? undefined : destinationKey(settings.destinationPrefix, options.startAfter),
  );

  let listed = 0;
  let copied = 0;
  let skipped = 0;
  let failed = 0;
  let bytesCopied = 0;
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
    const req = {
      sourceBucket: settings.sourceBucket,
      sourceKey: src.key,
      destinationBucket: settings.destinationBucket,
      destinationKey: destinationKey(settings.destinationPrefix, src.key),
      kmsKeyArn: settings.kmsKeyArn,
    };
    try {
      if (src.size > settings.multipartThresholdBytes) {
        const r = await multipartCopy(clients.destinationS3, req, { partSizeBytes: settings.partSizeBytes, ...(options.partConcurrency ? { partConcurrency: options.partConcurrency } : {}) });
        bytesCopied += r.bytes;
      } else {
        await copyObject(clients.destinationS3, req);
        bytesCopied += src.size;
      }
      copied++;
    } catch (err) {
      failed++;
      failures.push({ key: src.key, error: describeError(err) });
    } finally {
      finish(entry);
    }
  };

  let complete = true;
  try {
    for await (const item of joinListings(source, destination, settings.destinationPrefix)) {
      const needsCopy = item.decision !== 'equal' && !dryRun;
      if (needsCopy) while (inFlight.size >= settings.copyConcurrency) await Promise.race(inFlight);
      if (shouldStop()) {
        complete = false;
        break;
      }
      listed++;
      const entry = { key: item.source.key, done: false };
      order.push(entry);
      if (item.decision === 'equal') {
        skipped++;
        finish(entry);
      } else if (dryRun) {
        copied++;
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
    summary: { date: options.date, prefix, listed, copied, skipped, failed, bytesCopied },
    failures,
    lastKey,
    complete,
  };
}
