/**
 * DeleteObjects at the destination (the destination role), for exact days. The only delete of
 * copied data in the handler; it imports the SDK.
 *
 * Quiet mode: S3 answers only the keys it could not delete (each with its code), so a batch of
 * 1,000 keys costs one request and a short answer. A key that does not exist counts as deleted
 * (S3 answers success for it), so a batch retried after a timeout is harmless.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
 */
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { AwsCallError } from '../errors.ts';
import { describeError } from '../../rules/errors.ts';
import { MAX_KEYS_PER_DELETE } from '../copy/extras.ts';

/** One key S3 did not delete. */
export interface DeleteFailure {
  readonly key: string;
  readonly error: string;
}

/**
 * Deletes up to {@link MAX_KEYS_PER_DELETE} keys of `bucket` in one request, naming `owner` as
 * the expected bucket owner. Returns the keys S3 refused (the others are gone); a request that
 * fails whole throws {@link AwsCallError}.
 */
export async function deleteObjects(s3: S3Client, bucket: string, owner: string, keys: readonly string[]): Promise<DeleteFailure[]> {
  if (keys.length === 0) return [];
  if (keys.length > MAX_KEYS_PER_DELETE) throw new RangeError(`DeleteObjects takes at most ${MAX_KEYS_PER_DELETE} keys, not ${keys.length}`);
  try {
    const out = await s3.send(new DeleteObjectsCommand({
      Bucket: bucket,
      ExpectedBucketOwner: owner,
      Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
    }));
    return (out.Errors ?? []).map((e) => ({ key: e.Key ?? '?', error: `DeleteObjects refused it: ${e.Code ?? 'error'}: ${e.Message ?? ''}`.trimEnd() }));
  } catch (err) {
    throw new AwsCallError(`DeleteObjects of ${keys.length} key(s) in s3://${bucket} failed: ${describeError(err)}`, err);
  }
}
