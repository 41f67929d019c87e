import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  GetBucketLifecycleConfigurationCommand,
  HeadBucketCommand,
  PutObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketPolicyCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { HandlerBundle } from '../../../../../deploy/build/bundle.ts';
import { parseDeployConfig, type DeployConfig } from '../../../../../deploy/config/config.ts';
import { runDeploy } from '../../../../../deploy/commands/deploy/deploy.ts';
import { loadTemplate } from '../../../../../deploy/cloudformation/template.ts';
import { mergeBySidCommand, TRUST_POLICY_QUOTA_CHARS, trustSizeCheckCommand } from '../../../../../deploy/commands/deploy/nextSteps.ts';
import type { DeployArgs } from '../../../../../deploy/commands/deploy/args.ts';
import { DeployError } from '../../../../../deploy/cli/errors.ts';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { ConfigError } from '../../../../../rules/errors.ts';
import { deployEnv, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET, STACK } from '../../../../helpers/fixtures.ts';
import { sourcePolicySids } from '../../../../../rules/sourcePolicySids.ts';
import { awsError, stackMissing } from '../../../../helpers/errors.ts';
import { mockCommandClients } from '../../../../helpers/awsMocks.ts';
import { artifactLifecycleRules } from '../../../../../deploy/aws/artifactLifecycle.ts';

