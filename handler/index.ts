/**
 * The Lambda entry point. `handler` parses the environment and builds the clients once per
 * container (lazily, on the first event); `handleEvent` does the work with injected clients and
 * returns a typed {@link HandlerResult}, so tests and `npm run invoke -- --local` call it directly.
 */
import type { Context } from 'aws-lambda';
import { runCheck } from './check.ts';
import { createClients } from './aws/clients.ts';
import type { IsoDate } from '../rules/dates.ts';
import { parseHandlerConfig, type HandlerConfig } from './config.ts';
import { EventValidationError, ReplicationFailedError, TimeBudgetError } from './errors.ts';
import { ConfigError, S3PushError, describeError } from '../rules/errors.ts';
import { MAX_DAYS_PER_EVENT, MAX_DAYS_PER_FAN_OUT, parseEvent, type CopyEvent, type HandlerEvent } from './events.ts';
import { planFanOut, runWorkBatch } from './fanOut.ts';
import { markCompleteDay } from './dayMarker.ts';
import { createLogger, eventForLog, type Logger } from './logger.ts';
import { createRunMetrics, type DayMetrics, type RunMetrics } from './metrics.ts';
import { renderPrefix } from '../rules/prefix.ts';
import { replicateDay, type DayResult, type ReplicationClients } from './replicateDay.ts';
import { lambdaResponse, type HandlerResult, type LambdaResponse } from './result.ts';
import { ARCHIVED_HELP, keepFailures, MAX_LISTED_FAILURES, summarize, type ArchivedObject, type DaySummary, type Failure, type Summary } from './summary.ts';
import { isSqsEvent, type WorkItem } from './workItems.ts';
import { isObjectEventDocument } from './objectEvents.ts';
import { isObjectEventRecord, runObjectBatch, runObjectEvents } from './pushOnWrite.ts';
import type { WorkQueue } from './aws/workQueue.ts';
import { ARCHIVED_LOG_MESSAGE, SUMMARY_LOG_MESSAGE } from '../rules/names.ts';

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

/** Options of {@link runEvent}. */
export interface RunOptions {
  readonly logger?: Logger;
  /** Asked before each new object; true ends the run cleanly (see {@link replicateDay}). Default: never. */
  readonly shouldStop?: () => boolean;
  /**
   * Called instead of throwing {@link TimeBudgetError} when the budget ran out after at least one
   * object: given the rest of the work (the stopped day after its last handled key, then the days
   * not started), it hands it on (the fan-out path enqueues it). Default: none, so the run throws.
   */
  readonly continueLater?: (rest: readonly WorkItem[]) => Promise<void>;
  /** Emits each handled day's metrics (not in a dry run). Default: none (the Lambda handler passes them). */
  readonly metrics?: RunMetrics;
}

/** Parses `event` (as {@link parseEvent}), logging a bad one; throws {@link EventValidationError}. */
function parseLogged(event: unknown, lagDays: number, maxDays: number, logger: Logger): HandlerEvent {
  try {
    return parseEvent(event, lagDays, { maxDays });
  } catch (err) {
    logger.log('ERROR', describeError(err), eventForLog(event));
    throw err;
  }
}

/**
 * Runs one event: validates it (nothing is copied when it is bad), replicates each day in turn,
 * logs the summary as one JSON line and returns it. Throws after logging when any object failed
 * ({@link ReplicationFailedError}) or the time budget ran out ({@link TimeBudgetError}).
 */
export async function runEvent(event: unknown, config: HandlerConfig, clients: ReplicationClients, options: RunOptions = {}): Promise<Summary> {
  const logger = options.logger ?? createLogger([config.externalId]);
  const parsed = parseLogged(event, config.lagDays, MAX_DAYS_PER_EVENT, logger);
  if (parsed.kind === 'check') {
    // A programming error, not a user's: the check returns a CheckReport, not a Summary.
    throw new Error('runEvent copies; {"check": true} goes through handleEvent');
  }
  return runCopy(parsed, config, clients, { ...options, logger });
}

/**
 * What failed, in words: days that could not be listed are said as days, never counted as objects
 * (a day whose listing fails counts as one failure in the summary).
 */
function failureMessage(summary: Summary, unlisted: readonly IsoDate[]): string {
  const objects = summary.failed - unlisted.length;
  const parts: string[] = [];
  if (unlisted.length > 0) parts.push(`${unlisted.length} day(s) could not be listed (${unlisted.join(', ')})`);
  if (objects > 0) parts.push(`${objects} object(s) failed to copy`);
  return `${parts.join(', ')} (${summary.copied} copied, ${summary.skipped} skipped); first: ${summary.failures[0]?.key ?? '?'}: ${summary.failures[0]?.error ?? '?'}`;
}

