/**
 * The Lambda entry point. `handler` parses the environment and builds the clients once per
 * container (lazily, on the first event); `handleEvent` does the work with injected clients and
 * returns a typed {@link HandlerResult}, so tests and `npm run invoke -- --local` call it directly.
 */
import type { Context } from 'aws-lambda';
import { runCheck } from './check/check.ts';
import { runCopy, type RunOptions } from './copy/runCopy.ts';
import { routeEvent } from './router.ts';
import { createClients } from './aws/clients.ts';
import { parseHandlerConfig, type HandlerConfig } from './config.ts';
import { EventValidationError } from './errors.ts';
import { ConfigError, S3PushError, describeError } from '../rules/errors.ts';
import { MAX_DAYS_PER_EVENT, MAX_DAYS_PER_FAN_OUT } from './events.ts';
import { planFanOut } from './fanOut/planFanOut.ts';
import { runWorkBatch } from './fanOut/workBatch.ts';
import { createLogger, eventForLog } from './logger.ts';
import { createRunMetrics } from './metrics.ts';
import type { ReplicationClients } from './copy/replicateDay.ts';
import { lambdaResponse, type HandlerResult, type LambdaResponse } from './result.ts';
import type { WorkItem } from './fanOut/workItems.ts';
import { runObjectBatch, runObjectEvents } from './pushOnWrite/pushOnWrite.ts';
import type { WorkQueue } from './aws/workQueue.ts';

/** The part of the Lambda {@link Context} the handler uses. */
export type LambdaContextLike = Pick<Context, 'getRemainingTimeInMillis'> & Partial<Pick<Context, 'awsRequestId' | 'functionName'>>;

/**
 * Stop starting new objects when less than this is left of the invocation: the copies in
 * flight (a CopyObject of up to the multipart threshold, or the parts of a multipart copy) must
 * finish, and the summary must be logged, before Lambda stops the function.
 */
export const DEFAULT_STOP_MARGIN_MS = 60_000;

/**
 * The `shouldStop` of an invocation: true once less than `stopMarginMs` (default
 * {@link DEFAULT_STOP_MARGIN_MS}) is left. Tests and local workers pass a smaller margin and a
 * fake context rather than sleeping.
 */
export function stopWhenLow(context: LambdaContextLike, stopMarginMs = DEFAULT_STOP_MARGIN_MS): () => boolean {
  return () => context.getRemainingTimeInMillis() < stopMarginMs;
}

/** Options of {@link handleEvent}. */
export interface HandleOptions extends Omit<RunOptions, 'continueLater'> {
  /** The fan-out work queue (WORK_QUEUE_URL). Without it multi-day events run inline and SQS batches are refused. */
  readonly workQueue?: WorkQueue;
}

/**
 * Runs any event the function receives (the Lambda handler, `npm run invoke -- --local`,
 * `npm run check -- --local` and the local fan-out workers call it), as its {@link routeEvent}
 * route says:
 * - `check` → the preflight ({@link runCheck});
 * - `eventBridgeObject`, `s3Notification`, `s3TestEvent` → those objects copied
 *   ({@link runObjectEvents}); `objectBatch` (the object queue) → {@link runObjectBatch}, and any
 *   work items of the same batch → {@link runWorkBatch}, answering `batchItemFailures` for both;
 *   a day whose ready key (SOURCE_READY_KEY) an event names goes to the work queue when there is one;
 * - `workBatch` → {@link runWorkBatch}, answering `batchItemFailures`;
 * - `days`, with a work queue, of more than one day or with `"fanOut": true` → one work item per
 *   day ({@link planFanOut}), up to {@link MAX_DAYS_PER_FAN_OUT} days;
 * - otherwise (`scheduled`, or one day, or any copy without a work queue) → {@link runCopy}
 *   inline, up to {@link MAX_DAYS_PER_EVENT} days. With a work queue, an inline day that runs out
 *   of time enqueues its rest instead of failing;
 * - `invalid` → logged and thrown ({@link EventValidationError}), before any request.
 * The result's `kind` says which path ran; {@link lambdaResponse} turns it into what the Lambda returns.
 */
