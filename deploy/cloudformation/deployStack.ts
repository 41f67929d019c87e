/**
 * Creates or updates the stack through a change set: shows the changes, stops there with `plan`,
 * treats an empty change set as a successful no-op, recreates a stack left in ROLLBACK_COMPLETE,
 * waits for an operation already running, refuses stuck states with the command that unsticks them,
 * and streams the events while it executes.
 */
import { randomUUID } from 'node:crypto';
import { DeleteChangeSetCommand, DeleteStackCommand, DescribeChangeSetCommand, ExecuteChangeSetCommand, type CloudFormationClient, type Stack, type StackEvent } from '@aws-sdk/client-cloudformation';
import { DeployError } from '../cli/errors.ts';
import { describeError } from '../../rules/errors.ts';
import { createChangeSet, describeStack, type ChangeSetRequest } from './stackApi.ts';
import { waitForStack, formatEvent, snapshotOf, type FailedResource } from './stackEvents.ts';
import { decideStackAction, formatChanges, isSuccess } from './stackStatus.ts';
import type { PollOptions } from '../aws/wait.ts';

/** What happened to the stack. */
export type StackOutcome = 'created' | 'updated' | 'no-changes' | 'planned';

export interface DeployStackResult {
  readonly outcome: StackOutcome;
  /** The stack after the operation (undefined after a plan of a stack that does not exist). */
  readonly stack: Stack | undefined;
  /** The stack the change set was computed against (undefined: there was none, or it was recreated). */
  readonly previous: Stack | undefined;
}

/** The stack operation deploy started ended in a failure; `status` is where it ended. */
export class StackOperationError extends DeployError {
  override name = 'StackOperationError';

  constructor(message: string, readonly status: string) {
    super(message);
  }
}

export interface DeployStackRequest {
  readonly stackName: string;
  readonly templateBody: string;
  readonly parameters: Readonly<Record<string, string>>;
  /** Show the change set and stop (deleting it). Default false. */
  readonly plan?: boolean;
  /** Prints one line for the operator. */
  readonly log: (line: string) => void;
  /** Waits for the stack (interval, deadline). Defaults of {@link waitForStack}. */
  readonly stackWait?: PollOptions;
  /** Waits for the change set. Defaults of {@link createChangeSet}. */
  readonly changeSetWait?: PollOptions;
  /** Change set names must be unique per stack. Default `s3-push-<epoch ms>`. */
  readonly changeSetName?: string;
  /**
   * The ClientRequestToken of the operations deploy starts (ExecuteChangeSet, DeleteStack), which
   * their events carry. Default `s3-push-<random UUID>`.
   */
  readonly clientRequestToken?: string;
  /** The stack as the caller just read it (`stack` undefined: there is none). Default: read here. */
  readonly current?: { readonly stack: Stack | undefined };
}

function failureMessage(stackName: string, status: string, failures: readonly FailedResource[]): string {
  const lines = failures.map((f) => `  ${f.logicalId} (${f.type}) ${f.status}: ${f.reason}`);
  return [
    `stack ${stackName} ended ${status}.`,
    ...(lines.length > 0 ? ['failed resources:', ...lines] : [`no resource reported a failure; see  aws cloudformation describe-stack-events --stack-name ${stackName}`]),
  ].join('\n');
}

