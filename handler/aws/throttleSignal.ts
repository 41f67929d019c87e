/**
 * Counts S3's throttling answers, every attempt's, so that a day's copies in flight can back off
 * (handler/copy/adaptiveConcurrency.ts). The SDK retries a throttled request by itself, so the
 * error a copy ends with says nothing of the 503s its retries absorbed: the count is taken below
 * the retry loop, from each raw answer.
 *
 * S3 answers 503 SlowDown when a request rate trips its protection and "reducing your request rate
 * will decrease or eliminate errors of this type"
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ErrorBestPractices.html); while it scales
 * a prefix to a new rate it answers a temporary 503 until that completes
 * (https://repost.aws/knowledge-center/s3-object-key-naming-pattern). Every 503, and the generic
 * HTTP throttle 429, therefore counts.
 */
import type { S3Client } from '@aws-sdk/client-s3';

/** A count of throttling answers that only grows; shared by the clients that write the copies. */
export interface ThrottleCounter {
  count: number;
}

/** Whether an HTTP status asks the caller to send fewer requests. */
export function isThrottleStatus(status: number | undefined): boolean {
  return status === 503 || status === 429;
}

/**
 * Adds one to `counter` for every attempt of `client` answered with a throttling status. The
 * middleware sits in the deserialize step, under the SDK's retry loop (finalizeRequest), so it
 * sees each attempt's raw answer before the SDK turns it into an error and retries.
 */
export function installThrottleCounter(client: S3Client, counter: ThrottleCounter): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const status = (result.response as { statusCode?: number } | undefined)?.statusCode;
      if (isThrottleStatus(status)) counter.count++;
      return result;
    },
    // Low priority within the step: inside the deserializer, next to the HTTP answer.
    { step: 'deserialize', name: 's3PushThrottleCounter', priority: 'low', override: true },
  );
}
