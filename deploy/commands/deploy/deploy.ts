/**
 * `npm run deploy`, wired: account check, bundle, artifact upload, stack through a change set, the
 * rendered IAM documents and the next steps. Takes its config, clients and printer as arguments;
 * only main.ts touches process and the console.
 */
import { mkdir } from 'node:fs/promises';
import { writePrivateFile } from '../../cli/privateFile.ts';
import { join, relative, isAbsolute } from 'node:path';
import type { Stack } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { bundleHandler, type HandlerBundle } from '../../build/bundle.ts';
import type { AwsClients } from '../../aws/clients.ts';
import type { DeployConfig } from '../../config/config.ts';
import type { DeployArgs } from './args.ts';
import { deployStack, StackOperationError, type DeployStackResult, type StackOutcome } from '../../cloudformation/deployStack.ts';
import { DeployError } from '../../cli/errors.ts';
import { ConfigError, describeError } from '../../../rules/errors.ts';
import { isAccessDenied } from '../../../rules/awsErrors.ts';
import { checkSourceBucket } from '../../aws/sourceBucket.ts';
import { checkOutDir } from './outDir.ts';
import { artifactKey, type BucketOutcome, type UploadOutcome } from '../../aws/artifacts.ts';
import { artifactOf } from '../../aws/artifactLifecycle.ts';
import { prepareArtifact, retireArtifact } from './artifact.ts';
import { waitForRole } from '../../aws/iamRole.ts';
import { renderDocuments, type PolicyValues, type RenderedDocuments } from '../../config/policies.ts';
import { applySourcePolicy, planSourcePolicy } from '../../aws/sourcePolicy.ts';
import { enableSourceEvents } from '../../aws/sourceEvents.ts';
import { bucketRegion } from '../../aws/bucketRegion.ts';
import { kmsKeyRegion } from '../../config/config.ts';
import { describeStack, outputsOf } from '../../cloudformation/stackApi.ts';
import { stackParameters } from '../../cloudformation/stackParameters.ts';
import { loadTemplate, type LoadedTemplate } from '../../cloudformation/template.ts';
import type { PollOptions } from '../../aws/wait.ts';
import { partitionOf, roleNameOf } from '../../../rules/awsNames.ts';
import { DESTINATION_ROLE_POLICY_FILE, SOURCE_KEY_POLICY_FILE, SOURCE_KEY_POLICY_SID, SOURCE_LIST_POLICY_SID, SOURCE_POLICY_FILE, SOURCE_POLICY_SID, TRUST_POLICY_FILE, TRUST_POLICY_SID } from '../../../rules/names.ts';

export interface DeployDeps {
  readonly clients: AwsClients;
  /** Prints one line for the operator. */
  readonly log: (line: string) => void;
  /** Builds the code zip. Default {@link bundleHandler}. */
  readonly bundle?: () => Promise<HandlerBundle>;
  /** The template. Default: templates/pushS3Template.yml. */
  readonly template?: LoadedTemplate;
  /** The working directory the documents go to without --out. Default `process.cwd()` of the caller. */
  readonly cwd: string;
  /** Waits, each with its poll interval and deadline (defaults in the modules that wait). */
  readonly waits?: { readonly stack?: PollOptions; readonly changeSet?: PollOptions; readonly role?: PollOptions };
}

/** What a deploy did. */
export interface DeployReport {
  readonly bucket: BucketOutcome | 'skipped';
  readonly upload: UploadOutcome | 'skipped';
  readonly artifact: { readonly bucket: string; readonly key: string; readonly codeSha256: string };
  readonly stack: StackOutcome;
  readonly outputs: Readonly<Record<string, string>>;
  readonly executionRoleArn: string | undefined;
  readonly files: readonly string[];
  readonly sourcePolicy: 'applied' | 'unchanged' | 'not-requested';
  /** `--enable-source-events`: whether EventBridge delivery was turned on for the source bucket. */
  readonly sourceEvents?: 'enabled' | 'unchanged' | 'not-requested';
}

