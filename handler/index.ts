/**
 * The Lambda entry point. `handler` parses the environment and builds the clients once per
 * container (lazily, on the first event); `runEvent` does the work with injected clients, so tests
 * and `npm run invoke -- --local` call it directly.
 */
import { runCheck, type CheckReport } from './check.ts';
import { createClients } from './clients.ts';
import { parseHandlerConfig, type HandlerConfig } from './config.ts';
import { ReplicationFailedError, S3PushError, TimeBudgetError, describeError } from './errors.ts';
import { parseEvent } from './events.ts';
import { createLogger, type Logger } from './logger.ts';
import { renderPrefix } from './prefix.ts';
import { replicateDay, type DayResult, type ReplicationClients } from './replicateDay.ts';
import { summarize, type DaySummary, type Failure, type Summary } from './summary.ts';

/** The part of the Lambda context the handler uses. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/**
 * Stop starting new objects when less than this is left of the invocation: the copies in
 * flight (a CopyObject of up to the multipart threshold, or the parts of a multipart copy) must
 * finish, and the summary must be logged, before Lambda stops the function.
 */
export const DEFAULT_STOP_MARGIN_MS = 60_000;

/** Options of {@link runEvent}. */
export interface RunOptions {
  readonly logger?: Logger;
  /** Asked before each new object; true ends the run cleanly (see {@link replicateDay}). Default: never. */
  readonly shouldStop?: () => boolean;
}

/**
 * Runs one event: validates it (nothing is copied when it is bad), replicates each day in turn,
 * logs the summary as one JSON line and returns it. Throws after logging when any object failed
 * ({@link ReplicationFailedError}) or the time budget ran out ({@link TimeBudgetError}).
 */
export async function runEvent(event: unknown, config: HandlerConfig, clients: ReplicationClients, options: RunOptions = {}): Promise<Summary> {
  const logger = options.logger ?? createLogger([config.externalId]);
  let parsed;
  try {
    parsed = parseEvent(event, config.lagDays);
  } catch (err) {
    logger.log('ERROR', describeError(err), { event });
    throw err;
  }
  if (parsed.kind === 'check') {
    // A programming error, not a user's: the check returns a CheckReport, not a Summary.
    throw new Error('runEvent copies; {"check": true} goes through handleEvent');
  }

  const days: DaySummary[] = [];
  const failures: Failure[] = [];
  let stopped: { date: string; result: DayResult; notStarted: string[] } | undefined;
  for (const [i, date] of parsed.dates.entries()) {
    try {
      const result = await replicateDay(clients, config, {
        date,
        dryRun: parsed.dryRun,
        ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}),
      });
      days.push(result.summary);
      failures.push(...result.failures);
      if (!result.complete) {
        stopped = { date, result, notStarted: parsed.dates.slice(i + 1) };
        break;
      }
    } catch (err) {
      // The day could not be listed (or the role not assumed): count it as one failure and go on.
      const prefix = renderPrefix(config.prefixFormat, date);
      days.push({ date, prefix, listed: 0, copied: 0, skipped: 0, failed: 1, bytesCopied: 0 });
      failures.push({ key: prefix, error: describeError(err) });
    }
  }

  const summary = summarize(parsed.dryRun, days, failures);
  logger.log(summary.failed > 0 || stopped ? 'ERROR' : 'INFO', 's3-push summary', { ...summary });
  if (summary.failed > 0) {
    throw new ReplicationFailedError(`${summary.failed} object(s) failed to copy (${summary.copied} copied, ${summary.skipped} skipped); first: ${summary.failures[0]?.key ?? '?'}: ${summary.failures[0]?.error ?? '?'}`, summary);
  }
  if (stopped) {
    const resume = stopped.result.lastKey === undefined ? 'nothing of it was finished' : `finished up to and including key ${JSON.stringify(stopped.result.lastKey)}`;
    const rest = stopped.notStarted.length > 0 ? `; not started: ${stopped.notStarted.join(', ')}` : '';
    throw new TimeBudgetError(`time budget ran out during ${stopped.date} (${resume})${rest}. Run the same event again: what is already copied is skipped`, summary);
  }
  return summary;
}

/**
 * Runs any event the handler accepts: `{"check": true}` runs the preflight ({@link runCheck}),
 * everything else {@link runEvent}. The Lambda handler, `npm run invoke -- --local` and
 * `npm run check -- --local` call it.
 */
export async function handleEvent(event: unknown, config: HandlerConfig, clients: ReplicationClients, options: RunOptions = {}): Promise<Summary | CheckReport> {
  let isCheck = false;
  try {
    isCheck = parseEvent(event, config.lagDays).kind === 'check';
  } catch {
    // runEvent logs the bad event and throws it.
  }
  if (isCheck) return runCheck(config, clients, { logger: options.logger ?? createLogger([config.externalId]) });
  return runEvent(event, config, clients, options);
}

let container: { config: HandlerConfig; clients: ReplicationClients } | undefined;

/**
 * The Lambda handler (`index.handler`). A bad environment or event throws before any copy; any
 * failed object makes the invocation fail after the summary is logged, so Lambda's retries,
 * dead-letter queue and alarms see it.
 */
export async function handler(event: unknown, context?: LambdaContextLike): Promise<Summary | CheckReport> {
  if (!container) {
    let config;
    try {
      config = parseHandlerConfig(process.env);
    } catch (err) {
      createLogger().log('ERROR', describeError(err), { userFault: err instanceof S3PushError ? err.userFault : false });
      throw err;
    }
    container = { config, clients: createClients(config) };
  }
  const shouldStop = context ? () => context.getRemainingTimeInMillis() < DEFAULT_STOP_MARGIN_MS : undefined;
  return handleEvent(event, container.config, container.clients, shouldStop ? { shouldStop } : {});
}
