/**
 * `npm run invoke`: runs a backfill. By default on the deployed function of the stack (Lambda
 * Invoke; `--async` queues it). With `--local`, the handler runs in this process with the
 * handler environment from the shell (AWS_ENDPOINT_URL honoured by the SDK). The summary is
 * printed on stdout; logs go to stderr.
 */
import { readFile } from 'node:fs/promises';
import { createClients as createAwsClients } from '../../aws/clients.ts';
import { runCommand } from '../../cli/runCommand.ts';
import { localLog } from './localLog.ts';
import { MAX_DAYS_PER_EVENT, parseEvent } from '../../../handler/events.ts';
import { buildEvent, INVOKE_USAGE, parseInvokeArgs, type InvokeRequest } from './args.ts';
import { invokeDeployed, reportInvocation } from './invokeDeployed.ts';
import { resolveStackTarget } from '../../cloudformation/stackTarget.ts';
import { createClients } from '../../../handler/aws/clients.ts';
import { parseLocalEnvironment } from '../../cli/localEnvironment.ts';
import { ReplicationFailedError, TimeBudgetError } from '../../../handler/errors.ts';
import { ConfigError, describeError } from '../../../rules/errors.ts';
import { PreflightFailedError } from '../../../handler/check/check.ts';
import { handleEvent } from '../../../handler/index.ts';
import { lambdaResponse } from '../../../handler/result.ts';
import { ObjectEventsFailedError } from '../../../handler/pushOnWrite/pushOnWrite.ts';
import { createLogger } from '../../../handler/logger.ts';
import { createSqsClient } from '../../../handler/aws/workQueue.ts';
import { createTemporaryQueues, describeQueue, runLocalFanOut } from '../../local/localWorkers.ts';

async function main(request: InvokeRequest): Promise<number> {
  let fileContent: unknown;
  if (request.source?.kind === 'file') {
    const path = request.source.path;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new ConfigError([`--event ${path}: cannot read it (${describeError(err)})`], 'the event is not usable');
    }
    try {
      fileContent = JSON.parse(text);
    } catch (err) {
      throw new ConfigError([`--event ${path}: not valid JSON (${describeError(err)})`], 'the event is not usable');
    }
  }
  const event = buildEvent(request, fileContent);
  if (!request.local) {
    const target = resolveStackTarget(process.env, request.stack);
    const invocation = await invokeDeployed(target, createAwsClients({ region: target.region }), event, request.async ? 'async' : 'sync', (line) => console.error(line));
    const report = reportInvocation(invocation);
    for (const line of report.stderr) console.error(line);
    for (const line of report.stdout) console.log(line);
    return report.exitCode;
  }
  const { config, region } = parseLocalEnvironment(process.env);
  // The SDK reads AWS_REGION only; an operator's shell may have AWS_DEFAULT_REGION alone.
  process.env.AWS_REGION = region;
  const log = localLog((line) => console.error(line));
  const logger = createLogger([config.externalId], log.sink);
  if (request.fanOut) {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) throw new ConfigError(['--workers needs an event that is a JSON object with "dates" or "from"/"to"'], 'the event is not usable');
    const sqs = createSqsClient();
    const url = request.fanOut.queueUrl ?? config.workQueueUrl;
    const temporary = url ? undefined : await createTemporaryQueues(sqs);
    const queue = temporary ?? await describeQueue(sqs, url!);
    if (temporary) console.error(`invoke: no --queue-url or WORK_QUEUE_URL: using a temporary work queue ${queue.queueUrl} (deleted afterwards)`);
    try {
      const summary = await runLocalFanOut({
        event: event as Record<string, unknown>,
        config,
        clients: createClients(config, { sessionName: 's3-push-invoke' }),
        sqs,
        queue,
        workers: request.fanOut.workers,
        budgetMs: request.fanOut.budgetMs,
        logger,
      });
      log.settle();
      console.log(JSON.stringify(summary, null, 2));
      return summary.deadLettered > 0 || summary.queueLeft > 0 ? 1 : 0;
    } catch (err) {
      log.settle(err);
      throw err;
    } finally {
      await temporary?.remove();
    }
  }
  // The handler checks the event again; checked here first, a backfill too long for one local run
  // names the local way to fan it out (--workers N), not the deployed function's (WORK_QUEUE_URL).
  parseEvent(event, config.lagDays, { maxDays: MAX_DAYS_PER_EVENT, fanOutHint: 'run it with --workers N, the local fan-out' });
  try {
    // handleEvent: a `{"check": true}` event file runs the preflight and prints its report.
    const result = await handleEvent(event, config, createClients(config, { sessionName: 's3-push-invoke' }), { logger });
    log.settle();
    console.log(JSON.stringify(lambdaResponse(result), null, 2));
    return 0;
  } catch (err) {
    log.settle(err);
    if (err instanceof ReplicationFailedError || err instanceof TimeBudgetError) console.log(JSON.stringify(err.summary, null, 2));
    if (err instanceof PreflightFailedError) console.log(JSON.stringify(err.report, null, 2));
    if (err instanceof ObjectEventsFailedError) console.log(JSON.stringify(err.summary, null, 2));
    throw err;
  }
}

await runCommand({ name: 'invoke', usage: INVOKE_USAGE, parse: parseInvokeArgs, run: main });
