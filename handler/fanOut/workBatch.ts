/**
 * Fan-out's work batch: working through an SQS batch of work items, each in one invocation's time
 * budget, handing the rest of a day on as a continuation item.
 *
 * Why no object is skipped or copied twice: `replicateDay` stops starting objects when the
 * budget runs low and waits for the copies in flight, so every object up to its `lastKey` is
 * handled and none after it was started. The continuation `{date, startAfter: lastKey}` is sent
 * BEFORE the item is acknowledged (deleted): if the send fails the item is retried whole, and
 * what it already copied is skipped as equal. A duplicate delivery (SQS is at-least-once) lists
 * the same keys, finds them at the destination and equal, and copies nothing; the continuation it
 * may send again does the same.
 */
import type { SQSBatchResponse } from 'aws-lambda';
import { describeError } from '../../rules/errors.ts';
import type { HandlerConfig } from '../config.ts';
import { advanced, continuationOf, logArchived, runDayPart } from '../copy/dayPart.ts';
import type { Logger } from '../logger.ts';
import type { RunMetrics } from '../metrics.ts';
import type { ReplicationClients } from '../copy/replicateDay.ts';
import { compareKeys } from '../copy/plan.ts';
import { keepFailures, MAX_LISTED_FAILURES, summarize, type ArchivedObject, type DaySummary, type Failure, type Summary } from '../summary.ts';
import { parseWorkItem, type SqsRecordLike, type WorkItem } from './workItems.ts';
import type { WorkQueue } from '../aws/workQueue.ts';
import { WORK_BATCH_LOG_MESSAGE } from '../../rules/names.ts';

/** What happened to one work item of a batch. */
export interface ItemOutcome {
  readonly messageId: string;
  /**
   * `done`: the day (after startAfter) is finished; `continued`: the budget ran out and the rest
   * was enqueued; `requeued`: the budget was gone before the item started, so it was enqueued
   * again unchanged; `failed`: retried by SQS (objects or the listing failed, or the continuation
   * could not be sent); `rejected`: not a valid work item (retried until the dead-letter queue).
   */
  readonly outcome: 'done' | 'continued' | 'requeued' | 'failed' | 'rejected';
  readonly date?: string;
  readonly startAfter?: string;
  /** The continuation's startAfter, for `continued`. */
  readonly continueAfter?: string;
  readonly receiveCount?: number;
  readonly error?: string;
}

/** What a batch did: the answer to SQS, the summary of the days touched, each item's outcome. */
export interface WorkBatchResult {
  /** What the Lambda returns: these messages are retried, the rest deleted. */
  readonly response: SQSBatchResponse;
  readonly summary: Summary;
  readonly items: readonly ItemOutcome[];
}

/** Options of {@link runWorkBatch}. */
export interface WorkBatchOptions {
  readonly logger: Logger;
  /** Asked before each new object and before each item; true ends the batch cleanly. Default: never. */
  readonly shouldStop?: () => boolean;
  /** Emits each handled item's day metrics (not for dry-run items). Default: none. */
  readonly metrics?: RunMetrics;
}

/** The failure of an object whose multipart copy did not finish within a whole invocation. */
function tooLargeError(key: string, date: string): string {
  return `the multipart copy of ${JSON.stringify(key)} did not finish within a whole invocation (stopped between parts, upload aborted): ` +
    'an object that takes longer to copy than one invocation never finishes, since each attempt starts again from its first part; ' +
    `the rest of the day was handed on past it. Copy it by hand (aws s3 cp), then run the day again: {"dates": ["${date}"]}`;
}

/**
 * Works through an SQS batch of work items in order and answers which to retry. Logs one JSON
 * line: the run summary (docs/contract.md, "Results") of the days touched, plus each item's outcome.
 *
 * A malformed item is reported as a batch item failure (and logged as an ERROR) rather than
 * dropped: SQS retries it up to maxReceiveCount times and then moves it to the work dead-letter
 * queue, where the alarm shows it and an operator can read it. It never loops forever.
 */
