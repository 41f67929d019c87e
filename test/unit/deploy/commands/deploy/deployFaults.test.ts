import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateChangeSetCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, GetBucketLifecycleConfigurationCommand, HeadBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSServiceException } from '@aws-sdk/client-sts';
import type { HandlerBundle } from '../../../../../deploy/build/bundle.ts';
import { parseDeployConfig } from '../../../../../deploy/config/config.ts';
import { runDeploy } from '../../../../../deploy/commands/deploy/deploy.ts';
import { DeployError } from '../../../../../deploy/cli/errors.ts';
import { DEPLOY_ENV } from '../../../../helpers/badInputs.ts';
import { EXTERNAL_ID, SOURCE_ACCOUNT } from '../../../../helpers/fixtures.ts';
import { awsError, stackMissing } from '../../../../helpers/errors.ts';
import { mockCommandClients } from '../../../../helpers/awsMocks.ts';
import { artifactLifecycleRules } from '../../../../../deploy/aws/artifactLifecycle.ts';

// Faults of deploy's credentials and permissions (issue 6): each message names the AWS action
// that failed and, once the caller is known, the principal it was denied to.
const CALLER = `arn:aws:sts::${SOURCE_ACCOUNT}:assumed-role/deployer/alice`;
const BUNDLE: HandlerBundle = { zip: Buffer.from('PK fake zip'), sha256: 'cd'.repeat(32), codeSha256: 'q83vEjRWeJA=', jsBytes: 11, startJsBytes: 11, files: new Map() };
const fast = { pollIntervalMs: 0, timeoutMs: 10_000, sleep: () => Promise.resolve() };

describe('deploy/commands/deploy/deploy under credential and permission faults (mocked AWS)', () => {
  const { clients, sts, s3, cfn } = mockCommandClients();
  let out: string;
  let lines: string[];
  const cfnCalls = () => cfn.calls().map((c) => (c.args[0] as object).constructor.name);
  const run = () =>
    runDeploy(parseDeployConfig(DEPLOY_ENV), { plan: false, outDir: undefined, applySourcePolicy: false }, {
      clients,
      log: (l) => lines.push(l),
      cwd: out,
      bundle: () => Promise.resolve(BUNDLE),
      waits: { stack: fast, changeSet: fast, role: fast },
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );

  beforeEach(async () => {
    lines = [];
    out = await mkdtemp(join(tmpdir(), 's3-push-faults-'));
    sts.on(GetCallerIdentityCommand).resolves({ Account: SOURCE_ACCOUNT, Arn: CALLER });
    s3.on(HeadBucketCommand).resolves({});
    s3.on(HeadObjectCommand).resolves({});
    cfn.on(DescribeStacksCommand).rejects(stackMissing('replicate-to-partner-landing-zone'));
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({ Rules: artifactLifecycleRules() });
  });
  afterEach(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('expired credentials: names sts:GetCallerIdentity, the error, and how to refresh them', async () => {
    sts.on(GetCallerIdentityCommand).rejects(new STSServiceException({ name: 'ExpiredToken', message: 'The security token included in the request is expired', $fault: 'client', $metadata: { httpStatusCode: 403 } }));
    const err = await run();
    expect(err).to.be.instanceOf(DeployError);
    expect(err!.message).to.include('sts:GetCallerIdentity').and.include('ExpiredToken').and.match(/refresh|renew|log in/i);
    expect(s3.calls()).to.have.length(0);
    expect(cfnCalls(), 'only the read-only look at the stack').to.deep.equal(['DescribeStacksCommand']);
  });

  it('missing credentials: names sts:GetCallerIdentity and where credentials are looked for', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const err = await run();
    expect(err).to.be.instanceOf(DeployError);
    expect(err!.message).to.include('sts:GetCallerIdentity').and.include('Could not load credentials').and.include('AWS_PROFILE').and.include('AWS_ACCESS_KEY_ID');
    expect(s3.calls()).to.have.length(0);
  });

  it('AccessDenied creating the artifact bucket: names s3:CreateBucket and the caller', async () => {
    s3.on(HeadBucketCommand, { Bucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1` }).rejects(awsError('NotFound', 404));
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    s3.on(CreateBucketCommand).rejects(awsError('AccessDenied', 403));
    const err = await run();
    expect(err).to.be.instanceOf(DeployError);
    expect(err!.message).to.include('s3:CreateBucket').and.include(CALLER);
    expect(cfnCalls()).to.deep.equal(['DescribeStacksCommand']);
  });

  it('AccessDenied uploading the code: names s3:PutObject and the caller', async () => {
    s3.on(HeadObjectCommand).rejects(awsError('NotFound', 404));
    s3.on(PutObjectCommand).rejects(awsError('AccessDenied', 403));
    const err = await run();
    expect(err).to.be.instanceOf(DeployError);
    expect(err!.message).to.include('s3:PutObject').and.include(CALLER);
    expect(cfnCalls()).to.deep.equal(['DescribeStacksCommand']);
  });

  it('AccessDenied on CreateChangeSet: names cloudformation:CreateChangeSet and the caller', async () => {
    cfn.on(CreateChangeSetCommand).rejects(awsError('AccessDenied', 403, 'Access denied'));
    const err = await run();
    expect(err).to.be.instanceOf(DeployError);
    expect(err!.message).to.include('cloudformation:CreateChangeSet').and.include(CALLER);
    expect(err!.message).to.not.include(EXTERNAL_ID);
  });

  it('AccessDenied on a stack whose id gave the account: asks STS for the caller only then, and names it', async () => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'replicate-to-partner-landing-zone', StackId: `arn:aws:cloudformation:us-east-1:${SOURCE_ACCOUNT}:stack/replicate-to-partner-landing-zone/1`, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    cfn.on(CreateChangeSetCommand).rejects(awsError('AccessDenied', 403, 'Access denied'));
    const err = await run();
    expect(err!.message).to.include('cloudformation:CreateChangeSet').and.include(CALLER);
    expect(sts.calls(), 'one GetCallerIdentity, for the message').to.have.length(1);
  });
});
