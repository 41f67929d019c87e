/**
 * Push on write and upstream's ready key (SOURCE_READY_KEY): the ready key's own `Object Created`
 * event is never copied as an object (it would reach the partner before the rest of its day); it
 * asks for its day's copy, which copies every other object of the day first and the ready key
 * last ({@link replicateDay}). With a work queue the day goes there as a work item `{date}` (the
 * fan-out path: a day of any size, in as many invocations as it needs); without one it runs
 * inline, one day after another, while the time budget lasts.
 */
import { describeError } from '../../rules/errors.ts';
import type { IsoDate } from '../../rules/dates.ts';
import type { HandlerConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { WorkQueue } from '../aws/workQueue.ts';
import type { ReplicationClients } from '../copy/replicateDay.ts';
import { runCopy } from '../copy/runCopy.ts';
import type { Summary } from '../summary.ts';

/**
 * What became of a day whose ready key an event named: `queued` (a work item was sent), or, run
 * inline, the day's `ready` outcome — `copied` (last), `equal` (already at the destination),
 * `held` (an object of the day is archived: the day is not whole), `waiting` (the ready key was
 * gone again when the day ran: upstream is rewriting it; its next event asks again) — or `failed`
 * (an object or the day's listing failed, the queue refused the item, or the time ran out: the
 * event's record is retried).
 */
export type ReadyDayOutcome = 'queued' | 'copied' | 'equal' | 'held' | 'waiting' | 'failed';

/** One day asked for by its ready key's event. */
export interface ReadyDay {
  readonly outcome: ReadyDayOutcome;
  /** Why, for `failed`. */
  readonly error?: string;
}

/** Options of {@link copyReadyDays}. */
export interface ReadyDaysOptions {
  readonly logger: Logger;
  /** The fan-out work queue: the days go there. Default: none, the days run inline. */
  readonly workQueue?: WorkQueue | undefined;
  /** Asked before each inline day and by its walk. Default: never stop. */
  readonly shouldStop?: () => boolean;
}

/** A day run inline: what its summary says of the ready key. */
function outcomeOf(summary: Summary): ReadyDayOutcome {
  const day = summary.dates[0];
  if (day?.waiting) return 'waiting';
  if (day?.ready === 'copied' || day?.ready === 'equal' || day?.ready === 'held') return day.ready;
  // A day that ran to its end without a ready outcome cannot happen with SOURCE_READY_KEY set: say it.
  return 'failed';
}

/**
 * Asks for the copy of each day (once per day, in date order) and says what became of it. Never
 * throws: a failure is the day's outcome `failed`, so that the caller fails exactly the records
 * that named its ready key.
 */
export async function copyReadyDays(dates: ReadonlySet<string>, config: HandlerConfig, clients: ReplicationClients, options: ReadyDaysOptions): Promise<Readonly<Record<string, ReadyDay>>> {
  const days = [...dates].sort() as IsoDate[];
  const out: Record<string, ReadyDay> = {};
  if (days.length === 0) return out;
  const queue = options.workQueue;
  if (queue) {
    try {
      await queue.send(days.map((date) => ({ date })));
      for (const date of days) out[date] = { outcome: 'queued' };
    } catch (err) {
      for (const date of days) out[date] = { outcome: 'failed', error: `the day's work item could not be enqueued: ${describeError(err)}` };
    }
    return out;
  }
  const shouldStop = options.shouldStop ?? (() => false);
  for (const date of days) {
    if (shouldStop()) {
      out[date] = { outcome: 'failed', error: 'the time budget ran out before the day was started: the event is retried' };
      continue;
    }
    try {
      const summary = await runCopy({ kind: 'copy', trigger: 'dates', dates: [date], dryRun: false }, config, clients, { logger: options.logger, shouldStop });
      const outcome = outcomeOf(summary);
      out[date] = outcome === 'failed' ? { outcome, error: 'the day ended without its ready key' } : { outcome };
    } catch (err) {
      // runCopy logged the day's summary; the error says what failed.
      out[date] = { outcome: 'failed', error: describeError(err) };
    }
  }
  return out;
}
