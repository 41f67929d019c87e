/**
 * What deploy prints at its end: the stack's outcome and outputs, and the next steps — the manual
 * steps in both accounts, written as the commands to run, for the state the deploy found (the
 * source bucket policy, push on write, the alarms' recipients). Pure: the flow gathers the facts,
 * these functions only render them.
 */
import type { DeployConfig } from '../../config/config.ts';
import type { StackOutcome } from '../../cloudformation/deployStack.ts';
import { roleNameOf } from '../../../rules/awsNames.ts';
import { DEFAULT_MAX_DELETES_PER_DAY } from '../../../handler/copy/extras.ts';
import { subscriptionAdvice, type SubscriptionState } from '../../aws/alarmTopic.ts';
import { BUCKET_POLICY_MAX_BYTES, type SourcePolicyPlan } from '../../aws/sourcePolicy.ts';
import { LEGACY_SOURCE_POLICY_SIDS, sourcePolicySids } from '../../../rules/sourcePolicySids.ts';
import { DESTINATION_ROLE_POLICY_FILE, SOURCE_KEY_POLICY_FILE, SOURCE_KEY_POLICY_SID, SOURCE_POLICY_FILE, TRUST_POLICY_FILE, TRUST_POLICY_SID } from '../../../rules/names.ts';

/**
 * The source bucket's policy as the deploy left it:
 * - `applied`: `--apply-source-policy` merged s3-push's statements in just now;
 * - `in-place`: the policy already holds them, as rendered (an earlier `--apply-source-policy`, or
 *   the printed `put-bucket-policy` followed);
 * - `no-policy`: the bucket has no policy, so `put-bucket-policy` with the rendered file is safe;
 * - `other-policy`: the bucket has a policy without s3-push's statements as rendered, which
 *   `put-bucket-policy` would replace;
 * - `unknown`: the policy could not be read.
 */
export type SourcePolicyState = 'applied' | 'in-place' | 'no-policy' | 'other-policy' | 'unknown';

/** What the next steps depend on, besides the config. */
export interface NextStepsFacts {
  readonly sourcePolicy: SourcePolicyState;
  /** `--enable-source-events`: whether EventBridge delivery is on for the source bucket (`not-requested` without the flag). */
  readonly sourceEvents: 'enabled' | 'unchanged' | 'not-requested';
  /** How to name each rendered document in a command: its path, relative to the working directory when under it. */
  readonly files: Readonly<Record<string, string>>;
  /** Where S3_REPLICATE_ALARM_EMAIL stands on the alarm topic after the deploy; absent when not read. */
  readonly alarmEmail?: { readonly state: SubscriptionState; readonly topicArn: string };
}

/** The config fields the next steps name. */
export type NextStepsConfig = Pick<DeployConfig,
  'account' | 'destinationAccount' | 'sourceBucket' | 'sourceKeyPrefix' | 'destinationRoleArn' | 'sourceKmsKeyArn' | 'pushOnWrite' | 'alarmTopicArn' | 'alarmEmail' | 'region' | 'stackName'> &
  Partial<Pick<DeployConfig, 'exactDays' | 'exactDaysMaxDeletes' | 'destinationBucket' | 'destinationPrefix' | 'destinationPrefixFormat'>>;

/**
 * The jq command that merges the one statement of a rendered document into a policy by its Sid:
 * every other statement is kept (a `Statement` given as one object too), a statement of that Sid —
 * s3-push's own — replaced. The result goes to `merged`, readable by the operator only (a trust
 * policy holds the external id).
 */
export function mergeBySidCommand(statementFile: string, current: string, merged: string): string {
  return `(umask 077; jq -c --slurpfile add ${statementFile} '$add[0].Statement[0] as $s | .Statement = ([.Statement] | flatten | map(select(.Sid != $s.Sid))) + [$s]' ${current} > ${merged})`;
}

/**
 * IAM's default quota on a role's trust policy: 2,048 characters, adjustable up to 4,096 (Service
 * Quotas, "Role trust policy length"; IAM and AWS STS quotas,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html). AWS says white space
 * is not counted for inline and managed policies; for trust policies it does not say, so the check
 * counts the merged policy written without any (jq -c).
 */
