/**
 * S3's key length limit: a key is at most 1,024 bytes of UTF-8
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html). A source key that fits
 * may not fit once DESTINATION_PREFIX is put before it: S3 refuses that copy on every run. Pure.
 */
import { MAX_KEY_BYTES } from './prefix.ts';

/**
 * The warning deploy prints when a destination prefix makes long keys possible: any source key of
 * more than 1,024 bytes minus the prefix cannot be copied. Undefined without a prefix.
 */
export function longKeyWarning(destinationPrefix: string, variable = 'S3_REPLICATE_DEST_PREFIX'): string | undefined {
  const bytes = Buffer.byteLength(destinationPrefix);
  if (bytes === 0) return undefined;
  return `WARNING: ${variable} is ${bytes} bytes: a source key of more than ${MAX_KEY_BYTES - bytes} bytes (UTF-8) would make a destination key over S3's ${MAX_KEY_BYTES}-byte limit; S3 refuses the copy of such an object (KeyTooLongError) on every run`;
}
