/**
 * Source objects whose destination key would be over S3's 1,024 bytes (rules/keyLength.ts): what
 * every path that meets them shares. The plan decides them (`tooLong`), the copy never sends them;
 * here, the day marker's hook that names them in `leftOut` (so that a day with such objects still
 * gets its marker), and the one WARN line per day and run that says which and what to do.
 */
import { destinationKeyProblem, TOO_LONG_REASON } from '../../rules/keyLength.ts';
import { dayKeys, MAX_KEY_BYTES, type KeyLayout } from '../../rules/prefix.ts';
import type { IsoDate } from '../../rules/dates.ts';
import { TOO_LONG_LOG_MESSAGE } from '../../rules/names.ts';
import type { Logger } from '../logger.ts';
import type { ObjectInfo } from './plan.ts';
import type { DaySummary } from '../summary.ts';

/** The day marker's `leftOut` hook for `date`: `tooLong` for a source object whose destination key S3 cannot hold. */
export function tooLongLeftOut(layout: KeyLayout, date: IsoDate): (source: ObjectInfo) => string | undefined {
  const { toDestination } = dayKeys(layout, date);
  return (source) => (destinationKeyProblem(toDestination(source.key)) === undefined ? undefined : TOO_LONG_REASON);
}

/** What an operator can do about it, logged with the keys. */
export const TOO_LONG_HELP =
  `S3 keys are at most ${MAX_KEY_BYTES} bytes of UTF-8 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html): ` +
  'these objects are not copied on any run (not retried, not failures; the day completes and its marker lists them in leftOut). ' +
  'To deliver them, shorten the destination prefix (S3_REPLICATE_DEST_PREFIX or S3_REPLICATE_DEST_PREFIX_FORMAT) and redeploy, or have the producer write shorter keys';

/**
 * Logs, as one WARN line per day and run, the source objects of `day` left out as too long for the
 * destination: how many, the first few with their destination key's length, and what to do.
 */
export function logTooLong(logger: Logger, day: Pick<DaySummary, 'date' | 'tooLong' | 'tooLongKeys'>): void {
  if (!day.tooLong) return;
  logger.log('WARN', TOO_LONG_LOG_MESSAGE, { date: day.date, tooLong: day.tooLong, tooLongKeys: day.tooLongKeys ?? [], why: TOO_LONG_HELP });
}
