/**
 * S3's key length limit: a key is at most 1,024 bytes of UTF-8
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html); a longer one is refused
 * with `KeyTooLongError`, "Your key is too long", 400
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList). A source key
 * that fits may not fit once its day prefix is replaced by the destination's (DESTINATION_PREFIX, a
 * longer DESTINATION_PREFIX_FORMAT): S3 would refuse that copy on every run, so the plan leaves
 * such an object out (`tooLong`) instead of sending it. Pure.
 */
import { destinationDayPrefix, MAX_KEY_BYTES, renderPrefix, type KeyLayout } from './prefix.ts';
import type { IsoDate } from './dates.ts';

/** Why an object is left out of the copy when its destination key is over {@link MAX_KEY_BYTES}. */
export const TOO_LONG_REASON = 'tooLong';

/**
 * Why `destinationKey` cannot be written to S3 (its length in bytes and the limit), or undefined
 * when it fits. One UTF-16 unit is at most 3 bytes of UTF-8, so a key of up to 341 units is known
 * to fit without encoding it (the walk asks for every object of a day).
 */
export function destinationKeyProblem(destinationKey: string): string | undefined {
  if (destinationKey.length * 3 <= MAX_KEY_BYTES) return undefined;
  const bytes = Buffer.byteLength(destinationKey);
  return bytes > MAX_KEY_BYTES ? `its destination key would be ${bytes} bytes of UTF-8, over S3's limit of ${MAX_KEY_BYTES} (S3 refuses such a copy with KeyTooLongError on every run)` : undefined;
}

/** Any date: every token renders to a fixed number of digits, so the day prefixes' lengths do not depend on it. */
const SAMPLE_DAY = '2024-01-01' as IsoDate;

/**
 * The warning deploy prints when the destination layout makes keys longer than their source keys:
 * a source key of more than 1,024 bytes minus the difference cannot be copied (the plan leaves it
 * out as `tooLong`). Undefined when destination keys are no longer than their source keys.
 */
export function longKeyWarning(layout: KeyLayout): string | undefined {
  const longer = Buffer.byteLength(destinationDayPrefix(layout, SAMPLE_DAY)) - Buffer.byteLength(renderPrefix(layout.prefixFormat, SAMPLE_DAY));
  if (longer <= 0) return undefined;
  const cause = layout.destinationPrefixFormat === undefined
    ? `S3_REPLICATE_DEST_PREFIX is ${longer} bytes`
    : `S3_REPLICATE_DEST_PREFIX_FORMAT makes each destination key ${longer} bytes longer than its source key`;
  return `WARNING: ${cause}: a source key of more than ${MAX_KEY_BYTES - longer} bytes (UTF-8) would make a destination key over S3's ${MAX_KEY_BYTES}-byte limit; such objects are not copied: each run reports them as tooLong (the day's summary, the ObjectsTooLong metric, the day marker's leftOut)`;
}
