/**
 * What a stack's status means for a deploy. Pure: no SDK import.
 */

/** What deploy does with a stack in a given state. */
export type StackAction =
  /** No stack (or one left in REVIEW_IN_PROGRESS by a change set never executed): create it. */
  | { kind: 'create' }
  /** A stable stack: update it through a change set. */
  | { kind: 'update' }
  /** A create that failed and rolled back: the stack holds nothing; delete it, then create. */
  | { kind: 'recreate' }
  /** An operation is running: wait for it to end, then decide again. */
  | { kind: 'wait' }
  /** A state only the operator can resolve; `fix` is the command that does it. */
  | { kind: 'stuck'; why: string; fix: string };

/** True for a status an operation is still moving through. */
export function isInProgress(status: string): boolean {
  return status.endsWith('_IN_PROGRESS') && status !== 'REVIEW_IN_PROGRESS';
}

/** True when the last operation ended well. */
export function isSuccess(status: string): boolean {
  return status.endsWith('_COMPLETE') && !status.includes('ROLLBACK') && status !== 'DELETE_COMPLETE';
}

/** Decides what deploy does with a stack in `status` (undefined: no such stack). */
export function decideStackAction(stackName: string, status: string | undefined): StackAction {
  if (status === undefined || status === 'REVIEW_IN_PROGRESS' || status === 'DELETE_COMPLETE') return { kind: 'create' };
  if (isInProgress(status)) return { kind: 'wait' };
  switch (status) {
    case 'CREATE_COMPLETE':
    case 'UPDATE_COMPLETE':
    case 'UPDATE_ROLLBACK_COMPLETE':
    case 'IMPORT_COMPLETE':
    case 'IMPORT_ROLLBACK_COMPLETE':
    case 'UPDATE_FAILED': // an update failed with rollback disabled: the stack can be updated again
      return { kind: 'update' };
    case 'ROLLBACK_COMPLETE':
      return { kind: 'recreate' };
    case 'UPDATE_ROLLBACK_FAILED':
      return {
        kind: 'stuck',
        why: `stack ${stackName} is UPDATE_ROLLBACK_FAILED: an update failed and so did its rollback; CloudFormation accepts no update until the rollback is finished`,
        fix: `aws cloudformation continue-update-rollback --stack-name ${stackName}   (then rerun npm run deploy; see its --resources-to-skip if a resource cannot roll back)`,
      };
    case 'IMPORT_ROLLBACK_FAILED':
    case 'ROLLBACK_FAILED':
    case 'CREATE_FAILED':
    case 'DELETE_FAILED':
      return {
        kind: 'stuck',
        why: `stack ${stackName} is ${status}: it cannot be updated and must be deleted first`,
        fix: `aws cloudformation delete-stack --stack-name ${stackName}   (then rerun npm run deploy; the source and destination buckets are not part of the stack)`,
      };
    default:
      return { kind: 'stuck', why: `stack ${stackName} is in the unexpected state ${status}`, fix: `aws cloudformation describe-stack-events --stack-name ${stackName}` };
  }
}

/** One line per resource change of a change set, for the operator to read before it runs. */
export interface ResourceChangeLine {
  readonly action: string;
  readonly logicalId: string;
  readonly type: string;
  readonly replacement?: string | undefined;
  readonly details?: readonly string[] | undefined;
}

/** Formats a change set's resource changes as aligned lines (`+ Add`, `~ Modify`, `- Remove`). */
export function formatChanges(changes: readonly ResourceChangeLine[]): string[] {
  const sign: Record<string, string> = { Add: '+', Modify: '~', Remove: '-', Import: '>', Dynamic: '?' };
  const width = Math.max(0, ...changes.map((c) => c.logicalId.length));
  return changes.map((c) => {
    const replace = c.replacement === 'True' ? '  (REPLACED)' : c.replacement === 'Conditional' ? '  (may be replaced)' : '';
    const details = c.details && c.details.length > 0 ? `  [${c.details.join(', ')}]` : '';
    return `${sign[c.action] ?? '?'} ${c.action.padEnd(6)} ${c.logicalId.padEnd(width)}  ${c.type}${replace}${details}`;
  });
}

/**
 * True when a change set's status reason (or an error message) says there is nothing to change.
 * CloudFormation says it two ways: a change set that is FAILED with "The submitted information
 * didn't contain changes. Submit different information to create a change set.", and an update
 * refused with the ValidationError "No updates are to be performed.".
 */
export function isNoChangeReason(reason: string | undefined): boolean {
  if (!reason) return false;
  return reason.includes("didn't contain changes") || reason.includes('No updates are to be performed');
}

/** What tells one stack operation from the next: its status and when it was last updated. */
export interface StackSnapshot {
  readonly status: string;
  /** LastUpdatedTime in ms; undefined for a stack never updated (and on emulators that leave it out). */
  readonly lastUpdatedTime?: number | undefined;
}

/** What is known about an operation just requested. */
export interface OperationSignals {
  /** The stack before the call that started the operation. */
  readonly before: StackSnapshot;
  /** The stack as DescribeStacks shows it now. */
  readonly now: StackSnapshot;
  /** The status of the newest stack-level event that carries the operation's ClientRequestToken. */
  readonly ownStackEvent?: string | undefined;
  /** The change set's ExecutionStatus, when it was asked. */
  readonly executionStatus?: string | undefined;
}

/**
 * Whether an operation just requested (ExecuteChangeSet, DeleteStack) has ended. DescribeStacks
 * may still show the stack as it was right after the call: REVIEW_IN_PROGRESS (a new stack whose
 * change set has not started) or the previous `*_COMPLETE`. That is "not started yet", never the
 * end: an update taken for finished there would be reported as a success it has not had.
 * - `ended`: no status in progress, and the stack shows the operation's result: a status or
 *   LastUpdatedTime other than before, or the operation's own stack-level event in that status,
 *   or a change set whose ExecutionStatus is EXECUTE_COMPLETE or EXECUTE_FAILED;
 * - `ask-change-set`: the stack looks exactly as before, and only the change set can tell (an
 *   update that ends where the last one did, UPDATE_COMPLETE again, looks the same; the change
 *   set's ExecutionStatus is AVAILABLE until it runs, then EXECUTE_IN_PROGRESS, EXECUTE_COMPLETE or
 *   EXECUTE_FAILED: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html);
 * - `waiting`: running, or not started yet.
 */
export function operationProgress(signals: OperationSignals): 'ended' | 'waiting' | 'ask-change-set' {
  const { before, now, ownStackEvent, executionStatus } = signals;
  if (isInProgress(now.status) || now.status === 'REVIEW_IN_PROGRESS') return 'waiting';
  if (now.status !== before.status || now.lastUpdatedTime !== before.lastUpdatedTime) return 'ended';
  if (ownStackEvent === now.status) return 'ended';
  if (executionStatus === 'EXECUTE_COMPLETE' || executionStatus === 'EXECUTE_FAILED') return 'ended';
  return executionStatus === undefined ? 'ask-change-set' : 'waiting';
}
