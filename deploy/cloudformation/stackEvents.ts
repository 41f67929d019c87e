/**
 * Waiting for a stack operation while showing its events as they arrive, and collecting the
 * failed resources with their reasons.
 */
import { DescribeStackEventsCommand, type CloudFormationClient, type Stack, type StackEvent } from '@aws-sdk/client-cloudformation';
import { DeployError } from '../cli/errors.ts';
import { describeStack } from './stackApi.ts';
import { isInProgress } from './stackStatus.ts';
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

/** Reads the events of one stack operation, newest first, remembering what it already returned. */
export class StackEventPoller {
  private readonly seen = new Set<string>();
  /** Every event returned so far, oldest first. */
  readonly events: StackEvent[] = [];

  /**
   * @param stackId stack name or id (an id also reads a deleted stack)
   * @param since events older than this belong to earlier operations and are skipped
   */
  constructor(
    private readonly cfn: CloudFormationClient,
    private readonly stackId: string,
    private readonly since: Date,
  ) {}

  /** The events that arrived since the last poll, oldest first. */
  async poll(): Promise<StackEvent[]> {
    const fresh: StackEvent[] = [];
    let token: string | undefined;
    pages: do {
      const page = await this.cfn.send(new DescribeStackEventsCommand({ StackName: this.stackId, NextToken: token }));
      for (const event of page.StackEvents ?? []) {
        if (!event.EventId || this.seen.has(event.EventId)) break pages;
        if (event.Timestamp && event.Timestamp.getTime() < this.since.getTime()) break pages;
        this.seen.add(event.EventId);
        fresh.push(event);
      }
      token = page.NextToken;
    } while (token);
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

export interface WaitForStackOptions extends PollOptions {
  /** Show only events at or after this time. Default: now. */
  since?: Date;
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
 * Polls until the stack leaves every *_IN_PROGRESS status, showing its events as they arrive.
 * Poll interval default {@link STACK_POLL_INTERVAL_MS}, deadline default {@link STACK_TIMEOUT_MS};
 * past the deadline it throws a DeployError that says how to keep watching.
 */
export async function waitForStack(cfn: CloudFormationClient, stackId: string, options: WaitForStackOptions = {}): Promise<WaitResult> {
  const { pollIntervalMs, timeoutMs, sleep, now } = pollSettings(options, { pollIntervalMs: STACK_POLL_INTERVAL_MS, timeoutMs: STACK_TIMEOUT_MS });
  const poller = new StackEventPoller(cfn, stackId, options.since ?? new Date(now()));
  const deadline = now() + timeoutMs;
  for (;;) {
    const stack = await describeStack(cfn, stackId);
    const status = stack?.StackStatus;
    if (stack) for (const event of await poller.poll()) options.onEvent?.(event);
    if (status === undefined || !isInProgress(status)) return { stack, poller };
    if (now() >= deadline) {
      throw new DeployError(
        `stack ${stack?.StackName ?? stackId} is still ${status} after ${Math.round(timeoutMs / 1000)} s; ` +
          `it goes on without us: watch it with  aws cloudformation describe-stack-events --stack-name ${stack?.StackName ?? stackId}  and rerun npm run deploy when it has finished`,
      );
    }
    await sleep(pollIntervalMs);
  }
}
