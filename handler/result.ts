/**
 * What one event produced. In-process callers (`npm run invoke -- --local`, `npm run check --
 * --local`, the demo, the local fan-out workers) get a {@link HandlerResult} and switch on its
 * `kind`; the Lambda itself returns {@link lambdaResponse} of it, the documented JSON (the summary,
 * the preflight report, the fan-out plan, or `{batchItemFailures}` for an SQS batch).
 */
import type { SQSBatchResponse } from 'aws-lambda';
import type { CheckReport } from './check/check.ts';
import type { FanOutPlan } from './fanOut/planFanOut.ts';
import type { WorkBatchResult } from './fanOut/workBatch.ts';
import type { ObjectBatchResult, ObjectEventsSummary } from './pushOnWrite/pushOnWrite.ts';
import type { Summary } from './summary.ts';

/** A copy (or dry run) of one or more days, run inline. */
export interface SummaryResult {
  readonly kind: 'summary';
  readonly summary: Summary;
}

/** The preflight's report, `{"check": true}`, every link ok. */
export interface CheckResult {
  readonly kind: 'check';
  readonly report: CheckReport;
}

/** A backfill planned into the work queue, one item per day. */
export interface PlanResult {
  readonly kind: 'plan';
  readonly plan: FanOutPlan;
}

/** An SQS batch of work items: the answer to SQS, and what the batch copied. */
export interface BatchResult {
  readonly kind: 'batch';
  readonly batch: WorkBatchResult;
}

/** Object events given directly (push on write replayed by hand, a console test event): what they copied. */
export interface ObjectsResult {
  readonly kind: 'objects';
  readonly summary: ObjectEventsSummary;
}

/**
 * An SQS batch holding object events (the object queue of push on write), and any work items that
 * came in the same batch: the answer to SQS covers both.
 */
export interface ObjectBatchHandlerResult {
  readonly kind: 'objectBatch';
  readonly objects: ObjectBatchResult;
  readonly work: WorkBatchResult | undefined;
  readonly response: SQSBatchResponse;
}

export type HandlerResult = SummaryResult | CheckResult | PlanResult | BatchResult | ObjectsResult | ObjectBatchHandlerResult;

/** What the Lambda function returns to its invoker. */
export type LambdaResponse = Summary | CheckReport | FanOutPlan | SQSBatchResponse | ObjectEventsSummary;

/** The Lambda's own return value for a result: exactly the JSON docs/contract.md documents. */
export function lambdaResponse(result: HandlerResult): LambdaResponse {
  switch (result.kind) {
    case 'summary': return result.summary;
    case 'check': return result.report;
    case 'plan': return result.plan;
    case 'batch': return result.batch.response;
    case 'objects': return result.summary;
    case 'objectBatch': return result.response;
  }
}
