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
import { describePlan, renderNextSteps, renderStackResult, type NextStepsFacts, type SourcePolicyState } from './nextSteps.ts';
import { awsManagedKeyProblem, cloudWatchKeyStatement, listTopicSubscriptions, readTopicKey, subscriptionState } from '../../aws/alarmTopic.ts';
import { DeployError } from '../../cli/errors.ts';
import { ConfigError, describeError } from '../../../rules/errors.ts';
import { isAccessDenied } from '../../../rules/awsErrors.ts';
import { longKeyWarning } from '../../../rules/keyLength.ts';
import { checkSourceBucket } from '../../aws/sourceBucket.ts';
import { checkOutDir } from './outDir.ts';
import { artifactKey, type BucketOutcome, type UploadOutcome } from '../../aws/artifacts.ts';
import { artifactOf } from '../../aws/artifactLifecycle.ts';
import { prepareArtifact, retireArtifact } from './artifact.ts';
import { waitForRole } from '../../aws/iamRole.ts';
import { renderDocuments, type PolicyValues, type RenderedDocuments } from '../../config/policies.ts';
import { applySourcePolicy, getBucketPolicy, mergeStatements, planSourcePolicy, SourcePolicyConflictError, SourcePolicySizeError, stackStatements, type BucketPolicy, type StackStatements } from '../../aws/sourcePolicy.ts';
import { enableSourceEvents } from '../../aws/sourceEvents.ts';
import { bucketRegion } from '../../aws/bucketRegion.ts';
import { kmsKeyRegion } from '../../config/config.ts';
import { describeStack, outputsOf } from '../../cloudformation/stackApi.ts';
import { stackParameters } from '../../cloudformation/stackParameters.ts';
import { loadTemplate, TEMPLATE_PATH, type LoadedTemplate } from '../../cloudformation/template.ts';
import { handlerEnvironmentProblems } from '../../cloudformation/functionEnvironment.ts';
import type { PollOptions } from '../../aws/wait.ts';
import { partitionOf } from '../../../rules/awsNames.ts';
import { SOURCE_POLICY_FILE } from '../../../rules/names.ts';

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
  /** The user id deploy runs as, for the folder check. Default `process.getuid()`. */
  readonly uid?: number;
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

/** The values the IAM documents are rendered from. */
function policyValues(config: DeployConfig, executionRoleArn: string): PolicyValues {
  return {
    stack: { stackName: config.stackName, region: config.region },
    sourceBucket: config.sourceBucket,
    prefixFormat: config.prefixFormat,
    destinationBucket: config.destinationBucket,
    destinationPrefix: config.destinationPrefix,
    destinationPrefixFormat: config.destinationPrefixFormat,
    destinationRoleArn: config.destinationRoleArn,
    executionRoleArn,
    externalId: config.externalId,
    kmsKeyArn: config.kmsKeyArn,
    sourceKmsKeyArn: config.sourceKmsKeyArn,
    dayMarker: config.dayMarker,
    exclude: config.exclude,
    exactDays: config.exactDays,
  };
}