/** The caller's account must be AWS_ACCOUNT: refuse before any write otherwise. */
export async function checkAccount(clients: AwsClients, expected: string): Promise<string> {
  let account: string | undefined;
  let arn: string | undefined;
  try {
    const id = await clients.sts.send(new GetCallerIdentityCommand({}));
    account = id.Account;
    arn = id.Arn;
  } catch (err) {
    throw new DeployError(`could not identify the credentials (sts:GetCallerIdentity): ${describeError(err)}${credentialsHint(err)}`, err, 'sts:GetCallerIdentity');
  }
  if (account !== expected) {
    // The environment names another account than the credentials': the user's to fix (exit 2).
    throw new ConfigError([`AWS_ACCOUNT is ${expected}, but the credentials belong to account ${account ?? '?'} (${arn ?? '?'}): use credentials of ${expected}, or fix AWS_ACCOUNT`], 'the credentials do not match the deploy environment');
  }
  return arn ?? '';
}

/**
 * The stack, and the account check, in one call when the stack is there: its id
 * (`arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<uuid>`, the stack resource of
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html)
 * names the account of the credentials that read it (DescribeStacks sees the caller's own account
 * only), so a rerun needs no sts:GetCallerIdentity. Without a stack of that name
 * in this account, or when it cannot be read, STS says who the credentials are (and what is wrong
 * with them, expired or missing) before the stack's own error is reported.
 */
async function readStackAndAccount(clients: AwsClients, config: DeployConfig, caller: { arn: string }, log: (line: string) => void): Promise<{ stack: Stack | undefined }> {
  let current: { stack: Stack | undefined } | undefined;
  let failure: unknown;
  try {
    current = { stack: await describeStack(clients.cfn, config.stackName) };
  } catch (err) {
    failure = err;
  }
  const stackAccount = current?.stack?.StackId?.split(':')[4];
  if (current !== undefined && stackAccount === config.account) {
    log(`  account ${config.account}: the stack ${config.stackName} is there (${current.stack?.StackStatus ?? '?'})`);
    return current;
  }
  caller.arn = await checkAccount(clients, config.account);
  log(`  ${caller.arn}`);
  if (current === undefined) throw failure;
  return current;
}

/** What to do about credentials that STS refused or that the SDK could not find. */
function credentialsHint(err: unknown): string {
  const name = err instanceof Error ? err.name : '';
  if (/Expired/i.test(name)) return '\n  the session has expired: refresh it (aws sso login --profile <profile>, or new temporary keys) and rerun';
  if (name === 'CredentialsProviderError' || /credentials/i.test(err instanceof Error ? err.message : '')) {
    return '\n  no usable credentials: set AWS_PROFILE (and aws sso login), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)';
  }
  return '';
}

/** Runs the deploy; throws ConfigError/DeployError for the top-level catch. */
export async function runDeploy(config: DeployConfig, args: DeployArgs, deps: DeployDeps): Promise<DeployReport> {
  const caller = { arn: '' };
  try {
    return await deploySteps(config, args, deps, caller);
  } catch (err) {
    // AWS's S3 errors say only "Access Denied": name the action and who was refused. A deploy that
    // took its account from the stack's id has not asked STS who it is: it asks now, for the message.
    if (err instanceof DeployError && err.action && !caller.arn && isAccessDenied(err.cause)) {
      caller.arn = await deps.clients.sts.send(new GetCallerIdentityCommand({})).then((id) => id.Arn ?? '', () => '');
    }
    if (err instanceof DeployError && err.action && caller.arn && isAccessDenied(err.cause)) {
      throw new DeployError(`${err.message}\n  ${err.action} was denied to ${caller.arn}: allow it in that principal's IAM policy (or check its permission boundary and the organization's SCPs)`, err.cause, err.action);
    }
    throw err;
  }
}

