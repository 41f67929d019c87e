/**
 * The work queue adapter: sends work items to SQS, ten per SendMessageBatch (the API's limit),
 * and retries the entries SQS reports as failed. The only handler module that imports the SQS SDK.
 */
import { SendMessageBatchCommand, SQSClient, type BatchResultErrorEntry } from '@aws-sdk/client-sqs';
import { COMMAND_TIMEOUTS, type TimeoutPlan } from '../../rules/timeouts.ts';
import { httpHandlerOptions } from './requestTimeouts.ts';
import { AwsCallError } from '../errors.ts';
import { serializeWorkItem, type WorkItem } from '../fanOut/workItems.ts';
import { guardRequests } from './endpointGuard.ts';

/** Where fan-out work goes. */
export interface WorkQueue {
  /** The queue URL (logged in summaries). */
  readonly url: string;
  /** Sends every item, or throws {@link AwsCallError} naming the items that could not be sent. */
  send(items: readonly WorkItem[]): Promise<void>;
}

/** SendMessageBatch takes at most 10 entries. */
export const SQS_BATCH_SIZE = 10;

/** Options of {@link sqsWorkQueue}. */
export interface SqsWorkQueueOptions {
  /** Attempts for an entry SQS answers as failed without the sender at fault (the first included). Default 5. */
  readonly maxAttempts?: number;
  /** Wait before the first retry of failed entries, doubled each time. Default 100 ms. */
  readonly retryDelayMs?: number;
  /** How to wait (tests pass a fake). Default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Creates the SQS client of the work queue. The SDK would send each request to the host of the
 * QueueUrl when it differs from the client's endpoint; a stack on a local emulator outputs
 * `https://sqs.<region>.amazonaws.com/…` URLs, so follow the configured endpoint (the function's
 * own region on AWS, AWS_ENDPOINT_URL locally) instead.
 */
export function createSqsClient(timeouts: TimeoutPlan = COMMAND_TIMEOUTS): SQSClient {
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false, requestHandler: httpHandlerOptions(timeouts) });
  guardRequests(sqs);
  return sqs;
}

/** A {@link WorkQueue} on an SQS standard queue. */
export function sqsWorkQueue(sqs: SQSClient, url: string, options: SqsWorkQueueOptions = {}): WorkQueue {
  const maxAttempts = options.maxAttempts ?? 5;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  const sendBatch = async (bodies: readonly string[]): Promise<void> => {
    // Entry ids are the positions in this batch, so a failed entry maps back to its body.
    let pending = bodies.map((body, i) => ({ Id: String(i), MessageBody: body }));
    let failed: BatchResultErrorEntry[] = [];
    for (let attempt = 1; pending.length > 0; attempt++) {
      let out;
      try {
        out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: pending }));
      } catch (err) {
        throw new AwsCallError(`sending ${pending.length} work item(s) to ${url} failed`, err);
      }
      failed = out.Failed ?? [];
      const permanent = failed.filter((f) => f.SenderFault);
      if (permanent.length > 0) {
        const first = permanent[0]!;
        throw new AwsCallError(`SQS refused ${permanent.length} work item(s) for ${url}: ${first.Code ?? '?'}: ${first.Message ?? ''} (item ${pending.find((p) => p.Id === first.Id)?.MessageBody ?? '?'})`);
      }
      const retry = new Set(failed.map((f) => f.Id));
      pending = pending.filter((p) => retry.has(p.Id));
      if (pending.length === 0) return;
      if (attempt >= maxAttempts) break;
      await sleep(retryDelayMs * 2 ** (attempt - 1));
    }
    const first = failed[0];
    throw new AwsCallError(`${pending.length} work item(s) could not be sent to ${url} after ${maxAttempts} attempts: ${first?.Code ?? '?'}: ${first?.Message ?? ''}; first: ${pending[0]?.MessageBody ?? '?'}`);
  };

  return {
    url,
    async send(items) {
      const bodies = items.map(serializeWorkItem);
      for (let i = 0; i < bodies.length; i += SQS_BATCH_SIZE) await sendBatch(bodies.slice(i, i + SQS_BATCH_SIZE));
    },
  };
}