/** Creates or updates the stack; see the module comment for every case. */
export async function deployStack(cfn: CloudFormationClient, request: DeployStackRequest): Promise<DeployStackResult> {
  const { stackName, log } = request;
  const onEvent = (e: StackEvent) => log(`  ${formatEvent(e)}`);
  // CloudFormation's pattern for it: [a-zA-Z0-9][-a-zA-Z0-9]*, at most 128 characters.
  const clientRequestToken = request.clientRequestToken ?? `s3-push-${randomUUID()}`;
  let stack = request.current !== undefined ? request.current.stack : await describeStack(cfn, stackName);

  for (;;) {
    const action = decideStackAction(stackName, stack?.StackStatus);
    if (action.kind === 'stuck') throw new DeployError(`${action.why}.\n  fix: ${action.fix}`);
    if (action.kind === 'wait') {
      log(`stack ${stackName} is ${stack?.StackStatus}: another operation is running; waiting for it to finish`);
      stack = (await waitForStack(cfn, stack?.StackId ?? stackName, { ...request.stackWait, onEvent })).stack;
      continue;
    }
    if (action.kind === 'recreate') {
      if (request.plan) {
        log(`stack ${stackName} is ROLLBACK_COMPLETE (its first create failed): deploy will delete it and create it again`);
        return { outcome: 'planned', stack, previous: stack };
      }
      log(`stack ${stackName} is ROLLBACK_COMPLETE (its first create failed and left nothing): deleting it to create it again`);
      const id = stack?.StackId ?? stackName;
      const token = `${clientRequestToken}-delete`.slice(0, 128);
      try {
        await cfn.send(new DeleteStackCommand({ StackName: id, ClientRequestToken: token }));
      } catch (err) {
        throw new DeployError(`could not delete stack ${stackName} (ROLLBACK_COMPLETE): ${describeError(err)}`, err);
      }
      const after = (await waitForStack(cfn, id, { ...request.stackWait, onEvent, operation: { clientRequestToken: token, before: snapshotOf(stack) } })).stack;
      if (after && after.StackStatus !== 'DELETE_COMPLETE') {
        throw new DeployError(`stack ${stackName} could not be deleted: it is ${after.StackStatus}.\n  fix: aws cloudformation delete-stack --stack-name ${stackName}`);
      }
      stack = undefined;
      continue;
    }
    break;
  }

  const type = stack === undefined || stack.StackStatus === 'REVIEW_IN_PROGRESS' ? 'CREATE' : 'UPDATE';
  const changeSet: ChangeSetRequest = {
    stackName,
    changeSetName: request.changeSetName ?? `s3-push-${Date.now()}`,
    type,
    templateBody: request.templateBody,
    parameters: request.parameters,
    description: 's3-push deploy',
  };
  log(`${type === 'CREATE' ? 'creating' : 'updating'} stack ${stackName}: computing the change set`);
  const outcome = await createChangeSet(cfn, changeSet, request.changeSetWait);
  if (outcome.kind === 'no-changes') {
    log(`no changes: stack ${stackName} is up to date`);
    return { outcome: 'no-changes', stack, previous: stack };
  }
  log(outcome.changes.length > 0 ? `changes (${outcome.changes.length}):` : 'changes: parameters only, CloudFormation lists no resource change');
  for (const line of formatChanges(outcome.changes)) log(`  ${line}`);

  if (request.plan) {
    await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: outcome.changeSetId, StackName: stackName }));
    // A CREATE change set made an empty REVIEW_IN_PROGRESS stack; a plan leaves nothing behind.
    if (type === 'CREATE') await cfn.send(new DeleteStackCommand({ StackName: outcome.stackId }));
    log('--plan: nothing executed; the change set was deleted');
    return { outcome: 'planned', stack: type === 'CREATE' ? undefined : stack, previous: stack };
  }

  // A CREATE change set made the stack, in REVIEW_IN_PROGRESS.
  const before = type === 'CREATE' ? { status: 'REVIEW_IN_PROGRESS' } : snapshotOf(stack);
  try {
    await cfn.send(new ExecuteChangeSetCommand({ ChangeSetName: outcome.changeSetId, StackName: stackName, ClientRequestToken: clientRequestToken }));
  } catch (err) {
    throw new DeployError(`could not execute the change set of stack ${stackName} (cloudformation:ExecuteChangeSet): ${describeError(err)}`, err, 'cloudformation:ExecuteChangeSet');
  }
  log(`executing the change set; stack events:`);
  const executionStatus = async () => (await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: outcome.changeSetId, StackName: stackName }))).ExecutionStatus;
  const { stack: final, poller } = await waitForStack(cfn, outcome.stackId, { ...request.stackWait, onEvent, operation: { clientRequestToken, before, executionStatus } });
  const status = final?.StackStatus ?? 'DELETE_COMPLETE';
  if (!isSuccess(status)) throw new StackOperationError(failureMessage(stackName, status, poller.failures()), status);
  return { outcome: type === 'CREATE' ? 'created' : 'updated', stack: final, previous: type === 'CREATE' ? undefined : stack };
}