export const TRUST_POLICY_QUOTA_CHARS = 2048;

/**
 * The shell line that checks the merged trust policy's size before update-assume-role-policy: it
 * stops (exit 1) with what to do when the policy is over the quota.
 */
export function trustSizeCheckCommand(merged: string): string {
  return `n=$(jq -cj . ${merged} | wc -c); [ "$n" -le ${TRUST_POLICY_QUOTA_CHARS} ] || { echo "${merged} has $n characters, over IAM's default ${TRUST_POLICY_QUOTA_CHARS} for a role trust policy: ask for more in Service Quotas (IAM, us-east-1, 'Role trust policy length', up to 4,096), or remove the statements the role no longer needs, then run this step again" >&2; false; }`;
}

/**
 * What a merge does to the source bucket policy, as lines: the stack's statements by Sid, the size
 * against S3's limit, the older release's statements taken over (or kept, and why). Pure.
 */
export function describePlan(plan: SourcePolicyPlan, verb: string, where: string): string[] {
  const lines = [`  its bucket policy ${verb} this stack's ${plan.written.join(', ')} statements${where}: ${plan.bytes} of S3's ${BUCKET_POLICY_MAX_BYTES} bytes`];
  for (const st of plan.removed) {
    lines.push(LEGACY_SOURCE_POLICY_SIDS.includes(st.Sid ?? '')
      ? `    replaces ${st.Sid} (this stack's, written by an earlier release) in the same write: no gap in access`
      : `    takes out ${st.Sid ?? '(no Sid)'} (this stack's, no longer rendered)`);
  }
  for (const k of plan.keptLegacy) lines.push(`    WARNING: keeps ${k.sid}: ${k.why}; it is another stack's or was edited by hand, so remove it yourself once no one needs it`);
  return lines;
}

/** The stack's outcome and its outputs, one per line, aligned. */
export function renderStackResult(stackName: string, outcome: StackOutcome, outputs: Readonly<Record<string, string>>): string[] {
  const lines = [outcome === 'no-changes' ? `stack ${stackName}: no changes` : `stack ${stackName}: ${outcome}`];
  const keys = Object.keys(outputs).sort();
  if (keys.length === 0) return [...lines, 'outputs: (the stack reports none)'];
  const width = Math.max(...keys.map((k) => k.length));
  return [...lines, 'outputs:', ...keys.map((k) => `  ${k.padEnd(width)}  ${outputs[k]}`)];
}