/**
 * The jq command that merges the one statement of a rendered document into a policy by its Sid:
 * every other statement is kept (a `Statement` given as one object too), a statement of that Sid —
 * s3-push's own — replaced. The result goes to `merged`, readable by the operator only (a trust
 * policy holds the external id).
 */
export function mergeBySidCommand(statementFile: string, current: string, merged: string): string {
  return `(umask 077; jq --slurpfile add ${statementFile} '$add[0].Statement[0] as $s | .Statement = ([.Statement] | flatten | map(select(.Sid != $s.Sid))) + [$s]' ${current} > ${merged})`;
}

/** The values the IAM documents are rendered from. */
function policyValues(config: DeployConfig, executionRoleArn: string): PolicyValues {
  return {
    sourceBucket: config.sourceBucket,
    prefixFormat: config.prefixFormat,
    destinationBucket: config.destinationBucket,
    destinationPrefix: config.destinationPrefix,
    destinationRoleArn: config.destinationRoleArn,
    executionRoleArn,
    externalId: config.externalId,
    kmsKeyArn: config.kmsKeyArn,
    sourceKmsKeyArn: config.sourceKmsKeyArn,
    dayMarker: config.dayMarker,
  };
}

/**
 * S3 encrypts with a KMS key of the bucket's own region only
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html): a
 * S3_REPLICATE_KMS_KEY_ARN in another region than the destination bucket fails every copy
 * (KMS.NotFoundException). HeadBucket names the bucket's region even to another account that may
 * not read it, so this is refused (exit 2) before anything is built or written; when S3 does not
 * say (an emulator, a network error), the rule is printed instead.
 */
export async function checkKmsKeyRegion(config: DeployConfig, clients: AwsClients, log: (line: string) => void): Promise<void> {
  if (!config.kmsKeyArn) return;
  const region = await bucketRegion(clients.s3, config.destinationBucket);
  const keyRegion = kmsKeyRegion(config.kmsKeyArn);
  if (region === undefined) {
    log(`  S3 did not say where ${config.destinationBucket} is: S3_REPLICATE_KMS_KEY_ARN (a key in ${keyRegion}) must be in the region of the destination bucket ${config.destinationBucket} (S3 encrypts only with a key of the bucket's region)`);
  } else if (region === keyRegion) {
    log(`  destination bucket ${config.destinationBucket}: in ${region}, as the key S3_REPLICATE_KMS_KEY_ARN`);
  } else {
    throw new ConfigError([`S3_REPLICATE_KMS_KEY_ARN is ${JSON.stringify(config.kmsKeyArn)}, a key in ${keyRegion}, but the destination bucket ${config.destinationBucket} (S3_REPLICATE_BUCKET_NAME) is in ${region}: S3 encrypts only with a key of the bucket's region; name a key in ${region}`], 'the KMS key does not fit the destination bucket');
  }
}

