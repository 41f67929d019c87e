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
import type { HttpRequest, HttpResponse } from '@smithy/types';

/** A count of throttling answers that only grows; shared by the clients that write the copies. */
export interface ThrottleCounter {
  count: number;
}

/** Whether an HTTP status asks the caller to send fewer requests. */
export function isThrottleStatus(status: number | undefined): boolean {
  return status === 503 || status === 429;
}

interface CountedHandler {
  handle(request: HttpRequest, options?: unknown): Promise<{ response: HttpResponse }>;
  s3pushThrottles?: ThrottleCounter;
}

/**
 * Adds one to `counter` for every answer with a throttling status that `client`'s HTTP handler
 * receives: every attempt of every client that shares the handler (the SDK's retries of each
 * request, the copy fallback's) and the lean copy path's (./fastCopy.ts), which sends through the
 * same handler. The handler is wrapped once, however many clients share it.
 */
export function installThrottleCounter(client: { config: { requestHandler: unknown } }, counter: ThrottleCounter): void {
  const handler = client.config.requestHandler as CountedHandler;
  if (handler.s3pushThrottles) return;
  const handle = handler.handle.bind(handler);
  handler.handle = async (request, options) => {
    const out = await handle(request, options);
    if (isThrottleStatus(out.response.statusCode)) counter.count++;
    return out;
  };
  handler.s3pushThrottles = counter;
}
