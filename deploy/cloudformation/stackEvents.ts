/**
 * Waiting for a stack operation while showing its events as they arrive, and collecting the
 * failed resources with their reasons.
 */
import { DescribeStackEventsCommand, type CloudFormationClient, type Stack, type StackEvent } from '@aws-sdk/client-cloudformation';
import { DeployError } from '../cli/errors.ts';
import { describeStack } from './stackApi.ts';
import { isInProgress, operationProgress, type StackSnapshot } from './stackStatus.ts';
import { pollSettings, type PollOptions } from '../aws/wait.ts';

/** Default poll interval of a stack wait: 5 s (CloudFormation itself moves in seconds). */
export const STACK_POLL_INTERVAL_MS = 5_000;
/** Default deadline of a stack wait: 60 min (IAM and Lambda creates take minutes at worst). */
export const STACK_TIMEOUT_MS = 60 * 60_000;

/** A resource that failed, and why. */
export interface FailedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly status: string;
  readonly reason: string;
}

/**
 * Which events belong to the operation being watched. Never the local clock: a clock ahead of
 * CloudFormation's would hide the operation's own failures.
 * - `{ clientRequestToken }`: the operation deploy started with that token. CloudFormation gives
 *   every event of an operation the token passed to the call that started it
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_StackEvent.html), so
 *   earlier operations' events never show, whatever their timestamps.
 * - `'new'`: an operation someone else started: the events that arrive after the first poll.
 */
export type EventScope = { readonly clientRequestToken: string } | 'new';

/** Reads the events of one stack operation, newest first, remembering what it already returned. */
export class StackEventPoller {
  private readonly seen = new Set<string>();
  private primed: boolean;
  /** Every event returned so far, oldest first. */
  readonly events: StackEvent[] = [];

  /**
   * @param stackId stack name or id (an id also reads a deleted stack)
   * @param scope which events belong to the operation watched
   */
  constructor(
    private readonly cfn: CloudFormationClient,
    private readonly stackId: string,
    private readonly scope: EventScope,
  ) {
    this.primed = scope !== 'new';
  }

  /** The events that arrived since the last poll, oldest first. */
  async poll(): Promise<StackEvent[]> {
    const token = this.scope === 'new' ? undefined : this.scope.clientRequestToken;
    const fresh: StackEvent[] = [];
    let next: string | undefined;
    pages: do {
      const page = await this.cfn.send(new DescribeStackEventsCommand({ StackName: this.stackId, NextToken: next }));
      for (const event of page.StackEvents ?? []) {
        if (!event.EventId || this.seen.has(event.EventId)) break pages;
        // Newest first: the first event of another operation ends ours (one operation runs at a time).
        if (token !== undefined && event.ClientRequestToken !== token) break pages;
        this.seen.add(event.EventId);
        if (this.primed) fresh.push(event);
      }
      // The first poll of an operation already running only marks what is there as seen.
      if (!this.primed) break;
      next = page.NextToken;
    } while (next);
    this.primed = true;
    fresh.reverse();
    this.events.push(...fresh);
    return fresh;
  }

  /** Resources that failed during the operation, with their reasons (cancellations left out: they are echoes). */
  failures(): FailedResource[] {
    return this.events
      .filter((e) => (e.ResourceStatus ?? '').endsWith('_FAILED') && !/cancelled/i.test(e.ResourceStatusReason ?? ''))
      .map((e) => ({ logicalId: e.LogicalResourceId ?? '?', type: e.ResourceType ?? '?', status: e.ResourceStatus ?? '?', reason: e.ResourceStatusReason ?? '(no reason given)' }));
  }
}

/** One event as a line: time, status, type, logical id, reason. */
export function formatEvent(e: StackEvent): string {
  const time = e.Timestamp ? e.Timestamp.toISOString().slice(11, 19) : '--:--:--';
  const reason = e.ResourceStatusReason ? `  ${e.ResourceStatusReason}` : '';
  return `${time}  ${(e.ResourceStatus ?? '').padEnd(28)} ${(e.ResourceType ?? '').padEnd(32)} ${e.LogicalResourceId ?? ''}${reason}`;
}