async function deploySteps(config: DeployConfig, args: DeployArgs, deps: DeployDeps, caller: { arn: string }): Promise<DeployReport> {
  const { clients, log } = deps;
  if (args.enableSourceEvents && !config.pushOnWrite) {
    // Before any AWS call: the bucket would send events that no rule of this stack receives.
    throw new ConfigError(['--enable-source-events sends the source bucket\'s events to EventBridge for push on write, but S3_REPLICATE_PUSH_ON_WRITE is not true: set S3_REPLICATE_PUSH_ON_WRITE=true, or drop the flag'], 'the command line does not fit the environment');
  }
  const step = (n: number, text: string) => log(`[${n}/6] ${text}`);

  if (args.outDir !== undefined) await checkOutDir(args.outDir, deps.cwd);
  step(1, `checking the credentials (account ${config.account}, region ${config.region}${config.endpointUrl ? `, endpoint ${config.endpointUrl}` : ''})`);
  const current = await readStackAndAccount(clients, config, caller, log);
  // The artifact the stack runs now: it must outlive this deploy (a failed update rolls back to it).
  const running = artifactOf(current.stack);
  await checkSourceBucket(clients.s3, config.sourceBucket, config.account, config.region);
  log(`  source bucket ${config.sourceBucket}: in this account and region`);
  if (args.applySourcePolicy) {
    // Refuse a conflicting bucket policy before anything is uploaded or deployed. The bucket policy
    // statement does not name the execution role, so the one the stack will have renders it.
    const early = renderDocuments(policyValues(config, `arn:${config.partition}:iam::${config.account}:role/${config.lambdaRoleName}`));
    const planned = await planSourcePolicy(clients.s3, config.sourceBucket, config.account, early[SOURCE_POLICY_FILE]);
    log(`  its bucket policy ${planned.changed ? `takes the ${SOURCE_POLICY_SID} and ${SOURCE_LIST_POLICY_SID} statements (merged after the stack)` : `already holds the ${SOURCE_POLICY_SID} and ${SOURCE_LIST_POLICY_SID} statements`}`);
  }
  await checkKmsKeyRegion(config, clients, log);

  step(2, 'bundling the handler');
  const bundle = await (deps.bundle ?? bundleHandler)();
  const key = artifactKey(bundle.sha256);
  log(`  ${(bundle.zip.length / 1024).toFixed(1)} KiB zip, sha256 ${bundle.sha256.slice(0, 12)}…`);

  step(3, `code artifact s3://${config.artifactBucket}/${key}`);
  let bucket: DeployReport['bucket'] = 'skipped';
  let upload: DeployReport['upload'] = 'skipped';
  if (args.plan) {
    log('  --plan: not uploaded (uploaded on a real deploy unless already there)');
  } else {
    const tlsOnly = !config.endpointUrl?.startsWith('http:');
    ({ bucket, upload } = await prepareArtifact(clients, config, key, bundle.zip, running, { tlsOnly, log }));
  }

  step(4, `stack ${config.stackName}`);
  const template = deps.template ?? loadTemplate();
  let result: DeployStackResult;
  try {
    result = await deployStack(clients.cfn, {
      stackName: config.stackName,
      templateBody: template.body,
      parameters: stackParameters(config, { bucket: config.artifactBucket, key }),
      plan: args.plan,
      log: (line) => log(`  ${line}`),
      current,
      stackWait: deps.waits?.stack,
      changeSetWait: deps.waits?.changeSet,
    });
  } catch (err) {
    // Rolled back: the stack runs what it ran before, and the new artifact nothing.
    if (err instanceof StackOperationError && (err.status === 'UPDATE_ROLLBACK_COMPLETE' || err.status === 'ROLLBACK_COMPLETE') && running?.key !== key) {
      await retireArtifact(clients, config, key, log);
    }
    throw err;
  }
  // The stack moved off the artifact it ran: no rollback of this stack needs it any more.
  const previous = artifactOf(result.previous);
  if (result.outcome === 'updated' && previous !== undefined && previous.bucket === config.artifactBucket && previous.key !== key) {
    await retireArtifact(clients, config, previous.key, log);
  }
  const outputs = outputsOf(result.stack);
  const artifact = { bucket: config.artifactBucket, key, codeSha256: bundle.codeSha256 };
  if (result.outcome === 'planned') {
    return { bucket, upload, artifact, stack: result.outcome, outputs, executionRoleArn: undefined, files: [], sourcePolicy: 'not-requested' };
  }

  step(5, `execution role ${config.lambdaRoleName}`);
  // The trust policy in the other account is refused until IAM shows the role, so after a change
  // the ARN comes from IAM itself. A stack that did not change kept the role its last operation made
  // (the template names it, without a path): its ARN is known and IAM has shown it since.
  let executionRoleArn: string;
  if (result.outcome === 'no-changes') {
    executionRoleArn = outputs.ExecutionRoleArn ?? `arn:${partitionOf(config.region)}:iam::${config.account}:role/${config.lambdaRoleName}`;
    log(`  unchanged: ${executionRoleArn}`);
  } else {
    executionRoleArn = await waitForRole(clients.iam, config.lambdaRoleName, deps.waits?.role);
    log(`  visible in IAM: ${executionRoleArn}`);
  }

  step(6, 'IAM documents');
  const documents: RenderedDocuments = renderDocuments(policyValues(config, executionRoleArn));
  const outDir = args.outDir ?? deps.cwd;
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  for (const [name, doc] of Object.entries(documents)) {
    const path = join(outDir, name);
    // The trust document holds the external id: readable by the operator only, whatever file or
    // link was at that path before.
    await writePrivateFile(path, `${JSON.stringify(doc, null, 2)}\n`);
    files.push(path);
  }
  const shown = (name: string) => {
    const path = join(outDir, name);
    const rel = relative(deps.cwd, path);
    return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  };
  for (const name of Object.keys(documents)) log(`  wrote ${shown(name)}`);

  let sourcePolicy: DeployReport['sourcePolicy'] = 'not-requested';
  if (args.applySourcePolicy) {
    sourcePolicy = await applySourcePolicy(clients.s3, config.sourceBucket, config.account, documents[SOURCE_POLICY_FILE]);
    log(sourcePolicy === 'applied'
      ? `  merged the ${SOURCE_POLICY_SID} and ${SOURCE_LIST_POLICY_SID} statements into the bucket policy of ${config.sourceBucket} (other statements kept)`
      : `  the bucket policy of ${config.sourceBucket} already holds these ${SOURCE_POLICY_SID} and ${SOURCE_LIST_POLICY_SID} statements: unchanged`);
  }

  let sourceEvents: NonNullable<DeployReport['sourceEvents']> = 'not-requested';
  if (args.enableSourceEvents) {
    sourceEvents = await enableSourceEvents(clients.s3, config.sourceBucket, config.account);
    log(sourceEvents === 'enabled'
      ? `  turned on EventBridge delivery for ${config.sourceBucket} (its topic, queue and Lambda notifications kept as they were)`
      : `  ${config.sourceBucket} already sends its events to EventBridge: unchanged`);
  }

  log('');
  log(result.outcome === 'no-changes' ? `stack ${config.stackName}: no changes` : `stack ${config.stackName}: ${result.outcome}`);
  const keys = Object.keys(outputs).sort();
  if (keys.length === 0) log('outputs: (the stack reports none)');
  else {
    log('outputs:');
    const width = Math.max(...keys.map((k) => k.length));
    for (const k of keys) log(`  ${k.padEnd(width)}  ${outputs[k]}`);
  }

  const destRole = roleNameOf(config.destinationRoleArn);
  log('');
  log('next steps:');
  if (sourcePolicy === 'not-requested') {
    log(`  1. in this account (${config.account}), let the destination role read the source bucket. If ${config.sourceBucket} has no bucket policy yet:`);
    log(`       aws s3api put-bucket-policy --bucket ${config.sourceBucket} --policy file://${shown(SOURCE_POLICY_FILE)}`);
    log(`     if it has one, put-bucket-policy would replace it: rerun with --apply-source-policy, which merges the ${SOURCE_POLICY_SID} and ${SOURCE_LIST_POLICY_SID} statements by their Sids.`);
  } else {
    log(`  1. the source bucket policy is in place (--apply-source-policy).`);
  }
  if (config.sourceKmsKeyArn !== undefined) {
    // A key policy is one document, like a bucket policy: merge the statement by its Sid, never replace the policy.
    const key = config.sourceKmsKeyArn;
    log(`     The source objects are encrypted with ${key}: its key policy must let the destination role decrypt (the role's own policy is not enough`);
    log(`     across accounts). Merge the ${SOURCE_KEY_POLICY_SID} statement of ${shown(SOURCE_KEY_POLICY_FILE)} into it (put-key-policy replaces the whole policy):`);
    log(`       aws kms get-key-policy --key-id ${key} --policy-name default --query Policy --output text > key-policy.json`);
    log(`       ${mergeBySidCommand(shown(SOURCE_KEY_POLICY_FILE), 'key-policy.json', 'key-policy-merged.json')}`);
    log(`       aws kms put-key-policy --key-id ${key} --policy-name default --policy file://key-policy-merged.json`);
  }
  log(`  2. in the destination account (${config.destinationAccount}), trust the function's role and let the role copy. update-assume-role-policy replaces the role's`);
  log(`     WHOLE trust policy: merge the ${TRUST_POLICY_SID} statement of ${shown(TRUST_POLICY_FILE)} into it instead (its other statements kept, an earlier`);
  log(`     ${TRUST_POLICY_SID} — a previous execution role — replaced):`);
  log(`       aws iam get-role --role-name ${destRole} --query Role.AssumeRolePolicyDocument --output json > trust-current.json`);
  log(`       ${mergeBySidCommand(shown(TRUST_POLICY_FILE), 'trust-current.json', 'trust-merged.json')}`);
  log(`       aws iam update-assume-role-policy --role-name ${destRole} --policy-document file://trust-merged.json`);
  log(`     (a role that trusts nothing else can take the file as it is: aws iam update-assume-role-policy --role-name ${destRole} --policy-document file://${shown(TRUST_POLICY_FILE)})`);
  log(`       aws iam put-role-policy --role-name ${destRole} --policy-name s3-push --policy-document file://${shown(DESTINATION_ROLE_POLICY_FILE)}`);
  log(`  3. try a day without copying: npm run invoke -- --dates <YYYY-MM-DD> --dry-run`);
  const undo = `aws s3api get-bucket-notification-configuration --bucket ${config.sourceBucket} > notification.json, delete its "EventBridgeConfiguration", then aws s3api put-bucket-notification-configuration --bucket ${config.sourceBucket} --notification-configuration file://notification.json`;
  if (!config.pushOnWrite) {
    log(`  4. push on write is off (S3_REPLICATE_PUSH_ON_WRITE=true turns it on). Turning it off removes the rule and the object queue and leaves the bucket's`);
    log(`     EventBridge delivery as it is (other rules may use it); if nothing else does: ${undo}`);
  } else if (sourceEvents === 'not-requested') {
    log(`  4. push on write: ${config.sourceBucket} must send its events to EventBridge, and deploy leaves the bucket alone without --enable-source-events.`);
    log(`     Rerun with --enable-source-events: it adds EventBridgeConfiguration to the bucket's notification configuration, keeping every topic,`);
    log(`     queue and Lambda configuration as it is. Until then no object event arrives, and the daily run copies everything.`);
  } else {
    log(`  4. push on write: objects created under s3://${config.sourceBucket}/${config.sourceKeyPrefix} are copied as they land; the daily run reconciles.`);
  }
  log('  5. check each link of the permission chain (after every IAM change): npm run check');
  if (config.alarmTopicArn !== undefined) {
    log(`  6. the alarms notify ${config.alarmTopicArn}: its policy must let cloudwatch.amazonaws.com publish (and, if it is encrypted, its key policy let CloudWatch use the key).`);
  }
  if (config.alarmEmail !== undefined) {
    log(`  ${config.alarmTopicArn === undefined ? 6 : 7}. AWS sends a confirmation mail to ${config.alarmEmail} ("AWS Notification - Subscription Confirmation"): click its link, or the alarms reach nobody.`);
  } else if (config.alarmTopicArn === undefined) {
    log('  6. the alarms notify the stack\'s topic (output AlarmTopicArn), which nobody is subscribed to: set S3_REPLICATE_ALARM_EMAIL (or S3_REPLICATE_ALARM_TOPIC_ARN) and rerun deploy, or subscribe to the topic yourself.');
  }

  return { bucket, upload, artifact, stack: result.outcome, outputs, executionRoleArn, files, sourcePolicy, sourceEvents };
}
