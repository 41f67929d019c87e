/**
 * Local fan-out: plays the Lambda service's part on one machine. It plans a backfill into a work
 * queue (moto's or a real one) with the handler's own planner, then drains the queue with N
 * in-process workers, each a loop of ReceiveMessage → the handler's SQS path with a fake context
 * whose remaining time is the budget → DeleteMessage for the items that succeeded, and for the
 * failed ones ChangeMessageVisibility to `retryDelaySeconds` (0: at once) instead of the long
 * visibility timeout, so tests stay fast. The dead-letter queue is the queue's own redrive policy:
 * SQS (and moto, which implements it on receive) moves an item after maxReceiveCount receives.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { HandlerConfig } from '../../handler/config.ts';
import { handleEvent, stopWhenLow, type LambdaContextLike } from '../../handler/index.ts';
import type { Logger } from '../../handler/logger.ts';
import type { ReplicationClients } from '../../handler/copy/replicateDay.ts';
import type { CopyCounts } from '../../handler/summary.ts';
import type { SQSBatchResponse } from 'aws-lambda';
import type { SqsEventLike, SqsRecordLike } from '../../handler/fanOut/workItems.ts';
import { sqsWorkQueue } from '../../handler/aws/workQueue.ts';
import { errorName } from '../../rules/awsErrors.ts';

/** A work queue and where its failed items go. */
export interface QueuePair {
  readonly queueUrl: string;
  readonly queueArn: string;
  /** The dead-letter queue of the redrive policy, if the queue has one. */
  readonly deadLetterUrl: string | undefined;
}

async function attributes(sqs: SQSClient, url: string, names: string[]): Promise<Record<string, string>> {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names as never }));
  return out.Attributes ?? {};
}

/** Reads a queue's ARN and, from its redrive policy, its dead-letter queue URL. */
export async function describeQueue(sqs: SQSClient, queueUrl: string): Promise<QueuePair> {
  const attrs = await attributes(sqs, queueUrl, ['QueueArn', 'RedrivePolicy']);
  let deadLetterUrl: string | undefined;
  if (attrs.RedrivePolicy) {
    const arn = (JSON.parse(attrs.RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn ?? '';
    const [, , , , account, name] = arn.split(':');
    if (name) deadLetterUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: name, ...(account ? { QueueOwnerAWSAccountId: account } : {}) }))).QueueUrl;
  }
  return { queueUrl, queueArn: attrs.QueueArn ?? '', deadLetterUrl };
}

/** Options of {@link createTemporaryQueues}. */
export interface TemporaryQueueOptions {
  /** Queue names start with it. Default `s3-push-local`. */
  readonly namePrefix?: string;
  /** The work queue's name (its dead-letter queue adds `-dlq`). Default: {@link temporaryQueueName} of `namePrefix`. */
  readonly name?: string;
  /** Receives before an item moves to the dead-letter queue. Default 3. */
  readonly maxReceiveCount?: number;
}