/** The operation a wait follows, when the caller has just started it. */
export interface StartedOperation {
  /** The ClientRequestToken the operation was started with: its events carry it. */
  readonly clientRequestToken: string;
  /** The stack as it was before the call that started the operation. */
  readonly before: StackSnapshot;
  /**
   * The change set's ExecutionStatus, asked only while the stack still shows `before` and nothing
   * else tells (an update that ends where the last one did looks the same before and after).
   * Default: not asked (a delete: its DELETE_IN_PROGRESS or DELETE_COMPLETE always differs).
   */
  readonly executionStatus?: () => Promise<string | undefined>;
}

export interface WaitForStackOptions extends PollOptions {
  /**
   * The operation the caller just started: its events only, and a stack that still shows its state
   * from before is "not started yet", not the end. Default: an operation already running, whose
   * events after the first poll are shown, and which ends when no status is in progress.
   */
  operation?: StartedOperation;
  /** Called with each new event, oldest first (the live view). Default: nothing. */
  onEvent?: (event: StackEvent) => void;
}

/** The stack at the end of the wait, and the events seen during it. */
export interface WaitResult {
  /** Undefined when the stack is gone (a delete finished, read by name). */
  readonly stack: Stack | undefined;
  readonly poller: StackEventPoller;
}

/**
 * Polls until the stack's operation has ended (no status in progress and, for an operation the
 * caller started, see {@link operationProgress}), showing its events as they arrive. Poll interval
 * default {@link STACK_POLL_INTERVAL_MS}, deadline default {@link STACK_TIMEOUT_MS}; past the
 * deadline it throws a DeployError that says how to keep watching.
 */
export async function waitForStack(cfn: CloudFormationClient, stackId: string, options: WaitForStackOptions = {}): Promise<WaitResult> {
  const { pollIntervalMs, timeoutMs, sleep, now } = pollSettings(options, { pollIntervalMs: STACK_POLL_INTERVAL_MS, timeoutMs: STACK_TIMEOUT_MS });
  const { operation } = options;
  const poller = new StackEventPoller(cfn, stackId, operation ? { clientRequestToken: operation.clientRequestToken } : 'new');
  const deadline = now() + timeoutMs;
  for (;;) {
    const stack = await describeStack(cfn, stackId);
    const status = stack?.StackStatus;
    if (stack) for (const event of await poller.poll()) options.onEvent?.(event);
    let ended: boolean;
    if (!operation) ended = status === undefined || !isInProgress(status);
    else {
      const signals = { before: operation.before, now: snapshotOf(stack), ownStackEvent: poller.events.findLast((e) => e.ResourceType === 'AWS::CloudFormation::Stack')?.ResourceStatus };
      let progress = operationProgress(signals);
      if (progress === 'ask-change-set' && operation.executionStatus) progress = operationProgress({ ...signals, executionStatus: (await operation.executionStatus()) ?? '' });
      ended = progress === 'ended';
    }
    if (ended) return { stack, poller };
    if (now() >= deadline) {
      const name = stack?.StackName ?? stackId;
      const watch = `watch it with  aws cloudformation describe-stack-events --stack-name ${name}  and rerun npm run deploy when it has finished`;
      if (status !== undefined && !isInProgress(status)) {
        throw new DeployError(`stack ${name} still showed ${status} ${Math.round(timeoutMs / 1000)} s after the operation was requested: it has not started; ${watch}`);
      }
      throw new DeployError(`stack ${name} is still ${status} after ${Math.round(timeoutMs / 1000)} s; it goes on without us: ${watch}`);
    }
    await sleep(pollIntervalMs);
  }
}

/** The state of a stack that tells one operation from the next. */
export function snapshotOf(stack: Stack | undefined): StackSnapshot {
  return { status: stack?.StackStatus ?? 'DELETE_COMPLETE', lastUpdatedTime: stack?.LastUpdatedTime?.getTime() };
}