/** {@link runEvent} of an event already parsed. */
async function runCopy(parsed: CopyEvent, config: HandlerConfig, clients: ReplicationClients, options: RunOptions & { readonly logger: Logger }): Promise<Summary> {
  const { logger } = options;
  const days: DaySummary[] = [];
  const failures: Failure[] = [];
  const timings: { durationMs: number; listedWholeDay?: number }[] = [];
  const unlisted: IsoDate[] = [];
  const archived: ArchivedObject[] = [];
  let stopped: { date: IsoDate; result: DayResult; notStarted: IsoDate[] } | undefined;
  for (const [i, date] of parsed.dates.entries()) {
    const started = performance.now();
    try {
      const result = await replicateDay(clients, config, {
        date,
        dryRun: parsed.dryRun,
        ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
      });
      let day = result.summary;
      const dayFailures = [...result.failures];
      // The marker says every object of the day is at the destination: not with a failure or an archived object left out.
      if (config.dayMarker && result.complete && !parsed.dryRun && day.failed === 0 && day.archived === 0) {
        const marked = await markCompleteDay(clients.destinationS3, config, day);
        day = marked.summary;
        if (marked.failure) dayFailures.push(marked.failure);
      }
      days.push(day);
      keepFailures(failures, dayFailures);
      timings.push({ durationMs: performance.now() - started, ...(result.complete || result.summary.listed > 0 ? { listedWholeDay: result.summary.listed } : {}) });
      for (const a of result.archived) if (archived.length < MAX_LISTED_FAILURES) archived.push(a);
      if (!result.complete) {
        stopped = { date, result, notStarted: parsed.dates.slice(i + 1) };
        break;
      }
    } catch (err) {
      // The day could not be listed (or the role not assumed): count it as one failure and go on.
      const prefix = renderPrefix(config.prefixFormat, date);
      days.push({ date, prefix, listed: 0, copied: 0, skipped: 0, failed: 1, archived: 0, bytesCopied: 0 });
      unlisted.push(date);
      keepFailures(failures, [{ key: prefix, error: describeError(err) }]);
      timings.push({ durationMs: performance.now() - started });
    }
  }

  const base = summarize(parsed.dryRun, days, failures, archived);
  // The scheduled run is the safety net of push on write: what it had to copy, the events missed.
  const summary: Summary = parsed.trigger === 'schedule' ? { ...base, reconciled: base.copied } : base;
  logArchived(logger, summary);
  const dry = parsed.dryRun ? { dryRun: true as const } : {};
  // The rest is handed on whenever the walk advanced, also past failed objects: one object that
  // always fails must not keep the rest of the day from being copied. The stopped day's failures
  // travel with its continuation (the day's last part fails with them, into the dead-letter
  // queue); failures of other days still fail this run, after the hand-on.
  const stoppedFailed = stopped?.result.summary.failed ?? 0;
  const rest: WorkItem[] | undefined = stopped && stopped.result.lastKey !== undefined && options.continueLater
    ? [
        {
          date: stopped.date,
          startAfter: stopped.result.lastKey,
          ...dry,
          ...(stoppedFailed > 0 ? { failedBefore: stoppedFailed, ...(stopped.result.failures[0] ? { firstFailedKey: stopped.result.failures[0].key } : {}) } : {}),
          ...(stopped.result.summary.archived > 0 ? { archivedBefore: stopped.result.summary.archived } : {}),
        },
        ...stopped.notStarted.map((date) => ({ date, ...dry })),
      ]
    : undefined;
  const scheduled = parsed.trigger === 'schedule';
  const emitMetrics = (continued: boolean): void => {
    if (!options.metrics || parsed.dryRun) return;
    for (const [i, day] of days.entries()) {
      const timing = timings[i]!;
      const metric: DayMetrics = { summary: day, durationMs: timing.durationMs };
      // A scheduled event is one day: whether it completed is known here, unless its rest was handed on.
      const completed = continued ? undefined : day.failed === 0 && !stopped;
      options.metrics.day(scheduled
        ? { ...metric, scheduled: { ...(completed === undefined ? {} : { completed }), ...(timing.listedWholeDay === undefined ? {} : { listedWholeDay: timing.listedWholeDay }) } }
        : metric);
    }
  };
  if (rest && options.continueLater) {
    // Hand the rest on before reporting, so that nothing is lost if the send fails.
    const handedOn = scheduled ? rest.map((item) => ({ ...item, scheduled: true as const })) : rest;
    await options.continueLater(handedOn);
    emitMetrics(true);
    logger.log(summary.failed > 0 ? 'ERROR' : 'INFO', SUMMARY_LOG_MESSAGE, { ...summary, continued: handedOn });
    if (summary.failed === stoppedFailed) return summary;
    stopped = undefined;
  } else {
    emitMetrics(false);
    logger.log(summary.failed > 0 || stopped ? 'ERROR' : 'INFO', SUMMARY_LOG_MESSAGE, { ...summary });
  }
  if (summary.failed > 0) {
    throw new ReplicationFailedError(failureMessage(summary, unlisted), summary);
  }
  if (stopped) {
    const resume = (stopped.result.lastKey === undefined ? 'nothing of it was finished' : `finished up to and including key ${JSON.stringify(stopped.result.lastKey)}`) +
      (stopped.result.interrupted.length > 0 ? `; the multipart copy of ${stopped.result.interrupted.map((k) => JSON.stringify(k)).join(', ')} was stopped between parts and its upload aborted` : '');
    const rest = stopped.notStarted.length > 0 ? `; not started: ${stopped.notStarted.join(', ')}` : '';
    throw new TimeBudgetError(`time budget ran out during ${stopped.date} (${resume})${rest}. Run the same event again: what is already copied is skipped`, summary);
  }
  return summary;
}