export async function runWorkBatch(
  records: readonly SqsRecordLike[],
  config: HandlerConfig,
  clients: ReplicationClients,
  queue: WorkQueue,
  options: WorkBatchOptions,
): Promise<WorkBatchResult> {
  const shouldStop = options.shouldStop ?? (() => false);
  const outcomes: ItemOutcome[] = [];
  const days: DaySummary[] = [];
  const failures: Failure[] = [];
  const archived: ArchivedObject[] = [];
  let dryRun = false;
  // True once an item of this batch was worked on: the budget was there at the start.
  let worked = false;

  for (const record of records) {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? NaN);
    const base = { messageId: record.messageId, ...(Number.isFinite(receiveCount) ? { receiveCount } : {}) };
    let item: WorkItem;
    try {
      item = parseWorkItem(record.body, config.prefixFormat);
    } catch (err) {
      outcomes.push({ ...base, outcome: 'rejected', error: describeError(err) });
      continue;
    }
    const where = { ...base, date: item.date, ...(item.startAfter === undefined ? {} : { startAfter: item.startAfter }) };
    dryRun ||= item.dryRun === true;

    if (shouldStop()) {
      if (!worked) {
        // Nothing of this invocation ran yet, so the budget was gone before it began (a function
        // timeout at or under the stop margin): handing the item back would loop forever. Fail it,
        // so that it reaches the dead-letter queue with the reason.
        outcomes.push({ ...where, outcome: 'failed', error: 'the time budget was already gone when the item started: the invocation had less time left than the stop margin (60 s). Raise the function timeout above it (the template sets 900 s)' });
        continue;
      }
      // An earlier item of the batch used the budget up. Hand this one back as it is rather than
      // failing it: a failure would count a receive towards the dead-letter queue.
      try {
        await queue.send([item]);
        outcomes.push({ ...where, outcome: 'requeued' });
      } catch (err) {
        outcomes.push({ ...where, outcome: 'failed', error: describeError(err) });
      }
      continue;
    }

    const started = performance.now();
    // The day's metrics; for the rest of a scheduled day, whether it completed (undefined: handed on again).
    const report = (summary: DaySummary, completed: boolean | undefined): void => {
      if (!options.metrics || item.dryRun) return;
      const durationMs = performance.now() - started;
      options.metrics.day(item.scheduled ? { summary, durationMs, scheduled: completed === undefined ? {} : { completed } } : { summary, durationMs });
    };
    // The first item of the invocation has its whole time budget (the work queue's batches hold one item).
    const wholeBudget = !worked;
    worked = true;
    // The marker, when the day is complete, is written in the part (runDayPart); its walk asks shouldStop too.
    const part = await runDayPart(clients, config, item, { logger: options.logger, shouldStop });
    // A lookback day's part says so: its copies are late ones (lateCopied, ObjectsCopiedLate).
    const partDay: DaySummary = item.lookback ? { ...part.day, lookback: true } : part.day;
    const result = part.result;
    if (!result) {
      days.push(partDay);
      keepFailures(failures, part.failures);
      outcomes.push({ ...where, outcome: 'failed', error: part.error ?? '?' });
      report(partDay, false);
      continue;
    }
    let day = partDay;
    const dayFailures = [...part.failures];
    // An object whose multipart copy a whole invocation could not finish never will (each attempt
    // starts again from its first part): count it as failed and hand the rest of the day on past
    // it, as past any failed object, so that it does not keep the rest of the day from being copied.
    const tooLarge = wholeBudget && !result.complete && !advanced(item, result)
      ? [...result.interrupted].sort(compareKeys)[0]
      : undefined;
    if (tooLarge !== undefined) {
      day = { ...day, failed: day.failed + 1 };
      dayFailures.unshift({ key: tooLarge, error: tooLargeError(tooLarge, item.date) });
    }
    // A marker walk that ran out of time leaves the part unfinished: the day is handed on after its
    // last key, and the continuation walks nothing new and writes the marker.
    const complete = part.complete;
    days.push(day);
    keepFailures(failures, dayFailures);
    // Archived objects are not failures: the item is done (or continued) without them.
    for (const a of result.archived) if (archived.length < MAX_LISTED_FAILURES) archived.push(a);
    // Objects of the day that failed so far: in the earlier parts of its chain and in this one.
    const failedSoFar = (item.failedBefore ?? 0) + day.failed;
    const objectsFailed = day.failed > 0
      ? `${day.failed} object(s) failed; first: ${dayFailures[0]?.key ?? '?'}: ${dayFailures[0]?.error ?? '?'}`
      : undefined;
    const failedEarlier = item.failedBefore
      ? `${item.failedBefore} object(s) of ${item.date} failed in earlier parts of the day${item.firstFailedKey === undefined ? '' : ` (first: ${item.firstFailedKey})`}; run the day again to retry them: {"dates": ["${item.date}"]}`
      : undefined;
    // The scheduled day completed only when its last part ends with no failure in any part.
    report(day, complete ? failedSoFar === 0 && !day.waiting : undefined);

    if (complete) {
      // The day is done, so report every failure of it. Retried whole by SQS: what this attempt
      // copied is skipped as equal next time, and the failed objects of this part are tried again.
      const error = [objectsFailed, failedEarlier].filter((e) => e !== undefined).join('; ');
      outcomes.push(error === '' ? { ...where, outcome: 'done' } : { ...where, outcome: 'failed', error });
      continue;
    }
    if (tooLarge === undefined && !advanced(item, result) && !part.deletePass?.advanced) {
      // Not one object fitted in the budget: a continuation would be this same item, forever.
      outcomes.push({
        ...where,
        outcome: 'failed',
        error: result.complete
          ? 'the day-complete marker\'s walk of the day, or the delete pass of its extras (exact days), did not get any further within the time budget of an invocation that had nothing else to copy: the day is too large to verify in one invocation (raise the function timeout), or the destination holds too many objects of its own under the day\'s prefix'
          : 'the time budget ran out before a single object was handled: the stop margin leaves no time to copy',
      });
      continue;
    }
    // Every key before the too-large object is handled (it is the first one not finished).
    const continueAfter = tooLarge ?? result.lastKey!;
    // The walk advanced: hand the rest of the day on, also past a failed object, so that one
    // object that always fails does not keep the rest of the day from being copied. The failures
    // travel with the continuation, and the day's last part fails with them (dead-letter queue).
    // This part is acknowledged: failing it too would make SQS deliver it again, and each
    // delivery would hand on the rest once more.
    const continuation = continuationOf(item, continueAfter, { failed: day.failed, firstFailedKey: dayFailures[0]?.key, archived: day.archived, extra: result.extra }, part.deletePass);
    try {
      await queue.send([continuation]);
    } catch (err) {
      outcomes.push({ ...where, outcome: 'failed', error: `the continuation could not be enqueued: ${describeError(err)}${objectsFailed === undefined ? '' : `; also ${objectsFailed}`}` });
      continue;
    }
    outcomes.push({ ...where, outcome: 'continued', continueAfter, ...(objectsFailed === undefined ? {} : { error: `${objectsFailed} (handed on with the rest of the day; the day's last part fails)` }) });
  }

  const retry = outcomes.filter((o) => o.outcome === 'failed' || o.outcome === 'rejected');
  const base = summarize(dryRun, days, failures, archived);
  const late = days.filter((d) => d.lookback);
  const summary: Summary = late.length > 0 ? { ...base, lateCopied: late.reduce((n, d) => n + d.copied, 0) } : base;
  options.logger.log(retry.length > 0 ? 'ERROR' : 'INFO', WORK_BATCH_LOG_MESSAGE, { ...summary, items: outcomes, queue: queue.url });
  logArchived(options.logger, summary);
  return { response: { batchItemFailures: retry.map((o) => ({ itemIdentifier: o.messageId })) }, summary, items: outcomes };
}