/** Step 1: the source account lets the destination role read (bucket policy, and the KMS key policy). */
function sourceAccountStep(config: NextStepsConfig, facts: NextStepsFacts): string[] {
  const file = (name: string) => facts.files[name] ?? name;
  const sids = sourcePolicySids({ stackName: config.stackName, region: config.region });
  const both = `${sids.Read} and ${sids.List}`;
  const lines: string[] = [];
  switch (facts.sourcePolicy) {
    case 'applied':
      lines.push(`  1. the source bucket policy is in place: --apply-source-policy merged the ${both} statements into it.`);
      break;
    case 'in-place':
      lines.push(`  1. the source bucket policy of ${config.sourceBucket} already holds the ${both} statements as rendered: nothing to do there.`);
      break;
    case 'no-policy':
      lines.push(`  1. in this account (${config.account}), let the destination role read the source bucket. ${config.sourceBucket} has no bucket policy yet:`);
      lines.push(`       aws s3api put-bucket-policy --bucket ${config.sourceBucket} --policy file://${file(SOURCE_POLICY_FILE)}`);
      lines.push(`     (or rerun with --apply-source-policy, which writes the same statements).`);
      break;
    case 'other-policy':
      lines.push(`  1. in this account (${config.account}), let the destination role read the source bucket. ${config.sourceBucket} has a bucket policy without the ${both}`);
      lines.push(`     statements as rendered, and put-bucket-policy would replace it: rerun with --apply-source-policy, which merges them by their Sids (other statements kept).`);
      break;
    case 'unknown':
      lines.push(`  1. in this account (${config.account}), let the destination role read the source bucket. If ${config.sourceBucket} has no bucket policy yet:`);
      lines.push(`       aws s3api put-bucket-policy --bucket ${config.sourceBucket} --policy file://${file(SOURCE_POLICY_FILE)}`);
      lines.push(`     if it has one, put-bucket-policy would replace it: rerun with --apply-source-policy, which merges the ${both} statements by their Sids.`);
      break;
  }
  if (config.sourceKmsKeyArn !== undefined) {
    // A key policy is one document, like a bucket policy: merge the statement by its Sid, never replace the policy.
    const key = config.sourceKmsKeyArn;
    lines.push(
      `     The source objects are encrypted with ${key}: its key policy must let the destination role decrypt (the role's own policy is not enough`,
      `     across accounts). Merge the ${SOURCE_KEY_POLICY_SID} statement of ${file(SOURCE_KEY_POLICY_FILE)} into it (put-key-policy replaces the whole policy):`,
      `       aws kms get-key-policy --key-id ${key} --policy-name default --query Policy --output text > key-policy.json`,
      `       ${mergeBySidCommand(file(SOURCE_KEY_POLICY_FILE), 'key-policy.json', 'key-policy-merged.json')}`,
      `       aws kms put-key-policy --key-id ${key} --policy-name default --policy file://key-policy-merged.json`,
    );
  }
  return lines;
}

/** Step 2: the destination account trusts the function's role and lets the role copy. */
function destinationAccountStep(config: NextStepsConfig, facts: NextStepsFacts): string[] {
  const file = (name: string) => facts.files[name] ?? name;
  const destRole = roleNameOf(config.destinationRoleArn);
  return [
    `  2. in the destination account (${config.destinationAccount}), trust the function's role and let the role copy. update-assume-role-policy replaces the role's`,
    `     WHOLE trust policy: merge the ${TRUST_POLICY_SID} statement of ${file(TRUST_POLICY_FILE)} into it instead (its other statements kept, an earlier`,
    `     ${TRUST_POLICY_SID} — a previous execution role — replaced):`,
    `       aws iam get-role --role-name ${destRole} --query Role.AssumeRolePolicyDocument --output json > trust-current.json`,
    `       ${mergeBySidCommand(file(TRUST_POLICY_FILE), 'trust-current.json', 'trust-merged.json')}`,
    `       ${trustSizeCheckCommand('trust-merged.json')}`,
    `       aws iam update-assume-role-policy --role-name ${destRole} --policy-document file://trust-merged.json`,
    `     (a role that trusts nothing else can take the file as it is: aws iam update-assume-role-policy --role-name ${destRole} --policy-document file://${file(TRUST_POLICY_FILE)})`,
    `       aws iam put-role-policy --role-name ${destRole} --policy-name s3-push --policy-document file://${file(DESTINATION_ROLE_POLICY_FILE)}`,
  ];
}

/**
 * With exact days: the warning the partner must hear before the first run, since every object of
 * a day's destination prefix that the source day lacks is deleted, the partner's own files too.
 */
export function exactDaysWarning(config: NextStepsConfig): string[] {
  if (!config.exactDays) return [];
  const where = `s3://${config.destinationBucket ?? '<destination bucket>'}/${config.destinationPrefixFormat ?? `${config.destinationPrefix ?? ''}<day prefix>`}`;
  const own = config.destinationPrefixFormat
    ? `S3_REPLICATE_DEST_PREFIX_FORMAT is ${config.destinationPrefixFormat}`
    : config.destinationPrefix ? `S3_REPLICATE_DEST_PREFIX is ${config.destinationPrefix}` : 'S3_REPLICATE_DEST_PREFIX is empty: set one, e.g. from-<source>/';
  return [
    `  !  EXACT DAYS ARE ON: after each day's copies, every object under ${where} that the source day does not have is DELETED,`,
    `     including files the partner writes there itself. Tell the partner before the first run, and give s3-push a destination prefix of its own`,
    `     (${own}); turn versioning on in the destination bucket to be able to undo a delete.`,
    `     At most ${config.exactDaysMaxDeletes ?? DEFAULT_MAX_DELETES_PER_DAY} are deleted in one day (S3_REPLICATE_EXACT_DAYS_MAX_DELETES): a day with more deletes none of them and fails.`,
    '     See what a run would delete first: npm run invoke -- --dates <YYYY-MM-DD> --dry-run ("extra" and "deleted" per day).',
  ];
}