/** A fresh name for a temporary work queue: the prefix, the time and a random part. */
export function temporaryQueueName(namePrefix = 's3-push-local'): string {
  return `${namePrefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Deletes the work queue `name` and its dead-letter queue `name-dlq`, those of them that exist: the
 * cleanup of a run that may have been interrupted before it created both (or any).
 */
export async function removeTemporaryQueues(sqs: SQSClient, name: string): Promise<void> {
  for (const queueName of [name, `${name}-dlq`]) {
    let url: string | undefined;
    try {
      url = (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl;
    } catch (err) {
      if (errorName(err) === 'QueueDoesNotExist' || errorName(err) === 'AWS.SimpleQueueService.NonExistentQueue') continue;
      throw err;
    }
    if (url !== undefined) await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
  }
}

/** A work queue and its dead-letter queue made for one local run; `remove()` deletes both. */
export async function createTemporaryQueues(sqs: SQSClient, options: TemporaryQueueOptions = {}): Promise<QueuePair & { readonly name: string; remove(): Promise<void> }> {
  const name = options.name ?? temporaryQueueName(options.namePrefix);
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = (await attributes(sqs, dlq.QueueUrl!, ['QueueArn'])).QueueArn!;
  const queue = await sqs.send(new CreateQueueCommand({
    QueueName: name,
    Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: options.maxReceiveCount ?? 3 }) },
  }));
  const pair = await describeQueue(sqs, queue.QueueUrl!);
  return {
    ...pair,
    name,
    async remove() {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queue.QueueUrl! }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl: dlq.QueueUrl! }));
    },
  };
}

/** Counts of a queue: visible, in flight. */
export async function queueDepth(sqs: SQSClient, url: string): Promise<{ visible: number; inFlight: number }> {
  const a = await attributes(sqs, url, ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible']);
  return { visible: Number(a.ApproximateNumberOfMessages ?? 0), inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0) };
}

/** Plays one Lambda invocation: a batch and a context in, the batch response out. Throwing fails the whole batch. */
export type InvokeBatch = (event: SqsEventLike, context: LambdaContextLike) => Promise<SQSBatchResponse>;

/** Options of {@link drainQueue}. */
export interface DrainOptions {
  readonly sqs: SQSClient;
  readonly queue: QueuePair;
  /** In-process workers, each one invocation at a time (Lambda's MaximumConcurrency). */
  readonly workers: number;
  readonly invoke: InvokeBatch;
  /** The context of each invocation. Default: one whose remaining time is `budgetMs` minus the time since it began. */
  readonly context?: () => LambdaContextLike;
  /** Time budget of one invocation, used by the default context. Default 60,000 ms. */
  readonly budgetMs?: number;
  /** Messages per invocation (the mapping's BatchSize; above 10 gathered over several receives). Default 1. */
  readonly batchSize?: number;
  /** ReceiveMessage long poll. Default 1 s (moto answers at once when there is a message). */
  readonly waitTimeSeconds?: number;
  /** How long a received item stays invisible to the other workers. Default: 6 × the budget, at least 30 s. */
  readonly visibilityTimeoutSeconds?: number;
  /** A failed item becomes visible again after this. Default 0 (at once); Lambda leaves it for the visibility timeout. */
  readonly retryDelaySeconds?: number;
  /**
   * Consecutive observations of an empty queue (nothing visible, nothing in flight, no worker busy)
   * before the drain ends. SQS's counts are approximate and lag on AWS: raise it there. Default 2.
   */
  readonly emptyChecks?: number;
  /**
   * The mapping's MaximumBatchingWindowInSeconds, in ms: after the first message of a batch, keep
   * receiving (10 per ReceiveMessage, SQS's most) until `batchSize` messages or this much time.
   * Default 0: invoke with what one ReceiveMessage returned.
   */
  readonly batchWindowMs?: number;
  /** While this says true the drain does not end, even on an empty queue (more is being written). Default: never. */
  readonly keepRunning?: () => boolean;
}

/** What a drain did. */
export interface DrainResult {
  /** Invocations (batches handed to `invoke`). */
  readonly invocations: number;
  /** Items received (deliveries, so a retried item counts each time). */
  readonly received: number;
  /** Items reported as failed (or in a batch whose invocation threw). */
  readonly failedDeliveries: number;
  readonly wallMs: number;
}

/** Drains the queue with `workers` loops until it is empty and no worker holds an item. */
export async function drainQueue(options: DrainOptions): Promise<DrainResult> {
  const { sqs, queue } = options;
  const budgetMs = options.budgetMs ?? 60_000;
  const makeContext = options.context ?? (() => {
    const start = Date.now();
    return { getRemainingTimeInMillis: () => budgetMs - (Date.now() - start) };
  });
  const visibility = options.visibilityTimeoutSeconds ?? Math.max(30, Math.ceil((6 * budgetMs) / 1000));
  const emptyChecks = options.emptyChecks ?? 2;
  const started = Date.now();
  let busy = 0;
  let empties = 0;
  let done = false;
  let invocations = 0;
  let received = 0;
  let failedDeliveries = 0;

  const toRecord = (m: Message): SqsRecordLike & Record<string, unknown> => ({
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1' },
    eventSource: 'aws:sqs',
    eventSourceARN: queue.queueArn,
  });

  const batchSize = options.batchSize ?? 1;
  const windowMs = options.batchWindowMs ?? 0;
  const receive = async (max: number, waitSeconds: number): Promise<Message[]> => {
    const out = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queue.queueUrl,
      MaxNumberOfMessages: Math.min(10, max),
      WaitTimeSeconds: waitSeconds,
      VisibilityTimeout: visibility,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    }));
    return out.Messages ?? [];
  };

  const worker = async (): Promise<void> => {
    while (!done) {
      const messages = await receive(batchSize, options.waitTimeSeconds ?? 1);
      // Lambda gathers a batch for up to the batching window once the first message is in.
      const windowEnds = Date.now() + windowMs;
      while (messages.length > 0 && messages.length < batchSize && Date.now() < windowEnds) {
        const more = await receive(batchSize - messages.length, 0);
        if (more.length > 0) messages.push(...more);
        else await new Promise((resolve) => setTimeout(resolve, Math.min(50, Math.max(0, windowEnds - Date.now()))));
      }
      if (messages.length === 0) {
        if (busy > 0 || options.keepRunning?.()) continue;
        const depth = await queueDepth(sqs, queue.queueUrl);
        if (depth.visible === 0 && depth.inFlight === 0 && busy === 0) {
          if (++empties >= emptyChecks) done = true;
        } else {
          empties = 0;
        }
        continue;
      }
      busy++;
      empties = 0;
      try {
        invocations++;
        received += messages.length;
        let failedIds: Set<string>;
        try {
          const response = await options.invoke({ Records: messages.map(toRecord) }, makeContext());
          failedIds = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        } catch {
          // A thrown invocation fails the whole batch, as on Lambda.
          failedIds = new Set(messages.map((m) => m.MessageId!));
        }
        for (const m of messages) {
          if (failedIds.has(m.MessageId!)) {
            failedDeliveries++;
            await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: options.retryDelaySeconds ?? 0 }));
          } else {
            await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
          }
        }
      } finally {
        busy--;
      }
    }
  };

  await Promise.all(Array.from({ length: options.workers }, () => worker()));
  return { invocations, received, failedDeliveries, wallMs: Date.now() - started };
}

/** Options of {@link runLocalFanOut}. */
export interface LocalFanOutOptions extends Omit<DrainOptions, 'invoke' | 'sqs' | 'queue'> {
  /** The backfill event (dates or a range); it is planned with `"fanOut": true`. */
  readonly event: Record<string, unknown>;
  readonly config: HandlerConfig;
  readonly clients: ReplicationClients;
  readonly sqs: SQSClient;
  readonly queue: QueuePair;
  /** Stop taking new objects when less than this is left of an invocation's budget. Default 0. */
  readonly stopMarginMs?: number;
  /** Receives the handler's log entries (fields as objects). Default: discard. */
  readonly logger?: Logger;
}

/** What a local fan-out did; the copy counts add up every delivery (a retried item counts each time). */
export interface LocalFanOutSummary extends CopyCounts {
  readonly days: number;
  readonly invocations: number;
  /** Deliveries of work items, retries included. */
  readonly received: number;
  /** Continuation items enqueued (a day's rest after a budget ran out). */
  readonly continuations: number;
  /** Items enqueued again unchanged because their invocation had no time left. */
  readonly requeued: number;
  /** Deliveries reported as failed (each retried until the dead-letter queue). */
  readonly failedDeliveries: number;
  /** Items added to the dead-letter queue during the run. */
  readonly deadLettered: number;
  /** Items left in the work queue (0 after a drain). */
  readonly queueLeft: number;
  readonly wallMs: number;
}

/**
 * Plans `event` into the queue and drains it with local workers running the handler's SQS path;
 * returns the counts, the dead-letter queue's depth included.
 */
export async function runLocalFanOut(options: LocalFanOutOptions): Promise<LocalFanOutSummary> {
  const { sqs, queue, config, clients } = options;
  const workQueue = sqsWorkQueue(sqs, queue.queueUrl);
  const totals = { copied: 0, skipped: 0, failed: 0, archived: 0, bytesCopied: 0, continuations: 0, requeued: 0 };
  const logger = options.logger ?? { log: () => undefined };
  const deadBefore = queue.deadLetterUrl ? await queueDepth(sqs, queue.deadLetterUrl) : { visible: 0, inFlight: 0 };
  const started = Date.now();
  const planned = await handleEvent({ ...options.event, fanOut: true }, config, clients, { workQueue, logger });
  if (planned.kind !== 'plan') throw new Error(`the handler answered a fan-out event with a ${planned.kind}, not a plan`);
  const drained = await drainQueue({
    ...options,
    invoke: async (event, context) => {
      const result = await handleEvent(event, config, clients, { workQueue, logger, shouldStop: stopWhenLow(context, options.stopMarginMs ?? 0) });
      if (result.kind !== 'batch') throw new Error(`the handler answered an SQS batch with a ${result.kind}`);
      const { summary, items } = result.batch;
      totals.copied += summary.copied;
      totals.skipped += summary.skipped;
      totals.failed += summary.failed;
      totals.archived += summary.archived;
      totals.bytesCopied += summary.bytesCopied;
      totals.continuations += items.filter((i) => i.outcome === 'continued').length;
      totals.requeued += items.filter((i) => i.outcome === 'requeued').length;
      return result.batch.response;
    },
  });
  const left = await queueDepth(sqs, queue.queueUrl);
  const dead = queue.deadLetterUrl ? await queueDepth(sqs, queue.deadLetterUrl) : { visible: 0, inFlight: 0 };
  return {
    days: planned.plan.planned.length,
    invocations: drained.invocations,
    received: drained.received,
    continuations: totals.continuations,
    requeued: totals.requeued,
    failedDeliveries: drained.failedDeliveries,
    copied: totals.copied,
    skipped: totals.skipped,
    failed: totals.failed,
    archived: totals.archived,
    bytesCopied: totals.bytesCopied,
    deadLettered: dead.visible + dead.inFlight - (deadBefore.visible + deadBefore.inFlight),
    queueLeft: left.visible + left.inFlight,
    wallMs: Date.now() - started,
  };
}
