/**
 * Thin CloudFormation adapters: read a stack (telling "does not exist" apart from every other
 * error), read its outputs, and build a change set and wait until it is ready.
 */
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStacksCommand,
  type Change,
  type CloudFormationClient,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { DeployError } from '../cli/errors.ts';
import { describeError } from '../../rules/errors.ts';
import { errorName } from '../../rules/awsErrors.ts';
import { isNoChangeReason, type ResourceChangeLine } from './stackStatus.ts';
import { pollSettings, type PollOptions } from '../aws/wait.ts';

/**
 * CloudFormation says a stack is missing only with this ValidationError; AccessDenied, throttling
 * and the rest are real errors and must never be taken for "create it".
 */
export function isStackMissing(err: unknown, stackName: string): boolean {
  if (errorName(err) !== 'ValidationError' || !(err instanceof Error)) return false;
  return err.message === `Stack with id ${stackName} does not exist` || /^Stack with id .+ does not exist$/.test(err.message);
}

/** The stack, or undefined when there is none by that name (or id). */
export async function describeStack(cfn: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return out.Stacks?.[0];
  } catch (err) {
    if (isStackMissing(err, stackName)) return undefined;
    throw new DeployError(`could not read stack ${stackName}: ${describeError(err)}`, err, 'cloudformation:DescribeStacks');
  }
}

/** Every stack of this account in the client's region that is not deleted (DescribeStacks without a name, every page). */
export async function describeAllStacks(cfn: CloudFormationClient): Promise<Stack[]> {
  const stacks: Stack[] = [];
  let token: string | undefined;
  try {
    do {
      const page = await cfn.send(new DescribeStacksCommand({ NextToken: token }));
      stacks.push(...(page.Stacks ?? []));
      token = page.NextToken;
    } while (token);
  } catch (err) {
    throw new DeployError(`could not list the stacks of this account: ${describeError(err)}`, err, 'cloudformation:DescribeStacks');
  }
  return stacks;
}

/** The outputs of a described stack as a record. */
export function outputsOf(stack: Stack | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of stack?.Outputs ?? []) if (o.OutputKey && o.OutputValue !== undefined) out[o.OutputKey] = o.OutputValue;
  return out;
}

/** A deployed stack; a DeployError that says to deploy first when there is none. */
export async function findStack(cfn: CloudFormationClient, stackName: string): Promise<Stack> {
  const stack = await describeStack(cfn, stackName);
  if (!stack) throw new DeployError(`stack ${stackName} does not exist: deploy it first with npm run deploy`);
  return stack;
}

/** The outputs of a deployed stack; a DeployError that says to deploy first when there is none. */
export async function findStackOutputs(cfn: CloudFormationClient, stackName: string): Promise<Record<string, string>> {
  return outputsOf(await findStack(cfn, stackName));
}

/** A change set to create. */
export interface ChangeSetRequest {
  readonly stackName: string;
  readonly changeSetName: string;
  readonly type: 'CREATE' | 'UPDATE';
  readonly templateBody: string;
  readonly parameters: Readonly<Record<string, string>>;
  readonly description?: string;
}

/** A change set ready to execute, or the news that there is nothing to change (the empty set deleted). */
export type ChangeSetOutcome =
  | { readonly kind: 'changes'; readonly changeSetId: string; readonly stackId: string; readonly changes: ResourceChangeLine[] }
  | { readonly kind: 'no-changes' };

/** Default poll interval while CloudFormation computes a change set: 2 s. */
export const CHANGE_SET_POLL_INTERVAL_MS = 2_000;
/** Default deadline for a change set to be computed: 5 min. */
export const CHANGE_SET_TIMEOUT_MS = 5 * 60_000;

function toLine(c: Change): ResourceChangeLine {
  const rc = c.ResourceChange;
  const details = (rc?.Details ?? [])
    .map((d) => d.Target?.Name ?? d.Target?.Attribute)
    .filter((n): n is string => typeof n === 'string');
  return {
    action: rc?.Action ?? '?',
    logicalId: rc?.LogicalResourceId ?? '?',
    type: rc?.ResourceType ?? '?',
    replacement: rc?.Replacement,
    details: [...new Set(details)],
  };
}

/**
 * Creates a change set and waits until CloudFormation has computed it. An empty change set (either
 * of the two messages CloudFormation uses) is deleted and reported as `no-changes`; any other
 * failure is a DeployError with CloudFormation's reason.
 */
export async function createChangeSet(cfn: CloudFormationClient, request: ChangeSetRequest, options: PollOptions = {}): Promise<ChangeSetOutcome> {
  const { pollIntervalMs, timeoutMs, sleep, now } = pollSettings(options, { pollIntervalMs: CHANGE_SET_POLL_INTERVAL_MS, timeoutMs: CHANGE_SET_TIMEOUT_MS });
  let created;
  try {
    created = await cfn.send(
      new CreateChangeSetCommand({
        StackName: request.stackName,
        ChangeSetName: request.changeSetName,
        ChangeSetType: request.type,
        TemplateBody: request.templateBody,
        Parameters: Object.entries(request.parameters).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
        // The template names the execution role (the destination account's trust policy names it).
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        Description: request.description,
      }),
    );
  } catch (err) {
    if (errorName(err) === 'ValidationError' && err instanceof Error && isNoChangeReason(err.message)) return { kind: 'no-changes' };
    throw new DeployError(`could not create a change set for stack ${request.stackName} (cloudformation:CreateChangeSet): ${describeError(err)}`, err, 'cloudformation:CreateChangeSet');
  }
  const changeSetId = created.Id ?? request.changeSetName;
  const deadline = now() + timeoutMs;
  for (;;) {
    const changes: Change[] = [];
    let token: string | undefined;
    let desc;
    do {
      desc = await cfn.send(new DescribeChangeSetCommand({ ChangeSetName: changeSetId, StackName: request.stackName, NextToken: token }));
      changes.push(...(desc.Changes ?? []));
      token = desc.NextToken;
    } while (token);
    const status = desc.Status ?? '';
    if (status === 'CREATE_COMPLETE') {
      return { kind: 'changes', changeSetId, stackId: desc.StackId ?? created.StackId ?? request.stackName, changes: changes.map(toLine) };
    }
    if (status === 'FAILED' || status === 'DELETE_COMPLETE' || status === 'DELETE_FAILED') {
      // A failed change set lingers until deleted; a failure to delete it is harmless and must not
      // turn a no-op deploy into an error.
      await cfn.send(new DeleteChangeSetCommand({ ChangeSetName: changeSetId, StackName: request.stackName })).catch(() => undefined);
      if (isNoChangeReason(desc.StatusReason)) return { kind: 'no-changes' };
      throw new DeployError(`CloudFormation could not compute the change set for stack ${request.stackName}: ${desc.StatusReason ?? status}`);
    }
    if (now() >= deadline) {
      throw new DeployError(`the change set of stack ${request.stackName} was still ${status} after ${Math.round(timeoutMs / 1000)} s`);
    }
    await sleep(pollIntervalMs);
  }
}