/** The stack's statements of the source bucket policy, as rendered in `documents`, and how to tell them from others'. */
function ownStatements(config: DeployConfig, documents: RenderedDocuments): StackStatements {
  return stackStatements({ stack: { stackName: config.stackName, region: config.region }, sourceBucket: config.sourceBucket, prefixFormat: config.prefixFormat, destinationRoleArn: config.destinationRoleArn }, documents[SOURCE_POLICY_FILE].Statement);
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

/** The account, the source bucket and what must not be changed, checked before anything is written. */
interface Checked {
  /** The stack as it is, if there is one. */
  readonly current: { stack: Stack | undefined };
  /** The artifact the stack runs now: it must outlive this deploy (a failed update rolls back to it). */
  readonly running: ReturnType<typeof artifactOf>;
}

async function deploySteps(config: DeployConfig, args: DeployArgs, deps: DeployDeps, caller: { arn: string }): Promise<DeployReport> {
  const { log } = deps;
  if (args.enableSourceEvents && !config.pushOnWrite) {
    // Before any AWS call: the bucket would send events that no rule of this stack receives.
    throw new ConfigError(['--enable-source-events sends the source bucket\'s events to EventBridge for push on write, but S3_REPLICATE_PUSH_ON_WRITE is not true: set S3_REPLICATE_PUSH_ON_WRITE=true, or drop the flag'], 'the command line does not fit the environment');
  }
  const step = (n: number, text: string) => log(`[${n}/6] ${text}`);
  // Before any AWS call: the environment the template gives the function (deploy's values, the
  // defaults of the parameters it does not send) must be one its handler accepts.
  const refused = handlerEnvironmentProblems((deps.template ?? loadTemplate()).template, stackParameters(config, { bucket: config.artifactBucket, key: '' }), config.account);
  if (refused.length > 0) throw new ConfigError(refused, `the function's handler would refuse the environment the stack gives it: change the parameter's Default in ${TEMPLATE_PATH}`);
  // The documents as the stack's execution role will render them (the template names the role): their
  // paths, and the source bucket policy's statements, which do not name that role, are checked
  // before anything is written.
  const early = renderDocuments(policyValues(config, `arn:${config.partition}:iam::${config.account}:role/${config.lambdaRoleName}`));
  // Every document's path is checked before the first AWS call: a directory at one of them would
  // otherwise fail the deploy after the stack changed.
  const outCheck = await checkOutDir(args.outDir ?? '.', deps.cwd, {
    files: Object.keys(early),
    ...(args.outDir === undefined ? { label: `the working directory (no --out)` } : {}),
    ...(deps.uid === undefined ? {} : { uid: deps.uid }),
  });
  for (const warning of outCheck.warnings) log(warning);
  const longKeys = longKeyWarning(config);
  if (longKeys !== undefined) log(longKeys);

  step(1, `checking the credentials (account ${config.account}, region ${config.region}${config.endpointUrl ? `, endpoint ${config.endpointUrl}` : ''})`);
  const checked = await checkBeforeWriting(config, args, deps, caller, early);

  step(2, 'bundling the handler');
  const bundle = await (deps.bundle ?? bundleHandler)();
  const key = artifactKey(bundle.sha256);
  log(`  ${(bundle.zip.length / 1024).toFixed(1)} KiB zip, sha256 ${bundle.sha256.slice(0, 12)}…`);

  step(3, `code artifact s3://${config.artifactBucket}/${key}`);
  const { bucket, upload } = await uploadArtifact(config, args, deps, bundle.zip, key, checked.running);

  step(4, `stack ${config.stackName}`);
  const result = await deployTheStack(config, args, deps, key, checked);
  const outputs = outputsOf(result.stack);
  const artifact = { bucket: config.artifactBucket, key, codeSha256: bundle.codeSha256 };
  if (result.outcome === 'planned') {
    return { bucket, upload, artifact, stack: result.outcome, outputs, executionRoleArn: undefined, files: [], sourcePolicy: 'not-requested' };
  }

  step(5, `execution role ${config.lambdaRoleName}`);
  const executionRoleArn = await executionRole(config, deps, result.outcome, outputs);

  step(6, 'IAM documents');
  const written = await writeDocuments(config, args, deps, executionRoleArn);
  const source = await settleSourceBucket(config, args, deps, written.documents);

  log('');
  for (const line of renderStackResult(config.stackName, result.outcome, outputs)) log(line);
  log('');
  const alarmEmail = await alarmSubscription(config, args, deps, outputs);
  for (const line of renderNextSteps(config, { sourcePolicy: source.policyState, sourceEvents: source.sourceEvents, files: written.shown, ...(alarmEmail ? { alarmEmail } : {}) })) log(line);
  return { bucket, upload, artifact, stack: result.outcome, outputs, executionRoleArn, files: written.files, sourcePolicy: source.sourcePolicy, sourceEvents: source.sourceEvents };
}

/**
 * Step 1: the credentials' account (from the stack's id when there is a stack), the source bucket,
 * a conflicting bucket policy when `--apply-source-policy` will merge into it, the KMS key's region.
 */
async function checkBeforeWriting(config: DeployConfig, args: DeployArgs, deps: DeployDeps, caller: { arn: string }, early: RenderedDocuments): Promise<Checked> {
  const { clients, log } = deps;
  const current = await readStackAndAccount(clients, config, caller, log);
  const running = artifactOf(current.stack);
  await checkSourceBucket(clients.s3, config.sourceBucket, config.account, config.region);
  log(`  source bucket ${config.sourceBucket}: in this account and region`);
  if (args.applySourcePolicy) {
    // Refuse a conflicting bucket policy before anything is uploaded or deployed. The merge after
    // the stack reads the policy again: another partner's deploy may have written it meanwhile.
    const planned = await planSourcePolicy(clients.s3, config.sourceBucket, config.account, ownStatements(config, early));
    for (const line of describePlan(planned, planned.changed ? 'takes' : 'already holds', planned.changed ? ' (merged after the stack)' : '')) log(line);
  }
  await checkKmsKeyRegion(config, clients, log);
  await checkAlarmTopicKey(config, clients, log);
  return { current, running };
}

/**
 * An existing alarm topic (S3_REPLICATE_ALARM_TOPIC_ARN) CloudWatch can publish to: refused under
 * the AWS managed key alias/aws/sns (exit 2, before any change); under a customer managed key, the
 * statement its key policy needs is printed.
 */
async function checkAlarmTopicKey(config: DeployConfig, clients: AwsClients, log: (line: string) => void): Promise<void> {
  if (config.alarmTopicArn === undefined) return;
  const key = await readTopicKey(clients.sns, config.alarmTopicArn);
  if (key.kind === 'aws-managed') throw new ConfigError([awsManagedKeyProblem(config.alarmTopicArn, key.keyId)], 'the alarm topic cannot receive alarms');
  if (key.kind === 'customer-managed') {
    log(`  alarm topic ${config.alarmTopicArn}: encrypted with ${key.keyId}; its key policy must hold this statement, or no alarm is delivered:`);
    log(`    ${JSON.stringify(cloudWatchKeyStatement({ partition: config.partition, region: config.region, account: config.account, functionName: config.functionName }))}`);
  } else {
    log(`  alarm topic ${config.alarmTopicArn}: not encrypted`);
  }
}

/** Where the configured alarm address stands on the alarm topic, after the stack (undefined without an address, or with --plan). */
async function alarmSubscription(config: DeployConfig, args: DeployArgs, deps: DeployDeps, outputs: Readonly<Record<string, string>>): Promise<NextStepsFacts['alarmEmail']> {
  const topicArn = config.alarmTopicArn ?? outputs.AlarmTopicArn;
  if (config.alarmEmail === undefined || args.plan || topicArn === undefined) return undefined;
  try {
    const state = subscriptionState(await listTopicSubscriptions(deps.clients.sns, topicArn), config.alarmEmail);
    return { state, topicArn };
  } catch (err) {
    deps.log(`  the alarm topic's subscriptions could not be read (${describeError(err)}): check that ${config.alarmEmail} confirmed its subscription`);
    return undefined;
  }
}

/** Step 3: the zip in the artifact bucket, unless `--plan` or already there. */
async function uploadArtifact(config: DeployConfig, args: DeployArgs, deps: DeployDeps, zip: Buffer, key: string, running: Checked['running']): Promise<Pick<DeployReport, 'bucket' | 'upload'>> {
  if (args.plan) {
    deps.log('  --plan: not uploaded (uploaded on a real deploy unless already there)');
    return { bucket: 'skipped', upload: 'skipped' };
  }
  const tlsOnly = !config.endpointUrl?.startsWith('http:');
  return prepareArtifact(deps.clients, config, key, zip, running, { tlsOnly, log: deps.log });
}

/**
 * Step 4: the stack through a change set. The artifact no stack needs any more is retired: the new
 * one after a rollback, the one the stack left after an update.
 */
async function deployTheStack(config: DeployConfig, args: DeployArgs, deps: DeployDeps, key: string, checked: Checked): Promise<DeployStackResult> {
  const { clients, log } = deps;
  const template = deps.template ?? loadTemplate();
  let result: DeployStackResult;
  try {
    result = await deployStack(clients.cfn, {
      stackName: config.stackName,
      templateBody: template.body,
      parameters: stackParameters(config, { bucket: config.artifactBucket, key }),
      plan: args.plan,
      log: (line) => log(`  ${line}`),
      current: checked.current,
      stackWait: deps.waits?.stack,
      changeSetWait: deps.waits?.changeSet,
    });
  } catch (err) {
    // Rolled back: the stack runs what it ran before, and the new artifact nothing.
    if (err instanceof StackOperationError && (err.status === 'UPDATE_ROLLBACK_COMPLETE' || err.status === 'ROLLBACK_COMPLETE') && checked.running?.key !== key) {
      await retireArtifact(clients, config, key, log);
    }
    throw err;
  }
  // The stack moved off the artifact it ran: no rollback of this stack needs it any more.
  const previous = artifactOf(result.previous);
  if (result.outcome === 'updated' && previous !== undefined && previous.bucket === config.artifactBucket && previous.key !== key) {
    await retireArtifact(clients, config, previous.key, log);
  }
  return result;
}

/**
 * Step 5: the execution role's ARN. The trust policy in the other account is refused until IAM
 * shows the role, so after a change the ARN comes from IAM itself. A stack that did not change kept
 * the role its last operation made (the template names it, without a path): its ARN is known and
 * IAM has shown it since.
 */
async function executionRole(config: DeployConfig, deps: DeployDeps, outcome: StackOutcome, outputs: Readonly<Record<string, string>>): Promise<string> {
  if (outcome === 'no-changes') {
    const arn = outputs.ExecutionRoleArn ?? `arn:${partitionOf(config.region)}:iam::${config.account}:role/${config.lambdaRoleName}`;
    deps.log(`  unchanged: ${arn}`);
    return arn;
  }
  const arn = await waitForRole(deps.clients.iam, config.lambdaRoleName, deps.waits?.role);
  deps.log(`  visible in IAM: ${arn}`);
  return arn;
}

/** Step 6: the IAM documents, each an owner-only file; `shown` names each as the printed commands do. */
async function writeDocuments(config: DeployConfig, args: DeployArgs, deps: DeployDeps, executionRoleArn: string): Promise<{ documents: RenderedDocuments; files: string[]; shown: Record<string, string> }> {
  const documents = renderDocuments(policyValues(config, executionRoleArn));
  const outDir = args.outDir ?? deps.cwd;
  // A folder deploy creates is its owner's alone (0700), as the documents are.
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  const files: string[] = [];
  const shown: Record<string, string> = {};
  for (const [name, doc] of Object.entries(documents)) {
    const path = join(outDir, name);
    // The trust document holds the external id: readable by the operator only, whatever file or
    // link was at that path before.
    await writePrivateFile(path, `${JSON.stringify(doc, null, 2)}\n`);
    files.push(path);
    const rel = relative(deps.cwd, path);
    shown[name] = rel.startsWith('..') || isAbsolute(rel) ? path : rel;
  }
  for (const name of Object.keys(documents)) deps.log(`  wrote ${shown[name]}`);
  return { documents, files, shown };
}

/**
 * The source bucket after the stack: `--apply-source-policy` merges s3-push's statements into its
 * policy, `--enable-source-events` turns on its EventBridge delivery. Without the first, its policy
 * is read (GetBucketPolicy, nothing written), so that the next steps say what is still to do rather
 * than a first deploy's advice: a bucket that already holds the statements needs nothing, and one
 * with a policy of its own must not be told to `put-bucket-policy` over it.
 */
async function settleSourceBucket(config: DeployConfig, args: DeployArgs, deps: DeployDeps, documents: RenderedDocuments): Promise<{ sourcePolicy: DeployReport['sourcePolicy']; policyState: SourcePolicyState; sourceEvents: NonNullable<DeployReport['sourceEvents']> }> {
  const { clients, log } = deps;
  let sourcePolicy: DeployReport['sourcePolicy'] = 'not-requested';
  let policyState: SourcePolicyState;
  if (args.applySourcePolicy) {
    const applied = await applySourcePolicy(clients.s3, config.sourceBucket, config.account, ownStatements(config, documents));
    sourcePolicy = applied.outcome;
    if (sourcePolicy === 'applied') {
      for (const line of describePlan(applied.plan, 'took', ` (other statements kept)`)) log(line);
    } else {
      log(`  the bucket policy of ${config.sourceBucket} already holds this stack's ${applied.plan.written.join(', ')} statements: unchanged`);
    }
    policyState = sourcePolicy === 'applied' ? 'applied' : 'in-place';
  } else {
    policyState = await sourcePolicyState(config, deps, documents);
  }

  let sourceEvents: NonNullable<DeployReport['sourceEvents']> = 'not-requested';
  if (args.enableSourceEvents) {
    sourceEvents = await enableSourceEvents(clients.s3, config.sourceBucket, config.account);
    log(sourceEvents === 'enabled'
      ? `  turned on EventBridge delivery for ${config.sourceBucket} (its topic, queue and Lambda notifications kept as they were)`
      : `  ${config.sourceBucket} already sends its events to EventBridge: unchanged`);
  }
  return { sourcePolicy, policyState, sourceEvents };
}

/** Whether the source bucket's policy holds the rendered statements; `unknown` (said, never fatal) when it cannot be read. */
async function sourcePolicyState(config: DeployConfig, deps: DeployDeps, documents: RenderedDocuments): Promise<SourcePolicyState> {
  let existing: BucketPolicy | undefined;
  try {
    existing = await getBucketPolicy(deps.clients.s3, config.sourceBucket, config.account);
  } catch (err) {
    deps.log(`  ${describeError(err)}: the next steps give both ways to apply it`);
    return 'unknown';
  }
  if (existing === undefined) return 'no-policy';
  try {
    return mergeStatements(existing, ownStatements(config, documents), config.sourceBucket).changed ? 'other-policy' : 'in-place';
  } catch (err) {
    if (err instanceof SourcePolicyConflictError || err instanceof SourcePolicySizeError) return 'other-policy';
    throw err;
  }
}
