/**
 * `npm run destroy`: deletes the stack — the function, its role, the schedule, the queues, the log
 * group — and takes the stack's own statements out of the source bucket policy (unless
 * `--keep-source-policy`), after saying both (and asking, unless `--yes`; `--plan` only says), and
 * waits with the same event view as deploy. The buckets are never part of the stack: source,
 * destination and artifact buckets stay, and so does every other statement of the bucket policy
 * (other partners' stacks, the bucket owner's own).
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
import type { S3Client } from '@aws-sdk/client-s3';
import { getBucketPolicy, planRemoval, removeSourcePolicy, stackStatements, type SourcePolicyPlan, type StackStatements } from '../../aws/sourcePolicy.ts';
import { TRUST_POLICY_FILE } from '../../../rules/names.ts';

export interface DestroyDeps {
  readonly cfn: CloudFormationClient;
  /** Reads and writes the source bucket policy (the stack's statements). */
  readonly s3: S3Client;
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

/** What destroy did ('planned': `--plan`, nothing changed). */
export type DestroyOutcome = 'deleted' | 'declined' | 'planned';

/** What destroy does to the source bucket policy. */
export interface DestroyOptions {
  readonly yes: boolean;
  /** Leave the stack's statements in the source bucket policy. Default false. */
  readonly keepSourcePolicy?: boolean;
  /** Say what would be done, change nothing. Default false. */
  readonly plan?: boolean;
}

/** The stack's statements in the source bucket policy: what to take out, found from the stack's parameters. */
interface SourceStatements {
  readonly bucket: string;
  readonly account: string;
  readonly own: StackStatements;
  readonly plan: SourcePolicyPlan;
}

/**
 * Reads the source bucket policy and plans taking the stack's statements out of it, from the
 * stack's parameters (the bucket, the day format and the partner's role name its statements).
 * Undefined when the stack does not name them (not deployed by this release of s3-push). A policy
 * that cannot be read stops destroy before any change: its statements would be left behind unseen.
 */
async function planSourceStatements(target: StackTarget, params: ReadonlyMap<string, string>, account: string, s3: S3Client): Promise<SourceStatements | undefined> {
  const bucket = params.get('SourceBucket');
  const prefixFormat = params.get('PrefixFormat');
  const destinationRoleArn = params.get('DestinationRoleArn');
  if (!bucket || prefixFormat === undefined || !destinationRoleArn) return undefined;
  const own = stackStatements({ stack: { stackName: target.stackName, region: target.region }, sourceBucket: bucket, prefixFormat, destinationRoleArn });
  let existing;
  try {
    existing = await getBucketPolicy(s3, bucket, account);
  } catch (err) {
    throw new DeployError(`${err instanceof Error ? err.message : String(err)}: nothing deleted. The stack's statements there must be seen to be taken out; ` +
      `allow s3:GetBucketPolicy and s3:PutBucketPolicy on ${bucket}, or pass --keep-source-policy to delete the stack and leave them`, err, 's3:GetBucketPolicy');
  }
  return { bucket, account, own, plan: planRemoval(existing, own) };
}

/** What taking the stack's statements out does, as lines. Pure. */
export function describeRemoval(source: SourceStatements, keep: boolean): string[] {
  const { bucket, plan, own } = source;
  const lines: string[] = [];
  const names = plan.removed.map((s) => s.Sid ?? '(no Sid)');
  if (names.length === 0) lines.push(`source bucket policy of ${bucket}: holds none of this stack's statements (Sids ${own.sids.join(', ')}): unchanged.`);
  else if (keep) lines.push(`source bucket policy of ${bucket}: this stack's statements ${names.join(', ')} are KEPT (--keep-source-policy): they still let ${own.principal} read the source; npm run destroy without the flag takes them out.`);
  else {
    const left = plan.policy === undefined ? 0 : (Array.isArray(plan.policy.Statement) ? plan.policy.Statement.length : 1);
    lines.push(`source bucket policy of ${bucket}: this stack's statements ${names.join(', ')} will be taken out; ${left === 0 ? 'no statement is left, so the policy is deleted' : `the ${left} other statement(s) are kept`}.`);
  }
  for (const f of plan.foreign) lines.push(`  kept: ${f.sid} has this stack's Sid but grants what it does not (${f.beyond.join('; ')}): not this stack's to remove.`);
  for (const k of plan.keptLegacy) lines.push(`  kept: ${k.sid}: ${k.why}.`);
  return lines;
}

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
export async function runDestroy(target: StackTarget, options: DestroyOptions, deps: DestroyDeps): Promise<DestroyOutcome> {
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
  const keep = options.keepSourcePolicy ?? false;
  const account = stack.StackId?.split(':')[4] ?? '';
  const source = await planSourceStatements(target, params, account, deps.s3).catch((err: unknown) => {
    if (keep) return undefined;
    throw err;
  });
  if (source) for (const line of describeRemoval(source, keep)) log(line);
  else if (!keep) log('source bucket policy: the stack names no source bucket, day format and role (an older deploy): take its statements out by hand.');

  if (options.plan) {
    log('--plan: nothing changed.');
    return 'planned';
  }
  if (!options.yes) {
    if (!deps.confirm) {
      throw new ConfigError([`not a terminal, so no one can confirm: pass --yes to delete stack ${stackName}`], 'nothing deleted');
    }
    if (!(await deps.confirm(`delete stack ${stackName}? [y/N] `))) {
      log('not deleted.');
      return 'declined';
    }
  }

  if (source && !keep && source.plan.changed) {
    // Before the stack: a delete that fails half-way leaves a function that can no longer read,
    // never a partner's read access without a stack.
    const done = await removeSourcePolicy(deps.s3, source.bucket, source.account, source.own);
    log(`took this stack's statements ${done.removed.map((st) => st.Sid ?? '(no Sid)').join(', ')} out of the bucket policy of ${source.bucket}${done.policy === undefined ? ' (deleted: nothing else was in it)' : ''}.`);
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
