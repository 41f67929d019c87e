/**
 * `npm run destroy`: deletes the stack — the function, its role, the schedule, the queues, the log
 * group — after saying so (and asking, unless `--yes`), and waits with the same event view as
 * deploy. The buckets are never part of the stack: source, destination and artifact buckets stay.
 */
import { randomUUID } from 'node:crypto';
import { DeleteStackCommand, DescribeStackResourcesCommand, type CloudFormationClient, type StackEvent, type StackResource } from '@aws-sdk/client-cloudformation';
import { DeployError } from '../../cli/errors.ts';
import { ConfigError, describeError } from '../../../rules/errors.ts';
import { describeStack } from '../../cloudformation/stackApi.ts';
import { formatEvent, snapshotOf, waitForStack } from '../../cloudformation/stackEvents.ts';
import { isInProgress } from '../../cloudformation/stackStatus.ts';
import type { StackTarget } from '../../cloudformation/stackTarget.ts';
import type { PollOptions } from '../../aws/wait.ts';
import { TRUST_POLICY_FILE } from '../../../rules/names.ts';

export interface DestroyDeps {
  readonly cfn: CloudFormationClient;
  /** Prints one line for the operator. */
  readonly log: (line: string) => void;
  /**
   * Asks a yes/no question on the terminal; undefined when there is none (CI, a pipe): then only
   * `--yes` deletes.
   */
  readonly confirm: ((question: string) => Promise<boolean>) | undefined;
  /** The wait for the delete. Defaults of {@link waitForStack}. */
  readonly wait?: PollOptions;
}

/** What destroy did. */
export type DestroyOutcome = 'deleted' | 'declined';

/** The stack's parameters that name buckets: what destroy says it keeps. */
const KEPT_BUCKETS: readonly [string, string][] = [
  ['SourceBucket', 'source'],
  ['DestinationBucket', 'destination'],
  ['ArtifactBucket', 'artifact'],
];

async function stackResources(cfn: CloudFormationClient, stackName: string): Promise<StackResource[]> {
  try {
    // At most 100 resources: the s3-push stack has about a dozen.
    return (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
  } catch (err) {
    throw new DeployError(`could not list the resources of stack ${stackName}: ${describeError(err)}`, err);
  }
}

/**
 * Deletes the stack of `target`. A stack that does not exist is a {@link DeployError} naming it and
 * the region (a typo in `--stack` must not pass for a delete done); a declined question deletes
 * nothing ('declined'); without a terminal and without `yes` it refuses with a
 * {@link ConfigError} (exit 2) before any change. A delete that fails is a {@link DeployError}
 * listing the resources that failed and why.
 */
export async function runDestroy(target: StackTarget, options: { readonly yes: boolean }, deps: DestroyDeps): Promise<DestroyOutcome> {
  const { cfn, log } = deps;
  const { stackName } = target;
  const stack = await describeStack(cfn, stackName);
  if (!stack || stack.StackStatus === 'DELETE_COMPLETE') {
    throw new DeployError(`stack ${stackName} does not exist in ${target.region}: nothing deleted (is the name right, --stack or S3_REPLICATE_STACK_NAME, and the region, AWS_REGION or AWS_DEFAULT_REGION?)`);
  }
  const status = stack.StackStatus ?? '?';
  if (isInProgress(status) && status !== 'DELETE_IN_PROGRESS') {
    throw new DeployError(`stack ${stackName} is ${status}: wait until that operation ends, then run npm run destroy again`);
  }

  const resources = await stackResources(cfn, stackName);
  log(`stack ${stackName} (${status}, ${target.region}) will be deleted with its ${resources.length} resource(s):`);
  for (const r of resources) log(`  - ${(r.ResourceType ?? '?').padEnd(32)} ${r.PhysicalResourceId ?? r.LogicalResourceId ?? '?'}`);
  const params = new Map((stack.Parameters ?? []).map((p) => [p.ParameterKey ?? '', p.ParameterValue ?? '']));
  const kept = KEPT_BUCKETS.filter(([key]) => params.get(key)).map(([key, what]) => `${what} bucket ${params.get(key)}`);
  log(`kept (not part of the stack): ${kept.length > 0 ? kept.join(', ') : 'the source, destination and artifact buckets'}, and their objects.`);
  log(`in the destination account, the role and its trust policy stay; a redeployed function has a new execution role, so apply ${TRUST_POLICY_FILE} again after npm run deploy.`);

  if (!options.yes) {
    if (!deps.confirm) {
      throw new ConfigError([`not a terminal, so no one can confirm: pass --yes to delete stack ${stackName}`], 'nothing deleted');
    }
    if (!(await deps.confirm(`delete stack ${stackName}? [y/N] `))) {
      log('not deleted.');
      return 'declined';
    }
  }

  const stackId = stack.StackId ?? stackName;
  // The delete's events carry this token; one already running is watched from its next event on.
  const operation = status === 'DELETE_IN_PROGRESS' ? undefined : { clientRequestToken: `s3-push-destroy-${randomUUID()}`, before: snapshotOf(stack) };
  if (operation) {
    try {
      await cfn.send(new DeleteStackCommand({ StackName: stackId, ClientRequestToken: operation.clientRequestToken }));
    } catch (err) {
      throw new DeployError(`could not delete stack ${stackName}: ${describeError(err)}`, err);
    }
  }
  log(`deleting stack ${stackName}…`);
  // By id: a deleted stack stays readable by id (DELETE_COMPLETE) but not by name.
  const { stack: after, poller } = await waitForStack(cfn, stackId, { ...deps.wait, operation, onEvent: (e: StackEvent) => log(`  ${formatEvent(e)}`) });
  const final = after?.StackStatus;
  if (final !== undefined && final !== 'DELETE_COMPLETE') {
    const failures = poller.failures().map((f) => `  ${f.logicalId} (${f.type}) ${f.status}: ${f.reason}`);
    throw new DeployError([
      `stack ${stackName} ended ${final}.`,
      ...(failures.length > 0 ? ['failed resources:', ...failures] : []),
      `fix what blocks the resource(s), then run npm run destroy again (or aws cloudformation delete-stack --stack-name ${stackName} --retain-resources <logical id> to leave one behind)`,
    ].join('\n'));
  }
  log(`stack ${stackName} deleted.`);
  return 'deleted';
}
