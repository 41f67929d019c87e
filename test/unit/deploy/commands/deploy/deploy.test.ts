import { expect } from 'chai';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { HandlerBundle } from '../../../../../dev/bundle.ts';
import { parseDeployConfig, type DeployConfig } from '../../../../../deploy/config/config.ts';
import { runDeploy } from '../../../../../deploy/commands/deploy/deploy.ts';
import type { DeployArgs } from '../../../../../deploy/commands/deploy/args.ts';
import { DeployError } from '../../../../../deploy/cli/errors.ts';
import { ConfigError } from '../../../../../rules/errors.ts';
import { deployEnv, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../../../helpers/fixtures.ts';
import { awsError, stackMissing } from '../../../../helpers/errors.ts';
import { mockCommandClients } from '../../../../helpers/awsMocks.ts';

const fast = { pollIntervalMs: 0, timeoutMs: 10_000, sleep: () => Promise.resolve() };
const BUNDLE: HandlerBundle = { zip: Buffer.from('PK fake zip'), sha256: 'ab'.repeat(32), codeSha256: 'q83vEjRWeJA=', jsBytes: 11 };
const KEY = `s3-push/${'ab'.repeat(32)}.zip`;
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/replicate-to-partner-landing-zone/1';
const EXEC_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/replicate-to-partner-landing-zone-lambda`;

function config(overrides: Record<string, string> = {}): DeployConfig {
  return parseDeployConfig(deployEnv({ AWS_DEFAULT_REGION: undefined, ...overrides }));
}

describe('deploy/commands/deploy/deploy runDeploy (mocked AWS)', () => {
  const { clients, sts, s3, cfn, iam } = mockCommandClients();
  let lines: string[];
  let out: string;

  const args = (extra: Partial<DeployArgs> = {}): DeployArgs => ({ plan: false, outDir: undefined, applySourcePolicy: false, ...extra });
  const run = (a: DeployArgs = args(), c: DeployConfig = config()) =>
    runDeploy(c, a, { clients, log: (l) => lines.push(l), cwd: out, bundle: () => Promise.resolve(BUNDLE), waits: { stack: fast, changeSet: fast, role: fast } });

  beforeEach(async () => {
    lines = [];
    out = await mkdtemp(join(tmpdir(), 's3-push-unit-'));
    sts.on(GetCallerIdentityCommand).resolves({ Account: SOURCE_ACCOUNT, Arn: `arn:aws:iam::${SOURCE_ACCOUNT}:user/ci` });
    s3.on(HeadBucketCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({});
    s3.on(PutObjectCommand).resolves({});
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'replicate-to-partner-landing-zone', StackId: STACK_ID, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'FunctionName', OutputValue: 'replicate-to-partner-landing-zone' }] }] });
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

  it('a rerun with nothing changed: 6 calls, every check kept (issue 14, item 5)', async () => {
    const report = await run();
    expect(report).to.deep.include({ bucket: 'exists', upload: 'present', stack: 'no-changes', executionRoleArn: EXEC_ROLE });
    // The stack's id names the account (no GetCallerIdentity); the source bucket's HeadBucket (owner
    // condition) follows; the artifact's HeadObject shows its bucket (no HeadBucket of it); the empty
    // change set is deleted; an unchanged stack kept its role (no GetRole).
    expect(callList()).to.deep.equal([
      'CloudFormation:DescribeStacks',
      'S3:HeadBucket',
      'S3:HeadObject',
      'CloudFormation:CreateChangeSet',
      'CloudFormation:DescribeChangeSet',
      'CloudFormation:DeleteChangeSet',
    ]);
    expect(s3.commandCalls(HeadObjectCommand)[0]!.args[0].input).to.deep.equal({ Bucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1`, Key: KEY, ExpectedBucketOwner: SOURCE_ACCOUNT });
    expect(s3.commandCalls(HeadBucketCommand)[0]!.args[0].input).to.deep.equal({ Bucket: SOURCE_BUCKET, ExpectedBucketOwner: SOURCE_ACCOUNT });
    expect(lines.join('\n')).to.include('no changes').and.include(`account ${SOURCE_ACCOUNT}: the stack replicate-to-partner-landing-zone is there`);
  });

  it('an unchanged stack\'s role: the ARN from its output ExecutionRoleArn when it reports one (a role with a path included)', async () => {
    const withPath = `arn:aws:iam::${SOURCE_ACCOUNT}:role/team/replicate-to-partner-landing-zone-lambda`;
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'replicate-to-partner-landing-zone', StackId: STACK_ID, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'ExecutionRoleArn', OutputValue: withPath }] }] });
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
    expect(ops.at(-1)).to.equal('IAM:GetRole');
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
    expect(s3.commandCalls(PutBucketLifecycleConfigurationCommand)[0]!.args[0].input.LifecycleConfiguration?.Rules?.[0]).to.deep.include({ Filter: { Prefix: 's3-push/' }, Expiration: { Days: 90 } });
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
      .resolvesOnce({ Stacks: [{ StackName: 'replicate-to-partner-landing-zone', StackId: STACK_ID, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0), LastUpdatedTime: new Date(1000) }] })
      .resolves({ Stacks: [{ StackName: 'replicate-to-partner-landing-zone', StackId: STACK_ID, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(0), LastUpdatedTime: new Date(2000) }] });
    cfn.on(DescribeChangeSetCommand).resolves({ Status: 'CREATE_COMPLETE', StackId: STACK_ID, Changes: [{ ResourceChange: { Action: 'Modify', LogicalResourceId: 'PushFunction', ResourceType: 'AWS::Lambda::Function' } }] });
    cfn.on(ExecuteChangeSetCommand).resolves({});
    const report = await run();
    expect(iam.commandCalls(GetRoleCommand)).to.have.length(3);
    expect(report.executionRoleArn).to.equal(EXEC_ROLE);
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
});