/**
 * Logs the archived objects of a run, when there are any, with how to restore them: one WARN line
 * (`"message": "s3-push archived objects"`). They are neither copied nor failures.
 */
export function logArchived(logger: Logger, summary: Pick<Summary, 'archived' | 'archivedObjects'>): void {
  if (summary.archived === 0) return;
  logger.log('WARN', ARCHIVED_LOG_MESSAGE, { archived: summary.archived, archivedObjects: summary.archivedObjects, howToRestore: ARCHIVED_HELP });
}

/** Options of {@link handleEvent}. */
export interface HandleOptions extends Omit<RunOptions, 'continueLater'> {
  /** The fan-out work queue (WORK_QUEUE_URL). Without it multi-day events run inline and SQS batches are refused. */
  readonly workQueue?: WorkQueue;
}

/**
 * Runs any event the function receives (the Lambda handler, `npm run invoke -- --local`,
 * `npm run check -- --local` and the local fan-out workers call it):
 * - `{"check": true}` → the preflight ({@link runCheck});
 * - an object event (EventBridge `Object Created`, or an S3 notification `{"Records": [...]}`) →
 *   those objects copied ({@link runObjectEvents}); an SQS batch of them (the object queue) →
 *   {@link runObjectBatch}, answering `batchItemFailures`;
 * - an SQS batch of work items → {@link runWorkBatch}, answering `batchItemFailures`;
 * - with a work queue, an event of more than one day, or with `"fanOut": true` → one work item
 *   per day ({@link planFanOut}), up to {@link MAX_DAYS_PER_FAN_OUT} days;
 * - otherwise (a scheduled or other one-day event, or any event without a work queue) →
 *   {@link runEvent} inline, as before, up to {@link MAX_DAYS_PER_EVENT} days. With a work queue,
 *   an inline day that runs out of time enqueues its rest instead of failing.
 * The event is parsed once, here. The result's `kind` says which path ran; {@link lambdaResponse}
 * turns it into what the Lambda returns.
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
  if (isSqsEvent(event)) {
    // One function serves two queues: object events (push on write) and work items (fan-out).
    const objectRecords = event.Records.filter(isObjectEventRecord);
    const workRecords = event.Records.filter((r) => !objectRecords.includes(r));
    const objects = objectRecords.length > 0 ? await runObjectBatch(objectRecords, config, clients, { logger }) : undefined;
    if (objects && workRecords.length === 0) return { kind: 'objectBatch', objects, work: undefined, response: objects.response };
    if (!queue) return fail(new ConfigError(['WORK_QUEUE_URL is not set: an SQS batch of work items needs the work queue to hand on the rest of a day (the stack sets it to its WorkQueueUrl output)'], 'invalid handler environment'));
    const work = await runWorkBatch(workRecords, config, clients, queue, { logger, ...passOn });
    if (!objects) return { kind: 'batch', batch: work };
    return { kind: 'objectBatch', objects, work, response: { batchItemFailures: [...objects.response.batchItemFailures, ...work.response.batchItemFailures] } };
  }
  if (isObjectEventDocument(event)) return { kind: 'objects', summary: await runObjectEvents(event, config, clients, { logger }) };
  const parsed = parseLogged(event, config.lagDays, queue ? MAX_DAYS_PER_FAN_OUT : MAX_DAYS_PER_EVENT, logger);
  if (parsed.kind === 'check') return { kind: 'check', report: await runCheck(config, clients, { logger, ...(parsed.date ? { day: parsed.date } : {}) }) };
  if (parsed.fanOut || parsed.dates.length > 1) {
    if (queue) return { kind: 'plan', plan: await planFanOut(parsed.dates, parsed.dryRun, queue, logger) };
    if (parsed.fanOut) fail(new EventValidationError('"fanOut": true needs the work queue, and WORK_QUEUE_URL is not set: deploy the stack with its work queue (output WorkQueueUrl), or drop "fanOut" to copy the days inline'), eventForLog(event));
  }
  const summary = await runCopy(parsed, config, clients, {
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
