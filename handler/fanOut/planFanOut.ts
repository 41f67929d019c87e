/**
 * Fan-out's plan: a backfill of many days becomes one work item per day on the work queue, each
 * then copied by its own invocation (the work batch).
 */
import type { IsoDate } from '../../rules/dates.ts';
import type { Logger } from '../logger.ts';
import type { WorkQueue } from '../aws/workQueue.ts';
import { FAN_OUT_LOG_MESSAGE } from '../../rules/names.ts';

/** What planning enqueued; returned and logged as one JSON line. */
export interface FanOutPlan {
  /** The days enqueued, one work item each, in order. */
  readonly planned: readonly IsoDate[];
  /** The work queue URL. */
  readonly queue: string;
  readonly dryRun: boolean;
}

/** Enqueues one work item per day (10 per SendMessageBatch) and logs the plan. */
export async function planFanOut(dates: readonly IsoDate[], dryRun: boolean, queue: WorkQueue, logger: Logger): Promise<FanOutPlan> {
  await queue.send(dates.map((date) => ({ date, ...(dryRun ? { dryRun: true as const } : {}) })));
  const plan: FanOutPlan = { planned: dates, queue: queue.url, dryRun };
  logger.log('INFO', FAN_OUT_LOG_MESSAGE, { ...plan, days: dates.length });
  return plan;
}
