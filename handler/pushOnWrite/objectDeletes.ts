/**
 * Push on write with EXACT_DAYS: an `Object Deleted` event (EventBridge) or an `ObjectRemoved:*`
 * record (notification) deletes the object's copy, under the same rules as a day's extras
 * (handler/copy/extras.ts): the event is never trusted, the source is looked up as it is now.
 * - the source object is there (a delete followed by a re-create, events out of order): kept;
 * - the source day lists no object any more (upstream emptied the day, or is rewriting it): kept,
 *   as a scheduled run keeps the extras of an empty source day; the day's next run, once upstream
 *   has written it again, deletes what the new day lacks;
 * - the copy is not there: nothing to do;
 * - otherwise one DeleteObjects of that key, with ExpectedBucketOwner.
 */
import type { HandlerConfig } from '../config.ts';
import { describeError } from '../../rules/errors.ts';
import { dayKeys } from '../../rules/prefix.ts';
import type { IsoDate } from '../../rules/dates.ts';
import { deleteObjects } from '../aws/s3Delete.ts';
import { findObject, listObjects } from '../aws/s3Listing.ts';
import type { ReplicationClients } from '../copy/replicateDay.ts';
import { DAY_MARKER_NAME } from '../marker/dayMarker.ts';

/** What an object-deleted event did. */
export type DeleteOutcome = 'deleted' | 'keptAtSource' | 'keptEmptyDay' | 'alreadyGone' | 'failed';

/** True when the source day still lists an object (the marker's name aside). One or two listing pages of at most 2 keys. */
async function sourceDayHasObject(clients: ReplicationClients, config: HandlerConfig, sourcePrefix: string): Promise<boolean> {
  for await (const o of listObjects(clients.sourceS3, config.sourceBucket, sourcePrefix, { expectedBucketOwner: config.sourceAccountId, pageSize: 2 })) {
    if (o.key !== sourcePrefix + DAY_MARKER_NAME) return true;
  }
  return false;
}

/**
 * Deletes the copy of a source object an event says is deleted, when it is gone now (see the
 * module comment). `keys` are the spellings of the event's key that fit `date` (as for a copy).
 * Never throws: a failed request is the outcome `failed` with its error.
 */
export async function deleteIfGone(keys: readonly string[], date: string, config: HandlerConfig, clients: ReplicationClients): Promise<{ readonly outcome: DeleteOutcome; readonly error?: string }> {
  try {
    for (const key of keys) {
      if (await findObject(clients.sourceS3, config.sourceBucket, key, config.sourceAccountId)) return { outcome: 'keptAtSource' };
    }
    const day = dayKeys(config, date as IsoDate);
    if (!(await sourceDayHasObject(clients, config, day.sourcePrefix))) return { outcome: 'keptEmptyDay' };
    // The spelling whose copy exists: the event may carry the key URL-encoded.
    for (const key of keys) {
      const copy = day.toDestination(key);
      if (!(await findObject(clients.destinationS3, config.destinationBucket, copy, config.destinationAccountId))) continue;
      const refused = await deleteObjects(clients.destinationS3, config.destinationBucket, config.destinationAccountId, [copy]);
      if (refused[0]) return { outcome: 'failed', error: refused[0].error };
      return { outcome: 'deleted' };
    }
    return { outcome: 'alreadyGone' };
  } catch (err) {
    return { outcome: 'failed', error: describeError(err) };
  }
}