export async function handleEvent(event: unknown, config: HandlerConfig, clients: ReplicationClients, options: HandleOptions = {}): Promise<HandlerResult> {
  const logger = options.logger ?? createLogger([config.externalId]);
  const queue = options.workQueue;
  // What every copying path gets from the caller.
  const passOn = {
    ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  };
  const fail = (err: Error, fields: Record<string, unknown> = {}): never => {
    logger.log('ERROR', describeError(err), fields);
    throw err;
  };
  const noWorkQueue = (): never => fail(new ConfigError(['WORK_QUEUE_URL is not set: an SQS batch of work items needs the work queue to hand on the rest of a day (the stack sets it to its WorkQueueUrl output)'], 'invalid handler environment'));
  const stop = options.shouldStop ? { shouldStop: options.shouldStop } : {};
  const route = routeEvent(event, { lagDays: config.lagDays, maxDays: queue ? MAX_DAYS_PER_FAN_OUT : MAX_DAYS_PER_EVENT });
  switch (route.kind) {
    case 'invalid':
      return fail(route.error, eventForLog(event));
    case 'check':
      return { kind: 'check', report: await runCheck(config, clients, { logger, ...(route.check.date ? { day: route.check.date } : {}) }) };
    case 'eventBridgeObject':
    case 's3Notification':
    case 's3TestEvent':
      return { kind: 'objects', summary: await runObjectEvents(route.events, config, clients, { logger, ...stop, workQueue: queue }) };
    case 'workBatch':
      if (!queue) return noWorkQueue();
      return { kind: 'batch', batch: await runWorkBatch(route.records, config, clients, queue, { logger, ...passOn }) };
    case 'objectBatch': {
      // One function serves two queues: object events (push on write) and work items (fan-out).
      const objects = await runObjectBatch(route.objectRecords, config, clients, { logger, ...stop, workQueue: queue });
      if (route.workRecords.length === 0) return { kind: 'objectBatch', objects, work: undefined, response: objects.response };
      if (!queue) return noWorkQueue();
      const work = await runWorkBatch(route.workRecords, config, clients, queue, { logger, ...passOn });
      return { kind: 'objectBatch', objects, work, response: { batchItemFailures: [...objects.response.batchItemFailures, ...work.response.batchItemFailures] } };
    }
    case 'days':
      if (route.copy.fanOut || route.copy.dates.length > 1) {
        if (queue) return { kind: 'plan', plan: await planFanOut(route.copy.dates, route.copy.dryRun, queue, logger) };
        if (route.copy.fanOut) fail(new EventValidationError('"fanOut": true needs the work queue, and WORK_QUEUE_URL is not set: deploy the stack with its work queue (output WorkQueueUrl), or drop "fanOut" to copy the days inline'), eventForLog(event));
      }
      break;
    case 'scheduled':
      break;
  }
  const summary = await runCopy(route.copy, config, clients, {
    logger,
    ...passOn,
    ...(queue ? { continueLater: (rest: readonly WorkItem[]) => queue.send(rest) } : {}),
  });
  return { kind: 'summary', summary };
}

let container: { config: HandlerConfig; clients: ReplicationClients; workQueue: WorkQueue | undefined } | undefined;

/**
 * The work queue at `url`, its SQS client built on the first send: most runs (a scheduled day that
 * finishes in time, an object event) never send, so they do not load the SQS SDK (a chunk of its
 * own in the bundle). The client, once built, serves the container's later invocations.
 */
export function lazySqsWorkQueue(url: string): WorkQueue {
  let queue: Promise<WorkQueue> | undefined;
  return {
    url,
    async send(items) {
      queue ??= import('./aws/workQueue.ts').then(
        (m) => m.sqsWorkQueue(m.createSqsClient(), url),
        (err: unknown) => {
          queue = undefined;
          throw err;
        },
      );
      return (await queue).send(items);
    },
  };
}

/**
 * The Lambda handler (`index.handler`), see {@link handleEvent}. A bad environment or event throws
 * before any copy; any failed object makes the invocation fail after the summary is logged, so
 * Lambda's retries, dead-letter queue and alarms see it (for SQS batches: the failed items are
 * reported in `batchItemFailures`, retried by SQS, then moved to the work dead-letter queue).
 */
export async function handler(event: unknown, context?: LambdaContextLike): Promise<LambdaResponse> {
  if (!container) {
    let config;
    try {
      config = parseHandlerConfig(process.env);
    } catch (err) {
      createLogger([process.env.EXTERNAL_ID], undefined, { requestId: context?.awsRequestId }).log('ERROR', describeError(err), { userFault: err instanceof S3PushError ? err.userFault : false });
      throw err;
    }
    container = {
      config,
      clients: createClients(config),
      workQueue: config.workQueueUrl === undefined ? undefined : lazySqsWorkQueue(config.workQueueUrl),
    };
  }
  const requestId = context?.awsRequestId;
  const functionName = context?.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME;
  const result = await handleEvent(event, container.config, container.clients, {
    logger: createLogger([container.config.externalId], undefined, { requestId }),
    ...(functionName ? { metrics: createRunMetrics(functionName, { requestId }) } : {}),
    ...(context ? { shouldStop: stopWhenLow(context) } : {}),
    ...(container.workQueue ? { workQueue: container.workQueue } : {}),
  });
  return lambdaResponse(result);
}
