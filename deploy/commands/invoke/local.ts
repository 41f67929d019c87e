/**
 * `npm run invoke -- --local`: the handler in this process, with the handler environment from the
 * shell (AWS_ENDPOINT_URL honoured by the SDK). Any event the deployed function takes runs the
 * same way here: a copy event, `{"check": true}`, an object event replayed by hand, an SQS batch.
 * `--workers N` plays the fan-out instead: the backfill planned into a work queue (a temporary one
 * unless given) and drained by N in-process workers. The summary goes to `out`, logs to `err`.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../../../rules/errors.ts';
import { MAX_DAYS_PER_EVENT, MAX_DAYS_PER_FAN_OUT } from '../../../handler/events.ts';
import { createClients } from '../../../handler/aws/clients.ts';
import type { HandlerConfig } from '../../../handler/config.ts';
import { ReplicationFailedError, TimeBudgetError } from '../../../handler/errors.ts';
import { PreflightFailedError } from '../../../handler/check/check.ts';
import { handleEvent } from '../../../handler/index.ts';
import { lambdaResponse } from '../../../handler/result.ts';
import { ObjectEventsFailedError } from '../../../handler/pushOnWrite/pushOnWrite.ts';
import { createLogger, type Logger } from '../../../handler/logger.ts';
import { createSqsClient, sqsWorkQueue } from '../../../handler/aws/workQueue.ts';
import { createTemporaryQueues, describeQueue, removeTemporaryQueues, runLocalFanOut, temporaryQueueName } from '../../local/localWorkers.ts';
import { parseLocalEnvironment } from '../../cli/localEnvironment.ts';
import { checkHandlerEndpoints } from '../../aws/clients.ts';
import { localLog, type LocalLog } from './localLog.ts';
import { checkInvokeEvent } from './event.ts';
import type { InvokeRequest } from './args.ts';

/** Where a local run writes, and what it may change. */
export interface LocalIo {
  /** The result (JSON). */
  readonly out: (line: string) => void;
  /** Logs and notes. */
  readonly err: (line: string) => void;
  /** The shell's environment; its AWS_REGION is set from AWS_DEFAULT_REGION when only that is given (the SDK reads AWS_REGION). */
  readonly env: NodeJS.ProcessEnv;
  /**
   * Told what to undo should the run be interrupted (Ctrl-C): set while the run holds something
   * temporary (the work queues of `--workers` without `--queue-url`), cleared once it is undone.
   */
  readonly onInterruptUndo: (undo: (() => Promise<string>) | undefined) => void;
}

/** Runs `event` locally as `request` says; resolves to the exit code, throws for the runner to print. */
export async function runLocal(request: InvokeRequest, event: unknown, io: LocalIo): Promise<number> {
  const { config, region } = parseLocalEnvironment(io.env);
  io.env.AWS_REGION = region;
  await checkHandlerEndpoints();
  const fanOut = request.fanOut;
  // The handler checks the event again; checked here first, a backfill too long for one local run
  // names the local way to fan it out (--workers N), not the deployed function's (WORK_QUEUE_URL).
  const kind = checkInvokeEvent(event, config.lagDays, fanOut
    ? { maxDays: MAX_DAYS_PER_FAN_OUT }
    : { maxDays: MAX_DAYS_PER_EVENT, fanOutHint: 'run it with --workers N, the local fan-out' });
  const log = localLog(io.err);
  const logger = createLogger([config.externalId], log.sink);
  if (fanOut) {
    if (kind !== 'copy') throw new ConfigError([`--workers fans out a backfill: it needs a copy event ("dates" or "from"/"to"), not ${kind === 'check' ? 'the preflight {"check": true}' : kind === 'objects' ? 'an object event' : 'an SQS batch'}`], 'the event is not usable');
    return runFanOut(event as Record<string, unknown>, config, { ...fanOut, log, logger }, io);
  }
  return runInProcess(event, kind === 'sqsBatch', config, { log, logger }, io);
}

/** One handler run in this process. An SQS batch of work items hands the rest of a day to WORK_QUEUE_URL, as on Lambda. */
async function runInProcess(event: unknown, sqsBatch: boolean, config: HandlerConfig, logs: { log: LocalLog; logger: Logger }, io: LocalIo): Promise<number> {
  const { log, logger } = logs;
  const workQueue = sqsBatch && config.workQueueUrl !== undefined ? sqsWorkQueue(createSqsClient(), config.workQueueUrl) : undefined;
  try {
    // handleEvent: a `{"check": true}` event runs the preflight and prints its report.
    const result = await handleEvent(event, config, createClients(config, { sessionName: 's3-push-invoke' }), { logger, ...(workQueue ? { workQueue } : {}) });
    log.settle();
    const response = lambdaResponse(result);
    io.out(JSON.stringify(response, null, 2));
    if ('batchItemFailures' in response && response.batchItemFailures.length > 0) {
      io.err(`invoke: ${response.batchItemFailures.length} record(s) of the batch failed (batchItemFailures): SQS would deliver them again, then move them to the dead-letter queue`);
      return 1;
    }
    return 0;
  } catch (err) {
    log.settle(err);
    if (err instanceof ReplicationFailedError || err instanceof TimeBudgetError || err instanceof ObjectEventsFailedError) io.out(JSON.stringify(err.summary, null, 2));
    if (err instanceof PreflightFailedError) io.out(JSON.stringify(err.report, null, 2));
    throw err;
  }
}

/** `--workers N`: plans the backfill into the work queue and drains it with N in-process workers. */
async function runFanOut(
  event: Record<string, unknown>,
  config: HandlerConfig,
  options: NonNullable<InvokeRequest['fanOut']> & { readonly log: LocalLog; readonly logger: Logger },
  io: LocalIo,
): Promise<number> {
  const sqs = createSqsClient();
  const url = options.queueUrl ?? config.workQueueUrl;
  const temporary = url === undefined ? await temporaryQueues(sqs, io) : undefined;
  const queue = temporary ?? await describeQueue(sqs, url!);
  if (temporary) io.err(`invoke: no --queue-url or WORK_QUEUE_URL: using a temporary work queue ${queue.queueUrl} (deleted afterwards)`);
  try {
    const summary = await runLocalFanOut({
      event,
      config,
      clients: createClients(config, { sessionName: 's3-push-invoke' }),
      sqs,
      queue,
      workers: options.workers,
      budgetMs: options.budgetMs,
      logger: options.logger,
    });
    options.log.settle();
    io.out(JSON.stringify(summary, null, 2));
    return summary.deadLettered > 0 || summary.queueLeft > 0 ? 1 : 0;
  } catch (err) {
    options.log.settle(err);
    throw err;
  } finally {
    if (temporary) {
      await temporary.remove();
      io.onInterruptUndo(undefined);
    }
  }
}

/**
 * Creates the temporary work queue and its dead-letter queue, having first told `io` how to delete
 * them by name: a Ctrl-C at any moment, even between the two creations, leaves nothing behind.
 */
async function temporaryQueues(sqs: SQSClient, io: LocalIo): ReturnType<typeof createTemporaryQueues> {
  const name = temporaryQueueName();
  const creating = createTemporaryQueues(sqs, { name });
  io.onInterruptUndo(async () => {
    // A creation still under way finishes first, or its queue would appear after the delete.
    await creating.catch(() => undefined);
    await removeTemporaryQueues(sqs, name);
    return `deleted the temporary work queue ${name} and its dead-letter queue`;
  });
  return creating;
}
