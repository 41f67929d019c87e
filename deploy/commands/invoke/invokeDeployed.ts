/**
 * `npm run invoke` without `--local`: send the event to the deployed function of the stack,
 * synchronously (the summary and the log tail come back) or queued with `--async`, and say what
 * happened. Any event the handler takes goes to it (a copy event, the preflight, an object event, an
 * SQS batch); it is checked with the handler's own parsers first (event.ts), so a bad one is refused
 * before anything is invoked.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { DEFAULT_LAG_DAYS } from '../../../rules/dates.ts';
import { MAX_DAYS_PER_FAN_OUT } from '../../../handler/events.ts';
import { ConfigError } from '../../../rules/errors.ts';
import { checkInvokeEvent, MAX_ASYNC_EVENT_BYTES, MAX_SYNC_EVENT_BYTES } from './event.ts';
import { interpretInvoke, invokeFunction, type InvocationMode, type InvokeOutcome, type InvokeVerdict } from '../../aws/lambdaInvoke.ts';
import { findSummary } from '../../cli/reportFormat.ts';
import { SUMMARY_LOG_MESSAGE } from '../../../rules/names.ts';
import { findDeployedFunction, type DeployedFunction, type StackTarget } from '../../cloudformation/stackTarget.ts';

/** What an invocation of the deployed function came to. */
export interface DeployedInvocation {
  readonly fn: DeployedFunction;
  readonly mode: InvocationMode;
  readonly outcome: InvokeOutcome;
  readonly verdict: InvokeVerdict;
}

/**
 * Validates the event as the handler will (throws its EventValidationError, a user fault, before
 * any AWS call), finds the stack's function and invokes it.
 */
export async function invokeDeployed(
  target: StackTarget,
  clients: { readonly cfn: CloudFormationClient; readonly lambda: LambdaClient },
  event: unknown,
  mode: InvocationMode,
  log: (line: string) => void,
): Promise<DeployedInvocation> {
  // LAG_DAYS only shifts a scheduled event's day; any valid value validates the same way. The
  // deployed stack has the work queue, so it takes backfills up to the fan-out limit.
  checkInvokeEvent(event, DEFAULT_LAG_DAYS, { maxDays: MAX_DAYS_PER_FAN_OUT });
  const bytes = Buffer.byteLength(JSON.stringify(event));
  const limit = mode === 'sync' ? MAX_SYNC_EVENT_BYTES : MAX_ASYNC_EVENT_BYTES;
  if (bytes > limit) {
    throw new ConfigError([`the event is ${bytes} bytes: Lambda takes at most ${limit} bytes ${mode === 'sync' ? 'in an invocation' : 'in a queued (--async) invocation'}`], 'the event is not usable');
  }
  const fn = await findDeployedFunction(clients.cfn, target.stackName);
  log(mode === 'sync'
    ? `invoking ${fn.functionName} (stack ${target.stackName}, ${target.region}) and waiting for it; a run over 15 minutes is cut by Lambda: use --async for long backfills`
    : `queueing the event on ${fn.functionName} (stack ${target.stackName}, ${target.region})`);
  const outcome = await invokeFunction(clients.lambda, fn.functionName, event, mode);
  return { fn, mode, outcome, verdict: interpretInvoke(outcome, mode) };
}

/** What to print: the result on stdout, everything else on stderr, and the exit code. Pure. */
export interface InvocationReport {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exitCode: 0 | 1;
}

/** Renders an invocation for the operator. */
export function reportInvocation(inv: DeployedInvocation): InvocationReport {
  const { fn, verdict, outcome } = inv;
  const stderr: string[] = [];
  const tail = outcome.logTail?.trimEnd();
  const withTail = () => {
    if (tail) stderr.push(`log tail of ${fn.functionName} (the last 4 KB):`, ...tail.split('\n').map((l) => `  ${l}`));
  };
  const follow = `aws logs tail ${fn.logGroupName} --follow`;

  if (verdict.kind === 'queued') {
    return {
      stdout: [`queued on ${fn.functionName} (Lambda answered ${outcome.statusCode})`],
      stderr: [
        `follow it:  ${follow}`,
        `  the run ends with one JSON line, "${SUMMARY_LOG_MESSAGE}"; a run that fails is retried twice by Lambda, then its event goes to the dead-letter queue (DeadLetterQueueUrl in the stack outputs)`,
      ],
      exitCode: 0,
    };
  }
  if (verdict.kind === 'returned') {
    withTail();
    const r = verdict.result as { planned?: unknown; queue?: unknown } | null;
    if (r && Array.isArray(r.planned) && typeof r.queue === 'string') {
      // A multi-day event is fanned out: each day runs later in its own invocation.
      stderr.push(
        `${r.planned.length} day(s) queued on the work queue, one invocation each; follow them:  ${follow}`,
        `  each day ends with a JSON line "${SUMMARY_LOG_MESSAGE}"; a day that keeps failing lands in the work dead-letter queue (WorkDeadLetterQueueUrl in the stack outputs)`,
      );
    }
    return { stdout: [JSON.stringify(verdict.result, null, 2)], stderr, exitCode: 0 };
  }
  stderr.push(`${fn.functionName} failed: ${verdict.errorType ? `${verdict.errorType}: ` : ''}${verdict.message}`);
  withTail();
  if (!tail) stderr.push(`its log:  ${follow}`);
  // A failed run still logged its summary; print it where a successful one goes.
  const summary = tail ? findSummary(tail) : undefined;
  return { stdout: summary ? [JSON.stringify(summary, null, 2)] : [], stderr, exitCode: 1 };
}