/** Step 4: push on write, off, waiting for the bucket's EventBridge delivery, or on. */
function pushOnWriteStep(config: NextStepsConfig, facts: NextStepsFacts): string[] {
  if (!config.pushOnWrite) {
    const undo = `aws s3api get-bucket-notification-configuration --bucket ${config.sourceBucket} > notification.json, delete its "EventBridgeConfiguration", then aws s3api put-bucket-notification-configuration --bucket ${config.sourceBucket} --notification-configuration file://notification.json`;
    return [
      `  4. push on write is off (S3_REPLICATE_PUSH_ON_WRITE=true turns it on). Turning it off removes the rule and the object queue and leaves the bucket's`,
      `     EventBridge delivery as it is (other rules may use it); if nothing else does: ${undo}`,
    ];
  }
  if (facts.sourceEvents === 'not-requested') {
    return [
      `  4. push on write: ${config.sourceBucket} must send its events to EventBridge, and deploy leaves the bucket alone without --enable-source-events.`,
      `     Rerun with --enable-source-events: it adds EventBridgeConfiguration to the bucket's notification configuration, keeping every topic,`,
      `     queue and Lambda configuration as it is. Until then no object event arrives, and the daily run copies everything.`,
    ];
  }
  return [`  4. push on write: objects created under s3://${config.sourceBucket}/${config.sourceKeyPrefix} are copied as they land; the daily run reconciles.`];
}

/** Steps 6 (and 7): who the alarms reach. */
function alarmSteps(config: NextStepsConfig, facts: NextStepsFacts): string[] {
  const lines: string[] = [];
  if (config.alarmTopicArn !== undefined) {
    lines.push(`  6. the alarms notify ${config.alarmTopicArn}: its policy must let cloudwatch.amazonaws.com publish (and, if it is encrypted, its key policy let CloudWatch use the key).`);
  }
  if (config.alarmEmail !== undefined) {
    const step = config.alarmTopicArn === undefined ? 6 : 7;
    const subscription = facts.alarmEmail;
    if (subscription === undefined) {
      lines.push(`  ${step}. AWS sends a confirmation mail to ${config.alarmEmail} ("AWS Notification - Subscription Confirmation"): click its link within 3 days, or the alarms reach nobody.`);
    } else {
      const advice = subscriptionAdvice(subscription.state, subscription.topicArn, config.alarmEmail, config.region);
      lines.push(advice === undefined ? `  ${step}. the alarms reach ${config.alarmEmail} (subscription confirmed).` : `  ${step}. ${advice}`);
    }
  } else if (config.alarmTopicArn === undefined) {
    lines.push('  6. the alarms notify the stack\'s topic (output AlarmTopicArn), which nobody is subscribed to: set S3_REPLICATE_ALARM_EMAIL (or S3_REPLICATE_ALARM_TOPIC_ARN) and rerun deploy, or subscribe to the topic yourself.');
  }
  return lines;
}

/** The next steps after a deploy, numbered, for the state `facts` describes. */
export function renderNextSteps(config: NextStepsConfig, facts: NextStepsFacts): string[] {
  return [
    'next steps:',
    ...sourceAccountStep(config, facts),
    ...destinationAccountStep(config, facts),
    ...exactDaysWarning(config),
    '  3. try a day without copying: npm run invoke -- --dates <YYYY-MM-DD> --dry-run',
    ...pushOnWriteStep(config, facts),
    '  5. check each link of the permission chain (after every IAM change): npm run check',
    ...alarmSteps(config, facts),
  ];
}