const fast = { pollIntervalMs: 0, timeoutMs: 10_000, sleep: () => Promise.resolve() };
const BUNDLE: HandlerBundle = { zip: Buffer.from('PK fake zip'), sha256: 'ab'.repeat(32), codeSha256: 'q83vEjRWeJA=', jsBytes: 11, startJsBytes: 11, files: new Map() };
const KEY = `s3-push/${'ab'.repeat(32)}.zip`;
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/replicate-to-partner-landing-zone/1';
const EXEC_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/replicate-to-partner-landing-zone-lambda`;
const ARTIFACTS = `s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1`;

/** The stack as deployed with `key` (its parameters name the artifact it runs). */
function deployedStack(extra: Partial<Stack> = {}, key = KEY): Stack {
  return {
    StackName: 'replicate-to-partner-landing-zone', StackId: STACK_ID, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0),
    Parameters: [{ ParameterKey: 'ArtifactBucket', ParameterValue: ARTIFACTS }, { ParameterKey: 'ArtifactKey', ParameterValue: key }],
    ...extra,
  };
}

function config(overrides: Record<string, string> = {}): DeployConfig {
  return parseDeployConfig(deployEnv({ AWS_DEFAULT_REGION: undefined, ...overrides }));
}

describe('deploy/commands/deploy/deploy runDeploy (mocked AWS)', () => {
  const { clients, sts, s3, cfn, iam, sns } = mockCommandClients();
  let lines: string[];
  let out: string;

  const args = (extra: Partial<DeployArgs> = {}): DeployArgs => ({ plan: false, outDir: undefined, applySourcePolicy: false, ...extra });
  /** Set when deploy bundled the handler: a refusal of bad input must come before it. */
  let bundled: boolean;
  const run = (a: DeployArgs = args(), c: DeployConfig = config()) =>
    runDeploy(c, a, {
      clients, log: (l) => lines.push(l), cwd: out, bundle: () => { bundled = true; return Promise.resolve(BUNDLE); }, waits: { stack: fast, changeSet: fast, role: fast },
    });

  beforeEach(async () => {
    lines = [];
    bundled = false;
    out = await mkdtemp(join(tmpdir(), 's3-push-unit-'));
    sts.on(GetCallerIdentityCommand).resolves({ Account: SOURCE_ACCOUNT, Arn: `arn:aws:iam::${SOURCE_ACCOUNT}:user/ci` });
    s3.on(HeadBucketCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [deployedStack({ Outputs: [{ OutputKey: 'FunctionName', OutputValue: 'replicate-to-partner-landing-zone' }] })] });
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: artifactLifecycleRules() });
    s3.on(PutBucketLifecycleConfigurationCommand).resolves({});
    s3.on(PutObjectTaggingCommand).resolves({});
    cfn.on(CreateChangeSetCommand).resolves({ Id: 'cs', StackId: STACK_ID });
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'FAILED', StatusReason: "The submitted information didn't contain changes. Submit different information to create a change set." });
    cfn.on(DeleteChangeSetCommand).resolves({});
    cfn.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
    iam.on(GetRoleCommand).resolves({ Role: { Arn: EXEC_ROLE, RoleName: 'x', Path: '/', RoleId: 'AROA', CreateDate: new Date() } });
  });

  afterEach(async () => {
    await rm(out, { recursive: true, force: true });
  });

  /** Every call of the deploy in the order it was sent, as `Service:Operation`. */
  const callList = () =>
    [['STS', sts], ['S3', s3], ['CloudFormation', cfn], ['IAM', iam]]
      .flatMap(([service, m]) => (m as typeof s3).calls().map((c) => ({ id: (c as unknown as { callId: number }).callId, op: `${service as string}:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}` })))
      .sort((a, b) => a.id - b.id)
      .map((c) => c.op);

  for (const [where, stackId] of [
    ['that account has no stack of this name', undefined],
    ["that account's stack of the same name", 'arn:aws:cloudformation:us-east-1:999999999999:stack/replicate-to-partner-landing-zone/9'],
  ] as const) {
    it(`refuses credentials of another account before any write (${where})`, async () => {
      if (stackId === undefined) cfn.on(DescribeStacksCommand).rejects(stackMissing('replicate-to-partner-landing-zone'));
      else cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'replicate-to-partner-landing-zone', StackId: stackId, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
      sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999', Arn: 'arn:aws:iam::999999999999:user/other' });
      const err = await run().catch((e: unknown) => e);
      // The environment's AWS_ACCOUNT is wrong for these credentials: a configuration error, exit 2.
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).exitCode).to.equal(2);
      expect((err as Error).message).to.include('belong to account 999999999999').and.include(`AWS_ACCOUNT is ${SOURCE_ACCOUNT}`);
      expect(callList(), 'only the read-only look at the stack, then STS').to.deep.equal(['CloudFormation:DescribeStacks', 'STS:GetCallerIdentity']);
    });
  }

  it('refuses a template whose defaults give the handler an environment it refuses (a start above the cap), before any AWS call (exit 2)', async () => {
    const loaded = loadTemplate();
    const parameters = { ...loaded.template.Parameters, CopyConcurrencyStart: { ...loaded.template.Parameters.CopyConcurrencyStart!, Default: '63' } };
    const err = await runDeploy(config(), args(), {
      clients, log: (l) => lines.push(l), cwd: out, bundle: () => { bundled = true; return Promise.resolve(BUNDLE); }, waits: { stack: fast, changeSet: fast, role: fast },
      template: { ...loaded, template: { ...loaded.template, Parameters: parameters } },
    }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError).with.property('exitCode', 2);
    expect((err as Error).message).to.include('templates/pushS3Template.yml').and.include('COPY_CONCURRENCY_START is "63"').and.include('(template parameter CopyConcurrencyStart)');
    expect(callList(), 'no AWS call').to.deep.equal([]);
    expect(bundled).to.equal(false);
  });

  it('a stack that cannot be read: STS first (the credentials may be the cause), then the stack\'s error', async () => {
    cfn.on(DescribeStacksCommand).rejects(awsError('Throttling', 400, 'Rate exceeded'));
    const err = await run().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.include('could not read stack replicate-to-partner-landing-zone').and.include('Rate exceeded');
    expect(callList()).to.deep.equal(['CloudFormation:DescribeStacks', 'STS:GetCallerIdentity']);
  });

  describe('push on write', () => {
    it('refuses --enable-source-events without S3_REPLICATE_PUSH_ON_WRITE=true, before any AWS call (exit 2)', async () => {
      const err = await run(args({ enableSourceEvents: true })).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ConfigError).with.property('exitCode', 2);
      expect((err as Error).message).to.include('S3_REPLICATE_PUSH_ON_WRITE is not true');
      for (const m of [sts, s3, cfn, iam]) expect(m.calls()).to.have.length(0);
    });

    it('sends PushOnWrite to the stack and, with --enable-source-events, merges EventBridge delivery into the bucket after the stack', async () => {
      s3.on(GetBucketNotificationConfigurationCommand).resolves({ QueueConfigurations: [{ Id: 'q', QueueArn: `arn:aws:sqs:us-east-1:${SOURCE_ACCOUNT}:q`, Events: ['s3:ObjectCreated:*'] }] });
      s3.on(PutBucketNotificationConfigurationCommand).resolves({});
      const report = await run(args({ enableSourceEvents: true }), config({ S3_REPLICATE_PUSH_ON_WRITE: 'true' }));
      expect(report.sourceEvents).to.equal('enabled');
      const params = cfn.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.Parameters ?? [];
      expect(params.find((p) => p.ParameterKey === 'PushOnWrite')?.ParameterValue).to.equal('true');
      expect(s3.commandCalls(PutBucketNotificationConfigurationCommand)[0]!.args[0].input.NotificationConfiguration).to.deep.equal({
        QueueConfigurations: [{ Id: 'q', QueueArn: `arn:aws:sqs:us-east-1:${SOURCE_ACCOUNT}:q`, Events: ['s3:ObjectCreated:*'] }],
        EventBridgeConfiguration: {},
      });
      expect(lines.join('\n')).to.include(`turned on EventBridge delivery for ${SOURCE_BUCKET}`);
    });

    it('without the flag leaves the bucket alone and says what the flag would do; off, says how to turn delivery off', async () => {
      await run(args(), config({ S3_REPLICATE_PUSH_ON_WRITE: 'true' }));
      expect(s3.commandCalls(GetBucketNotificationConfigurationCommand)).to.have.length(0);
      expect(s3.commandCalls(PutBucketNotificationConfigurationCommand)).to.have.length(0);
      expect(lines.join('\n')).to.match(/Rerun with --enable-source-events: it adds EventBridgeConfiguration to the bucket's notification configuration, keeping every topic/);
      lines.length = 0;
      await run(args(), config({ S3_REPLICATE_PUSH_ON_WRITE: 'false' }));
      const params = cfn.commandCalls(CreateChangeSetCommand).at(-1)!.args[0].input.Parameters ?? [];
      expect(params.find((p) => p.ParameterKey === 'PushOnWrite')?.ParameterValue).to.equal('false');
      expect(s3.commandCalls(PutBucketNotificationConfigurationCommand)).to.have.length(0);
      expect(lines.join('\n')).to.include('push on write is off').and.include(`aws s3api put-bucket-notification-configuration --bucket ${SOURCE_BUCKET}`);
    });
  });

  it('a rerun with nothing changed: 7 calls, every check kept, the source bucket policy read for the next steps', async () => {
    const report = await run();
    expect(report).to.deep.include({ bucket: 'exists', upload: 'present', stack: 'no-changes', executionRoleArn: EXEC_ROLE });
    // The stack's id names the account (no GetCallerIdentity); the source bucket's HeadBucket (owner
    // condition) follows; the artifact's HeadObject shows its bucket (no HeadBucket of it); the empty
    // change set is deleted; an unchanged stack kept its role (no GetRole); the bucket policy is
    // read, so that the next steps say whether s3-push's statements are in it.
    expect(callList()).to.deep.equal([
      'CloudFormation:DescribeStacks',
      'S3:HeadBucket',
      'S3:HeadObject',
      'CloudFormation:CreateChangeSet',
      'CloudFormation:DescribeChangeSet',
      'CloudFormation:DeleteChangeSet',
      'S3:GetBucketPolicy',
    ]);
    expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).to.deep.equal({ Bucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1`, Key: KEY, ExpectedBucketOwner: SOURCE_ACCOUNT });
    expect(s3.commandCalls(HeadBucketCommand)[0]!.args[0].input).to.deep.equal({ Bucket: SOURCE_BUCKET, ExpectedBucketOwner: SOURCE_ACCOUNT });
    expect(lines.join('\n')).to.include('no changes').and.include(`account ${SOURCE_ACCOUNT}: the stack replicate-to-partner-landing-zone is there`);
    // Nothing is marked, nothing re-uploaded, the lifecycle not even read: the artifact the stack runs stays as it is.
    expect(s3.commandCalls(PutObjectTaggingCommand)).to.have.length(0);
    expect(s3.commandCalls(GetBucketLifecycleConfigurationCommand)).to.have.length(0);
  });

  it('an unchanged stack\'s role: the ARN from its output ExecutionRoleArn when it reports one (a role with a path included)', async () => {
    const withPath = `arn:aws:iam::${SOURCE_ACCOUNT}:role/team/replicate-to-partner-landing-zone-lambda`;
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [deployedStack({ Outputs: [{ OutputKey: 'ExecutionRoleArn', OutputValue: withPath }] })] });
    const report = await run();
    expect(report.executionRoleArn).to.equal(withPath);
    expect(iam.calls()).to.have.length(0);
  });

  it('a first deploy: GetCallerIdentity (no stack names the account), HeadBucket and PutObject of a missing artifact, GetRole of the new role', async () => {
    cfn.on(DescribeStacksCommand).rejectsOnce(stackMissing('replicate-to-partner-landing-zone')).resolves({ Stacks: [{ StackName: 'replicate-to-partner-landing-zone', StackId: STACK_ID, StackStatus: 'CREATE_COMPLETE', CreationTime: new Date() }] });
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', StackId: STACK_ID, Changes: [{ ResourceChange: { Action: 'Add', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function' } }] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    const report = await run();
    expect(report).to.deep.include({ bucket: 'exists', upload: 'uploaded', stack: 'created', executionRoleArn: EXEC_ROLE });
    const ops = callList();
    expect(ops.slice(0, 6)).to.deep.equal(['CloudFormation:DescribeStacks', 'STS:GetCallerIdentity', 'S3:HeadBucket', 'S3:HeadObject', 'S3:HeadBucket', 'S3:PutObject']);
    expect(ops.slice(-2)).to.deep.equal(['IAM:GetRole', 'S3:GetBucketPolicy']);
  });

  it('uploads the zip under its hash when HeadObject says it is missing', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    const report = await run();
    expect(report.upload).to.equal('uploaded');
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).to.deep.include({ Bucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1`, Key: KEY, ContentType: 'application/zip' });
    expect(put.Body).to.equal(BUNDLE.zip);
  });

  it('creates a missing artifact bucket private, encrypted, TLS-only, with expiring artifacts', async () => {
    s3.on(HeadBucketCommand, { Bucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-eu-west-1` }).rejects(awsError('NotFound', 404));
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    const report = await run(args(), config({ AWS_REGION: 'eu-west-1' }));
    expect(report.bucket).to.equal('created');
    expect(s3.commandCalls(CreateBucketCommand)[0]!.args[0].input).to.deep.equal({ Bucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-eu-west-1`, CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } });
    expect(s3.commandCalls(PutPublicAccessBlockCommand)[0]!.args[0].input.PublicAccessBlockConfiguration).to.deep.equal({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    expect(s3.commandCalls(PutBucketEncryptionCommand)).to.have.length(1);
    // Only artifacts marked superseded expire (issue 11, item 5); aborting incomplete uploads is a rule of its own.
    expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]!.args[0].input.LifecycleConfiguration?.Rules).to.deep.equal(artifactLifecycleRules());
    expect(artifactLifecycleRules()[0]).to.deep.include({ Filter: { And: { Prefix: 's3-push/', Tags: [{ Key: 's3-push-artifact', Value: 'superseded' }] } }, Expiration: { Days: 90 } });
    expect(s3.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input.Policy).to.include('"aws:SecureTransport":"false"');
  });

  it('creates the bucket in us-east-1 without a location constraint, and without the TLS-only policy behind a plain-http endpoint', async () => {
    s3.on(HeadBucketCommand, { Bucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1` }).rejects(awsError('NotFound', 404));
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    await run(args(), config({ AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }));
    expect(s3.commandCalls(CreateBucketCommand)[0]!.args[0].input).to.deep.equal({ Bucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1` });
    expect(s3.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
  });

  it('takes HeadBucket 403 for a bucket it may not use, not for a missing one', async () => {
    s3.on(HeadBucketCommand, { Bucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1` }).rejects(awsError('Forbidden', 403));
    s3.on(HeadObjectCommand).rejects(awsError('Forbidden', 403));
    const err = await run().catch((e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as Error).message).to.include('exists but these credentials may not use it').and.include('S3_ARTIFACT_BUCKET');
    expect(s3.commandCalls(CreateBucketCommand)).to.have.length(0);
    expect(cfn.calls().map((c) => (c.args[0] as object).constructor.name), 'only the read-only look at the stack').to.deep.equal(['DescribeStacksCommand']);
  });

  it('--plan uploads nothing, executes nothing and renders nothing', async () => {
    cfn.on(DescribeStacksCommand).rejects(stackMissing('replicate-to-partner-landing-zone'));
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', StackId: STACK_ID, Changes: [{ ResourceChange: { Action: 'Add', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function' } }] });
    const report = await run(args({ plan: true }));
    expect(report.stack).to.equal('planned');
    // Only the read-only check of the source bucket.
    expect(s3.calls().map((c) => c.args[0].constructor.name)).to.deep.equal(['HeadBucketCommand']);
    expect(cfn.commandCalls(ExecuteChangeSetCommand)).to.have.length(0);
    expect(iam.calls()).to.have.length(0);
    expect(await readdir(out)).to.deep.equal([]);
    expect(lines.join('\n')).to.include('+ Add    PushFunction');
  });

  it('waits for the execution role to show in IAM before printing the trust step', async () => {
    iam.on(GetRoleCommand)
      .rejectsOnce(new NoSuchEntityException({ message: 'Role not found', $metadata: {} }))
      .rejectsOnce(new NoSuchEntityException({ message: 'Role not found', $metadata: {} }))
      .resolves({ Role: { Arn: EXEC_ROLE, RoleName: 'x', Path: '/', RoleId: 'AROA', CreateDate: new Date() } });
    // The stack changed (its role may be new): the update ran (a new LastUpdatedTime).
    cfn.on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [deployedStack({ LastUpdatedTime: new Date(1000) })] })
      .resolves({ Stacks: [deployedStack({ LastUpdatedTime: new Date(2000) })] });
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', StackId: STACK_ID, Changes: [{ ResourceChange: { Action: 'Modify', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function' } }] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    const report = await run();
    expect(iam.commandCalls(GetRoleCommand)).to.have.length(3);
    expect(report.executionRoleArn).to.equal(EXEC_ROLE);
  });

  it('a rerun after the source bucket policy was applied by hand says it is in place, not put-bucket-policy again', async () => {
    await run(args({ outDir: join(out, 'docs') }));
    const putAdvice = `aws s3api put-bucket-policy --bucket ${SOURCE_BUCKET}`;
    expect(lines.join('\n')).to.include(putAdvice);
    // The operator followed it: the bucket's policy is the rendered one.
    const rendered = await readFile(join(out, 'docs', 'sourceBucketPolicy.json.tmp'), 'utf8');
    s3.on(GetBucketPolicyCommand).resolves({ Policy: rendered });
    lines.length = 0;
    const report = await run(args({ outDir: join(out, 'docs') }));
    const text = lines.join('\n');
    expect(text).to.include(`  1. the source bucket policy of ${SOURCE_BUCKET} already holds the ${sourcePolicySids(STACK).Read} and ${sourcePolicySids(STACK).List} statements as rendered: nothing to do there.`);
    expect(text).to.not.include(putAdvice);
    expect(report.sourcePolicy).to.equal('not-requested');
    expect(s3.commandCalls(GetBucketPolicyCommand).at(-1)!.args[0].input).to.deep.equal({ Bucket: SOURCE_BUCKET, ExpectedBucketOwner: SOURCE_ACCOUNT });
    expect(s3.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
  });

  it('a bucket policy of its own (without our statements) is never advised to be replaced; an unreadable one gives both ways and the deploy goes on', async () => {
    s3.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Other', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/*`, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] }) });
    await run(args({ outDir: join(out, 'docs') }));
    expect(lines.join('\n')).to.include('put-bucket-policy would replace it: rerun with --apply-source-policy').and.not.include('aws s3api put-bucket-policy');
    s3.on(GetBucketPolicyCommand).rejects(awsError('AccessDenied', 403));
    lines.length = 0;
    const report = await run(args({ outDir: join(out, 'docs') }));
    expect(report.stack).to.equal('no-changes');
    const text = lines.join('\n');
    expect(text).to.include(`could not read the bucket policy of ${SOURCE_BUCKET}`).and.include(`If ${SOURCE_BUCKET} has no bucket policy yet:`).and.include('aws s3api put-bucket-policy');
  });

  it('writes the three documents (owner-only) and prints outputs and next steps, never the external id', async () => {
    const report = await run(args({ outDir: join(out, 'docs') }));
    expect((await readdir(join(out, 'docs'))).sort()).to.deep.equal(['roleDefinitionDestinationExample.json.tmp', 'sourceBucketPolicy.json.tmp', 'trustRelationshipExample.json.tmp']);
    expect(report.files).to.have.length(3);
    const text = lines.join('\n');
    expect(text).to.include('FunctionName  replicate-to-partner-landing-zone');
    expect(text).to.include(`aws s3api put-bucket-policy --bucket ${SOURCE_BUCKET} --policy file://docs/sourceBucketPolicy.json.tmp`);
    expect(text).to.include('aws iam update-assume-role-policy --role-name s3-push-writer --policy-document file://docs/trustRelationshipExample.json.tmp');
    expect(text).to.include('aws iam put-role-policy --role-name s3-push-writer --policy-name s3-push --policy-document file://docs/roleDefinitionDestinationExample.json.tmp');
    expect(text).to.not.include(EXTERNAL_ID);
  });

  it('a directory at a document\'s path (--out or the working directory) is refused, exit 2 naming it, before any AWS call', async () => {
    const docs = join(out, 'docs');
    await mkdir(join(docs, 'trustRelationshipExample.json.tmp'), { recursive: true });
    const err = await run(args({ outDir: docs })).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).exitCode).to.equal(2);
    expect((err as Error).message).to.include(`--out "${docs}": ${join(docs, 'trustRelationshipExample.json.tmp')} is a directory: deploy writes the IAM document trustRelationshipExample.json.tmp there`);
    expect(callList(), 'no AWS call').to.deep.equal([]);
    await mkdir(join(out, 'sourceBucketPolicy.json.tmp'));
    const inCwd = await run().catch((e: unknown) => e);
    expect((inCwd as Error).message).to.include(`the working directory (no --out): ${join(out, 'sourceBucketPolicy.json.tmp')} is a directory`);
    expect(callList(), 'no AWS call').to.deep.equal([]);
  });

  it('refuses an --out folder any user may write (no sticky bit) before any AWS call; warns loudly of one its group may write', async () => {
    const open = join(out, 'open');
    await mkdir(open);
    await chmod(open, 0o777);
    const err = await run(args({ outDir: open })).catch((e: unknown) => e);
    expect((err as ConfigError).exitCode).to.equal(2);
    expect((err as Error).message).to.include(`--out "${open}": ${open} may be written by any user (mode 777, no sticky bit): they could replace the trust document`);
    expect(callList(), 'no AWS call').to.deep.equal([]);
    const shared = join(out, 'shared');
    await mkdir(shared);
    await chmod(shared, 0o770);
    await run(args({ outDir: shared }));
    expect(lines.find((l) => l.startsWith('WARNING:'))).to.equal(`WARNING: --out "${shared}": ${shared} may be written by its group (mode 770): a member could replace the trust document after deploy wrote it; read it again before you apply it, or use a folder only you can write`);
  });

  it('warns, before any AWS call, that a destination prefix makes keys over S3\'s 1,024 bytes possible; no warning without one', async () => {
    await run(args(), config({ S3_REPLICATE_DEST_PREFIX: 'from-acme/' }));
    expect(lines.filter((l) => l.startsWith('WARNING:'))).to.deep.equal([
      'WARNING: S3_REPLICATE_DEST_PREFIX is 10 bytes: a source key of more than 1014 bytes (UTF-8) would make a destination key over S3\'s 1024-byte limit; such objects are not copied: each run reports them as tooLong (the day\'s summary, the ObjectsTooLong metric, the day marker\'s leftOut)',
    ]);
    expect(lines.findIndex((l) => l.startsWith('WARNING: S3_REPLICATE_DEST_PREFIX'))).to.be.below(lines.findIndex((l) => l.startsWith('[1/6]')));
    lines = [];
    await run(args(), config({ S3_REPLICATE_DEST_PREFIX: '' }));
    expect(lines.filter((l) => l.startsWith('WARNING:'))).to.deep.equal([]);
  });

  it('creates a missing --out folder owner-only (0700)', async () => {
    await run(args({ outDir: join(out, 'new', 'docs') }));
    expect((await stat(join(out, 'new', 'docs'))).mode & 0o777).to.equal(0o700);
  });

  it('writes each document as a new owner-only file: an existing world-readable file is replaced, a symlink is not followed (issue 15)', async () => {
    const docs = join(out, 'docs');
    await mkdir(docs);
    const trust = join(docs, 'trustRelationshipExample.json.tmp');
    await writeFile(trust, 'old', { mode: 0o644 });
    await chmod(trust, 0o644);
    const victim = join(out, 'victim.txt');
    await writeFile(victim, 'keep me');
    await symlink(victim, join(docs, 'sourceBucketPolicy.json.tmp'));
    await run(args({ outDir: docs }));
    for (const name of ['trustRelationshipExample.json.tmp', 'sourceBucketPolicy.json.tmp', 'roleDefinitionDestinationExample.json.tmp']) {
      const st = await lstat(join(docs, name));
      expect(st.isFile(), name).to.equal(true);
      expect(st.mode & 0o777, name).to.equal(0o600);
    }
    expect(JSON.parse(await readFile(trust, 'utf8'))).to.have.property('Statement');
    expect(await readFile(victim, 'utf8')).to.equal('keep me');
    expect((await stat(victim)).mode & 0o777).to.not.equal(0o600);
    // No temporary file is left beside them.
    expect((await readdir(docs)).sort()).to.deep.equal(['roleDefinitionDestinationExample.json.tmp', 'sourceBucketPolicy.json.tmp', 'trustRelationshipExample.json.tmp']);
  });

  describe('the artifact of the deployed stack never expires (issue 11, item 5)', () => {
    const OLD_KEY = `s3-push/${'01'.repeat(32)}.zip`;
    const updated = (lastUpdated: number, key = KEY) => ({ Stacks: [deployedStack({ LastUpdatedTime: new Date(lastUpdated) }, key)] });
    /** The stack runs OLD_KEY; this deploy moves it to KEY, and the update ends in `final` (the stack's parameters then name `finalKey`). */
    function update(final: 'UPDATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE', others: Stack[] = []) {
      const finalKey = final === 'UPDATE_COMPLETE' ? KEY : OLD_KEY;
      const after = deployedStack({ StackStatus: final, LastUpdatedTime: new Date(2000) }, finalKey);
      cfn.on(DescribeStacksCommand).callsFake((input: { StackName?: string }) =>
        input.StackName === 'replicate-to-partner-landing-zone' ? updated(1000, OLD_KEY)
          : input.StackName === STACK_ID ? { Stacks: [after] }
          // Without a name: every stack of the region, as the reference check reads them.
          : { Stacks: [after, ...others] });
      cfn.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', StackId: STACK_ID, Changes: [{ ResourceChange: { Action: 'Modify', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function' } }] });
      cfn.on(ExecuteChangeSetCommand).resolves({});
      s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    }
    const tagged = () => s3.commandCalls(PutObjectTaggingCommand).map((c) => c.args[0].input);
    const superseded = (key: string) => ({ Bucket: ARTIFACTS, Key: key, ExpectedBucketOwner: SOURCE_ACCOUNT, Tagging: { TagSet: [{ Key: 's3-push-artifact', Value: 'superseded' }] } });

    it('an update that moves the stack to new code marks the artifact it left superseded, never the one it runs', async () => {
      update('UPDATE_COMPLETE');
      const report = await run();
      expect(report.stack).to.equal('updated');
      expect(tagged()).to.deep.equal([superseded(OLD_KEY)]);
      expect(lines.join('\n')).to.include(`marked s3://${ARTIFACTS}/${OLD_KEY} superseded: no stack uses it`);
    });

    it('an artifact another stack of the region still runs is not marked', async () => {
      update('UPDATE_COMPLETE', [{ ...deployedStack({ StackName: 'replicate-to-other' }, OLD_KEY), StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/replicate-to-other/2' }]);
      await run();
      expect(tagged()).to.deep.equal([]);
      expect(lines.join('\n')).to.include(`kept s3://${ARTIFACTS}/${OLD_KEY}: stack replicate-to-other runs it`);
    });

    it('nor one that a stack in the middle of an update may roll back to', async () => {
      update('UPDATE_COMPLETE', [{ ...deployedStack({ StackName: 'replicate-to-other', StackStatus: 'UPDATE_IN_PROGRESS' }, `s3-push/${'02'.repeat(32)}.zip`), StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/replicate-to-other/2' }]);
      await run();
      expect(tagged()).to.deep.equal([]);
    });

    it('an update that rolls back leaves the artifact the stack runs unmarked, and marks the new one nothing runs', async () => {
      update('UPDATE_ROLLBACK_COMPLETE');
      const err = await run().catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DeployError);
      expect((err as Error).message).to.include('ended UPDATE_ROLLBACK_COMPLETE');
      expect(tagged()).to.deep.equal([superseded(KEY)]);
    });

    it('a deploy of code whose artifact was marked superseded uploads it again, unmarked, before the stack runs it', async () => {
      update('UPDATE_COMPLETE');
      s3.on(HeadObjectCommand).resolves({ TagCount: 1 });
      const report = await run();
      expect(report.upload).to.equal('renewed');
      expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).to.deep.include({ Bucket: ARTIFACTS, Key: KEY });
      expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).to.not.have.property('Tagging');
      expect(s3.commandCalls(PutObjectCommand)[0]!.calledBefore(cfn.commandCalls(ExecuteChangeSetCommand)[0]!)).to.equal(true);
      // S3's own word works too, without the right to read tags: x-amz-expiration naming the expiry rule.
      s3.on(HeadObjectCommand).resolves({ Expiration: 'expiry-date="Fri, 23 Dec 2033 00:00:00 GMT", rule-id="expire-superseded-s3-push-artifacts"' });
      expect((await run()).upload).to.equal('renewed');
    });

    it('a bucket of an older deploy (every artifact expiring after 90 days, S3 says so on HeadObject): a no-op replaces that rule and keeps the others', async () => {
      const legacy = { ID: 'expire-old-s3-push-artifacts', Status: 'Enabled' as const, Filter: { Prefix: 's3-push/' }, Expiration: { Days: 90 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } };
      const theirs = { ID: 'logs', Status: 'Enabled' as const, Filter: { Prefix: 'logs/' }, Expiration: { Days: 7 } };
      s3.on(HeadObjectCommand).resolves({ Expiration: 'expiry-date="Fri, 23 Dec 2033 00:00:00 GMT", rule-id="expire-old-s3-push-artifacts"' });
      s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: [theirs, legacy] });
      const report = await run();
      expect(report.stack).to.equal('no-changes');
      expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]!.args[0].input).to.deep.equal({
        Bucket: ARTIFACTS, ExpectedBucketOwner: SOURCE_ACCOUNT, LifecycleConfiguration: { Rules: [theirs, ...artifactLifecycleRules()] },
      });
      expect(lines.join('\n')).to.include('now expires only artifacts marked superseded');
      expect(s3.commandCalls(PutObjectTaggingCommand)).to.have.length(0);
    });

    it('another rule of the bucket that expires the artifact: deploy warns, naming it and the date', async () => {
      s3.on(HeadObjectCommand).resolves({ Expiration: 'expiry-date="Fri, 23 Dec 2033 00:00:00 GMT", rule-id="clean%20everything"' });
      await run();
      expect(lines.join('\n')).to.include('warning: the bucket\'s lifecycle rule "clean everything" expires this artifact on Fri, 23 Dec 2033 00:00:00 GMT');
    });

    it('marking fails (AccessDenied): a warning, the deploy still succeeds and the artifact is kept', async () => {
      update('UPDATE_COMPLETE');
      s3.on(PutObjectTaggingCommand).rejects(awsError('AccessDenied', 403, 'Access Denied'));
      const report = await run();
      expect(report.stack).to.equal('updated');
      expect(lines.join('\n')).to.include('warning: could not mark').and.include('s3:PutObjectTagging').and.include('is kept (nothing expires it)');
    });

    it('--plan reads no lifecycle, marks nothing', async () => {
      update('UPDATE_COMPLETE');
      await run(args({ plan: true }));
      expect(s3.commandCalls(GetBucketLifecycleConfigurationCommand)).to.have.length(0);
      expect(tagged()).to.deep.equal([]);
    });
  });

  it('says that update-assume-role-policy replaces the whole trust policy, and prints the merge of the S3PushFunction statement instead', async () => {
    await run(args({ outDir: join(out, 'docs') }));
    const text = lines.join('\n');
    const step2 = text.slice(text.indexOf('  2. in the destination account'), text.indexOf('  3. '));
    expect(step2).to.include('update-assume-role-policy replaces the role\'s\n     WHOLE trust policy: merge the S3PushFunction statement of docs/trustRelationshipExample.json.tmp into it instead');
    expect(step2).to.include('aws iam get-role --role-name s3-push-writer --query Role.AssumeRolePolicyDocument --output json > trust-current.json');
    expect(step2).to.include(`       ${mergeBySidCommand('docs/trustRelationshipExample.json.tmp', 'trust-current.json', 'trust-merged.json')}`);
    expect(step2).to.include(`       ${trustSizeCheckCommand('trust-merged.json')}\n       aws iam update-assume-role-policy`);
    expect(step2).to.include('aws iam update-assume-role-policy --role-name s3-push-writer --policy-document file://trust-merged.json');
    const trust = JSON.parse(await readFile(join(out, 'docs', 'trustRelationshipExample.json.tmp'), 'utf8')) as { Statement: { Sid: string }[] };
    expect(trust.Statement.map((st) => st.Sid)).to.deep.equal(['S3PushFunction']);
  });

  describe('the printed merge command, run with jq (https://jqlang.github.io/jq/manual/)', function () {
    before(function () {
      if (spawnSync('jq', ['--version']).status !== 0) this.skip();
    });

    const ours = { Version: '2012-10-17', Statement: [{ Sid: 'S3PushFunction', Effect: 'Allow', Principal: { AWS: EXEC_ROLE }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x' } } }] };
    const others = [
      { Sid: 'Admins', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ];
    const earlier = { Sid: 'S3PushFunction', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SOURCE_ACCOUNT}:role/old-lambda` }, Action: 'sts:AssumeRole' };
    const merge = async (current: unknown) => {
      await writeFile(join(out, 'ours.json'), JSON.stringify(ours));
      await writeFile(join(out, 'current.json'), JSON.stringify(current));
      const res = spawnSync('bash', ['-c', mergeBySidCommand('ours.json', 'current.json', 'merged.json')], { cwd: out, encoding: 'utf8' });
      expect(res.status, res.stderr).to.equal(0);
      return { policy: JSON.parse(await readFile(join(out, 'merged.json'), 'utf8')) as unknown, mode: (await stat(join(out, 'merged.json'))).mode & 0o777 };
    };

    it('keeps every other statement (with or without a Sid), replaces an earlier S3PushFunction, writes the result for the owner only', async () => {
      const { policy, mode } = await merge({ Version: '2012-10-17', Statement: [others[0], earlier, others[1]] });
      expect(policy).to.deep.equal({ Version: '2012-10-17', Statement: [...others, ours.Statement[0]] });
      expect(mode).to.equal(0o600);
    });

    it('takes a Statement given as one object, and a policy without our statement', async () => {
      expect((await merge({ Version: '2012-10-17', Statement: others[0] })).policy).to.deep.equal({ Version: '2012-10-17', Statement: [others[0], ours.Statement[0]] });
    });

    describe(`the merged policy's size against IAM's ${TRUST_POLICY_QUOTA_CHARS} characters`, () => {
      // Our statement at the longest values deploy can produce: the execution role has no path (the
      // template sets none) and at most 64 characters of name, in the longest partition; an external
      // id of IAM's longest, 1,224 characters.
      const longest = {
        Version: '2012-10-17',
        Statement: [{ Sid: 'S3PushFunction', Effect: 'Allow', Principal: { AWS: `arn:aws-us-gov:iam::${SOURCE_ACCOUNT}:role/${'r'.repeat(64)}` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'x'.repeat(1224) } } }],
      };
      const mergeAndCheck = async (current: unknown) => {
        await writeFile(join(out, 'ours.json'), JSON.stringify(longest, null, 2));
        await writeFile(join(out, 'current.json'), JSON.stringify(current, null, 2));
        const script = `${mergeBySidCommand('ours.json', 'current.json', 'merged.json')} && ${trustSizeCheckCommand('merged.json')}`;
        const res = spawnSync('bash', ['-c', script], { cwd: out, encoding: 'utf8' });
        return { status: res.status, stderr: res.stderr, size: (await readFile(join(out, 'merged.json'), 'utf8')).trim().length };
      };

      it('fits when merged into a role that trusts one other principal, written without white space', async () => {
        const { status, stderr, size } = await mergeAndCheck({ Version: '2012-10-17', Statement: [others[0]] });
        expect(status, stderr).to.equal(0);
        expect(size).to.be.at.most(TRUST_POLICY_QUOTA_CHARS);
        // Written with jq's default indentation it would count more characters.
        expect(JSON.stringify(JSON.parse(await readFile(join(out, 'merged.json'), 'utf8')), null, 2).length).to.be.above(size);
      });

      it('stops before update-assume-role-policy when the merged policy is over the quota, saying what to do', async () => {
        const crowded = { Version: '2012-10-17', Statement: Array.from({ length: 6 }, (_, i) => ({ Sid: `Partner${i}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::21098765432${i}:role/${'p'.repeat(40)}` }, Action: 'sts:AssumeRole' })) };
        const { status, stderr, size } = await mergeAndCheck(crowded);
        expect(size).to.be.above(TRUST_POLICY_QUOTA_CHARS);
        expect(status).to.equal(1);
        expect(stderr).to.include(`merged.json has ${size} characters, over IAM's default ${TRUST_POLICY_QUOTA_CHARS}`).and.include('Role trust policy length').and.include('4,096');
      });
    });
  });

  it('with S3_REPLICATE_SOURCE_KMS_KEY_ARN: writes the fourth document and says, in the source account\'s step, how to merge it into the key policy', async () => {
    const key = `arn:aws:kms:us-east-1:${SOURCE_ACCOUNT}:key/5678abcd-12ab-34cd-56ef-1234567890ab`;
    await run(args({ outDir: join(out, 'docs') }), config({ S3_REPLICATE_SOURCE_KMS_KEY_ARN: key }));
    expect((await readdir(join(out, 'docs'))).sort()).to.deep.equal(['roleDefinitionDestinationExample.json.tmp', 'sourceBucketPolicy.json.tmp', 'sourceKeyPolicyStatement.json.tmp', 'trustRelationshipExample.json.tmp']);
    const text = lines.join('\n');
    const step1 = text.slice(text.indexOf('  1. in this account'), text.indexOf('  2. in the destination account'));
    expect(step1).to.include(`The source objects are encrypted with ${key}: its key policy must let the destination role decrypt`);
    expect(step1).to.include(`aws kms get-key-policy --key-id ${key} --policy-name default --query Policy --output text > key-policy.json`);
    expect(step1).to.include('S3PushDecryptSourceObjects statement of docs/sourceKeyPolicyStatement.json.tmp');
    expect(step1).to.include(`aws kms put-key-policy --key-id ${key} --policy-name default --policy file://key-policy-merged.json`);
  });

  describe('the alarm topic and the alarm address', () => {
    const TOPIC = `arn:aws:sns:us-east-1:${SOURCE_ACCOUNT}:ops-paging`;

    it('refuses a topic under the AWS managed key alias/aws/sns before bundling (exit 2), naming the variable, the key and the fix', async () => {
      sns.on(GetTopicAttributesCommand, { TopicArn: TOPIC }).resolves({ Attributes: { KmsMasterKeyId: 'alias/aws/sns' } });
      const err = await run(args(), config({ S3_REPLICATE_ALARM_TOPIC_ARN: TOPIC })).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).exitCode).to.equal(2);
      expect((err as Error).message).to.include('S3_REPLICATE_ALARM_TOPIC_ARN').and.include('alias/aws/sns').and.include('customer managed key');
      expect(bundled).to.equal(false);
      expect(cfn.commandCalls(CreateChangeSetCommand)).to.have.length(0);
    });

    it('prints the key statement CloudWatch needs for a topic under a customer managed key', async () => {
      const key = `arn:aws:kms:us-east-1:${SOURCE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      sns.on(GetTopicAttributesCommand, { TopicArn: TOPIC }).resolves({ Attributes: { KmsMasterKeyId: key } });
      await run(args(), config({ S3_REPLICATE_ALARM_TOPIC_ARN: TOPIC }));
      const text = lines.join('\n');
      expect(text).to.include(`alarm topic ${TOPIC}: encrypted with ${key}`);
      expect(text).to.include('"Principal":{"Service":"cloudwatch.amazonaws.com"}').and.include(':alarm:replicate-to-partner-landing-zone-s3push-*');
    });

    for (const [state, subscriptionArn, expected] of [
      ['pending', 'PendingConfirmation', 'pending confirmation'],
      ['missing', undefined, 'is not subscribed to the alarm topic'],
      ['confirmed', `${TOPIC}:0c5f`, 'the alarms reach ops@example.com (subscription confirmed)'],
    ] as const) {
      it(`says after the stack when the alarm address is ${state}, with the command that fixes it`, async () => {
        sns.on(GetTopicAttributesCommand).resolves({ Attributes: {} });
        sns.on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC }).resolves({ Subscriptions: subscriptionArn === undefined ? [] : [{ Protocol: 'email', Endpoint: 'ops@example.com', SubscriptionArn: subscriptionArn }] });
        await run(args(), config({ S3_REPLICATE_ALARM_TOPIC_ARN: TOPIC, S3_REPLICATE_ALARM_EMAIL: 'ops@example.com' }));
        const text = lines.join('\n');
        expect(text).to.include(expected);
        if (state !== 'confirmed') expect(text).to.include(`aws sns subscribe --region us-east-1 --topic-arn ${TOPIC} --protocol email --notification-endpoint ops@example.com`);
      });
    }
  });

  it('with S3_REPLICATE_KMS_KEY_ARN: reads the destination bucket\'s region (HeadBucket) and refuses a key of another region before bundling (exit 2)', async () => {
    const key = `arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    s3.on(HeadBucketCommand, { Bucket: 'partner-landing-zone' }).rejects(Object.assign(awsError('Forbidden', 403), { $response: { statusCode: 403, headers: { 'x-amz-bucket-region': 'eu-central-1' } } }));
    const err = await run(args(), config({ S3_REPLICATE_KMS_KEY_ARN: key })).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).exitCode).to.equal(2);
    expect((err as Error).message).to.include('S3_REPLICATE_KMS_KEY_ARN').and.include('is in eu-central-1');
    expect(bundled).to.equal(false);
    expect(s3.commandCalls(PutObjectCommand)).to.have.length(0);
    expect(cfn.commandCalls(CreateChangeSetCommand)).to.have.length(0);
  });
});
