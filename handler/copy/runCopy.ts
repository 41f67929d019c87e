/**
 * The daily copy as one run: the days of a copy event replicated in turn inside one invocation,
 * their summary logged as one JSON line, and the rest of a stopped day handed on when a work queue
 * can take it.
 */
import { addDays, type IsoDate } from '../../rules/dates.ts';
import type { HandlerConfig } from '../config.ts';
import { ReplicationFailedError, TimeBudgetError } from '../errors.ts';
import { describeError } from '../../rules/errors.ts';
import { MAX_DAYS_PER_EVENT, parseEvent, type CopyEvent, type HandlerEvent } from '../events.ts';
import { advanced, continuationOf, logArchived, runDayPart } from './dayPart.ts';
import { createLogger, eventForLog, type Logger } from '../logger.ts';
import type { DayMetrics, RunMetrics } from '../metrics.ts';
import type { DayResult, ReplicationClients } from './replicateDay.ts';
import type { DeletePassState } from './exactDay.ts';
import { keepFailures, MAX_LISTED_FAILURES, summarize, type ArchivedObject, type DaySummary, type Failure, type Summary } from '../summary.ts';
import type { WorkItem } from '../fanOut/workItems.ts';
import { SUMMARY_LOG_MESSAGE } from '../../rules/names.ts';

/** Options of {@link runEvent}. */
export interface RunOptions {
  readonly logger?: Logger;
  /** Asked before each new object; true ends the run cleanly (see {@link runDayPart}). Default: never. */
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
export async function runCopy(parsed: CopyEvent, config: HandlerConfig, clients: ReplicationClients, options: RunOptions & { readonly logger: Logger }): Promise<Summary> {
  const { logger } = options;
  const days: DaySummary[] = [];
  const failures: Failure[] = [];
  const timings: { durationMs: number; listedWholeDay?: number }[] = [];
  const unlisted: IsoDate[] = [];
  const archived: ArchivedObject[] = [];
  let stopped: { date: IsoDate; result: DayResult; deletePass: DeletePassState | undefined; notStarted: IsoDate[] } | undefined;
  const dry = parsed.dryRun ? { dryRun: true as const } : {};
  // A scheduled run handles its day, then reconciles the LOOKBACK_DAYS before it the same way:
  // files that arrived late, and days that were waiting for upstream's ready key.
  const scheduled = parsed.trigger === 'schedule';
  const own = parsed.dates[0];
  const lookback = scheduled && own !== undefined ? Array.from({ length: config.lookbackDays }, (_, i) => addDays(own, -(i + 1))) : [];
  const dates = [...parsed.dates, ...lookback];
  for (const [i, date] of dates.entries()) {
    const started = performance.now();
    const part = await runDayPart(clients, config, { date, ...dry }, { logger, ...(options.shouldStop ? { shouldStop: options.shouldStop } : {}) });
    days.push(i >= parsed.dates.length ? { ...part.day, lookback: true } : part.day);
    keepFailures(failures, part.failures);
    const result = part.result;
    if (!result) {
      // The day could not be listed (or the role not assumed): one failure, and on to the next day.
      unlisted.push(date);
      timings.push({ durationMs: performance.now() - started });
      continue;
    }
    timings.push({ durationMs: performance.now() - started, ...(result.complete || result.summary.listed > 0 ? { listedWholeDay: result.summary.listed } : {}) });
    for (const a of result.archived) if (archived.length < MAX_LISTED_FAILURES) archived.push(a);
    if (!part.complete) {
      stopped = { date, result, deletePass: part.deletePass, notStarted: dates.slice(i + 1) };
      break;
    }
  }

  const base = summarize(parsed.dryRun, days, failures, archived);
  // The scheduled run is the safety net of push on write: what it had to copy, the events missed.
  const late = days.filter((d) => d.lookback).reduce((n, d) => n + d.copied, 0);
  const summary: Summary = scheduled ? { ...base, reconciled: base.copied, ...(lookback.length > 0 ? { lateCopied: late } : {}) } : base;
  logArchived(logger, summary);
  // The rest is handed on whenever the walk advanced, also past failed objects: one object that
  // always fails must not keep the rest of the day from being copied. The stopped day's failures
  // travel with its continuation (the day's last part fails with them, into the dead-letter
  // queue); failures of other days still fail this run, after the hand-on.
  const stoppedFailed = stopped?.result.summary.failed ?? 0;
  const rest: WorkItem[] | undefined = stopped && (advanced({}, stopped.result) || stopped.deletePass?.advanced === true) && options.continueLater
    ? [
        continuationOf({ date: stopped.date, ...dry }, stopped.result.lastKey!, {
          failed: stoppedFailed,
          firstFailedKey: stopped.result.failures[0]?.key,
          archived: stopped.result.summary.archived,
          extra: stopped.result.extra,
        }, stopped.deletePass),
        ...stopped.notStarted.map((date) => ({ date, ...dry })),
      ]
    : undefined;
  const emitMetrics = (continued: boolean): void => {
    if (!options.metrics || parsed.dryRun) return;
    for (const [i, day] of days.entries()) {
      const timing = timings[i]!;
      const metric: DayMetrics = { summary: day, durationMs: timing.durationMs };
      // A scheduled event is one day: whether it completed is known here, unless its rest was handed on.
      // Only the run's own day feeds the day-not-completed alarm; a waiting day has not completed.
      const completed = continued && stopped?.date === day.date ? undefined : day.failed === 0 && stopped?.date !== day.date && !day.waiting;
      options.metrics.day(scheduled && !day.lookback
        ? { ...metric, scheduled: { ...(completed === undefined ? {} : { completed }), ...(timing.listedWholeDay === undefined ? {} : { listedWholeDay: timing.listedWholeDay }) } }
        : metric);
    }
  };
  if (rest && options.continueLater) {
    // Hand the rest on before reporting, so that nothing is lost if the send fails.
    // Only the run's own day stays scheduled (its parts report whether it completed); the lookback
    // days stay lookback days, so that their copies are counted late wherever they finish.
    const handedOn = scheduled ? rest.map((item): WorkItem => (item.date === own ? { ...item, scheduled: true } : { ...item, lookback: true })) : rest;
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
      (stopped.result.interrupted.length > 0 ? `; the multipart copy of ${stopped.result.interrupted.map((k) => JSON.stringify(k)).join(', ')} was stopped between parts and its upload aborted` : '') +
      (stopped.result.complete ? `; every object was handled, ${stopped.deletePass ? `the delete pass of the day's extras (exact days) ran out of time after ${stopped.deletePass.deleted} of ${stopped.deletePass.extra} deleted` : 'the day-complete marker was not written (its walk of the day ran out of time)'}` : '');
    const rest = stopped.notStarted.length > 0 ? `; not started: ${stopped.notStarted.join(', ')}` : '';
    throw new TimeBudgetError(`time budget ran out during ${stopped.date} (${resume})${rest}. Run the same event again: what is already copied is skipped`, summary);
  }
  return summary;
}
