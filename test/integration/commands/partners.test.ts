/**
 * Two partners from one source bucket, end to end against moto: two stacks (one per destination),
 * each deployed with --apply-source-policy, share the bucket policy with an unrelated statement and
 * with the statements an older release wrote for the first partner under its fixed Sids. moto
 * stores bucket policies but evaluates none (docs/emulators.md): what each partner's role may read
 * in the merged policy is proven with the IAM simulator over the policy moto holds.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { bundleHandler, type HandlerBundle } from '../../../deploy/build/bundle.ts';
import { createClients, type AwsClients } from '../../../deploy/aws/clients.ts';
import { parseDeployConfig, type DeployConfig } from '../../../deploy/config/config.ts';
import { runDeploy, type DeployReport } from '../../../deploy/commands/deploy/deploy.ts';
import { runDestroy } from '../../../deploy/commands/destroy/destroy.ts';
import { SourcePolicySizeError } from '../../../deploy/aws/sourcePolicy.ts';
import { sourcePolicySids } from '../../../rules/sourcePolicySids.ts';
import { moto } from '../setup.ts';
import { runCommand } from '../../helpers/runCommand.ts';
import { decide, sessionOf, type PolicyDocument } from '../../helpers/iamSimulator.ts';
import { deployEnv, DESTINATION_ACCOUNT, DESTINATION_ROLE_ARN, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../helpers/fixtures.ts';

const FAST = { pollIntervalMs: 50, timeoutMs: 20_000 };
const ANALYTICS_ROLE = `arn:aws:iam::${DESTINATION_ACCOUNT}:role/analytics-writer`;
const SRC = `arn:aws:s3:::${SOURCE_BUCKET}`;
/** The partners' roles may do anything in their own policies: the bucket policy alone bounds what they read. */
const ANYTHING: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
const unrelated = { Sid: 'AuditRead', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SOURCE_ACCOUNT}:role/audit` }, Action: 's3:GetObject', Resource: `${SRC}/audit/*` };
/** What the release with fixed Sids wrote for the first partner (its day pattern, one broad pattern). */
const legacy = [
  { Sid: 'S3PushReadAccess', Effect: 'Allow', Principal: { AWS: DESTINATION_ROLE_ARN }, Action: ['s3:GetObject', 's3:GetObjectTagging'], Resource: `${SRC}/events/????/??/??/*` },
  { Sid: 'S3PushListAccess', Effect: 'Allow', Principal: { AWS: DESTINATION_ROLE_ARN }, Action: 's3:ListBucket', Resource: SRC, Condition: { StringLike: { 's3:prefix': 'events/????/??/??/*' } } },
];

describe('two partners from one source bucket (moto + IAM simulator)', function () {
  this.timeout(180_000);
  let clients: AwsClients;
  let bundle: HandlerBundle;
  let out: string;
  const env = (more: Record<string, string> = {}) => deployEnv({ AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL!, S3_REPLICATE_PREFIX_FORMAT: 'events/{YYYY}/{MM}/{DD}/', ...more });
  const acme = () => parseDeployConfig(env());
  const analytics = () => parseDeployConfig(env({ S3_REPLICATE_BUCKET_NAME: 'analytics-raw', S3_REPLICATE_OTHER_ROLE_ARN: ANALYTICS_ROLE }));
  const deploy = (config: DeployConfig, lines: string[] = []): Promise<DeployReport> => runDeploy(config, { plan: false, outDir: out, applySourcePolicy: true }, {
    clients, log: (l) => lines.push(l), cwd: out, bundle: () => Promise.resolve(bundle), waits: { stack: FAST, changeSet: FAST, role: FAST },
  });
  const bucketPolicy = async () => JSON.parse((await clients.s3.send(new GetBucketPolicyCommand({ Bucket: SOURCE_BUCKET }))).Policy!) as PolicyDocument & { Statement: { Sid?: string }[] };
  /** What `role` may do in the source bucket under the bucket policy moto holds now. */
  const may = async (role: string, action: string, key: string) => {
    const request = action === 's3:ListBucket'
      ? { principal: sessionOf(role), action, resource: SRC, resourceAccount: SOURCE_ACCOUNT, context: { 's3:prefix': key } }
      : { principal: sessionOf(role), action, resource: `${SRC}/${key}`, resourceAccount: SOURCE_ACCOUNT };
    return (await decide(request, { identity: [ANYTHING], resource: await bucketPolicy() })) === 'Allowed';
  };

  before(async () => {
    await moto().reset();
    clients = createClients({ region: 'us-east-1' });
    out = await mkdtemp(join(tmpdir(), 's3-push-partners-'));
    bundle = await bundleHandler();
    await clients.s3.send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }));
    await clients.s3.send(new PutBucketPolicyCommand({ Bucket: SOURCE_BUCKET, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [unrelated, ...legacy] }) }));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('the first partner\'s deploy takes over its statements of the fixed Sids in the same write, keeping the unrelated one', async () => {
    const lines: string[] = [];
    expect((await deploy(acme(), lines)).sourcePolicy).to.equal('applied');
    const sids = sourcePolicySids({ stackName: acme().stackName, region: 'us-east-1' });
    expect((await bucketPolicy()).Statement.map((s) => s.Sid)).to.deep.equal(['AuditRead', sids.Read, sids.List]);
    expect(lines.join('\n')).to.include('replaces S3PushReadAccess (this stack\'s, written by an earlier release) in the same write: no gap in access');
  });

  it('the second partner\'s deploy adds its own statements and keeps the first\'s; a rerun of either changes nothing', async () => {
    expect((await deploy(analytics())).sourcePolicy).to.equal('applied');
    const a = sourcePolicySids({ stackName: acme().stackName, region: 'us-east-1' });
    const b = sourcePolicySids({ stackName: 'replicate-to-analytics-raw', region: 'us-east-1' });
    expect((await bucketPolicy()).Statement.map((s) => s.Sid)).to.deep.equal(['AuditRead', a.Read, a.List, b.Read, b.List]);
    expect((await deploy(acme())).sourcePolicy).to.equal('unchanged');
    expect((await deploy(analytics())).sourcePolicy).to.equal('unchanged');
  });

  it('npm run check picks the partner by its stack: --stack, or the partner\'s environment', async () => {
    const [byFlag, byEnv] = await Promise.all([
      runCommand('check', ['--stack', 'replicate-to-analytics-raw'], { env: env() }),
      runCommand('check', [], { env: env({ S3_REPLICATE_BUCKET_NAME: 'analytics-raw' }) }),
    ]);
    // moto cannot run the function (no Docker): what is proven here is which function is invoked.
    for (const run of [byFlag, byEnv]) {
      expect(run.stdout, run.stderr).to.include(`running the preflight on ${analytics().functionName} (stack replicate-to-analytics-raw, us-east-1)`);
      expect(run.stdout).to.not.include(acme().functionName);
    }
  });

  it('each partner\'s role can list and read a day, and neither can read or list outside the days', async () => {
    for (const role of [DESTINATION_ROLE_ARN, ANALYTICS_ROLE]) {
      expect(await may(role, 's3:GetObject', 'events/2024/07/01/part-0.csv'), role).to.equal(true);
      expect(await may(role, 's3:ListBucket', 'events/2024/07/01/'), role).to.equal(true);
      for (const key of ['audit/2024.csv', 'secrets/key.pem', 'events/latest.json', 'other/2024/07/01/x']) expect(await may(role, 's3:GetObject', key), `${role} ${key}`).to.equal(false);
      expect(await may(role, 's3:ListBucket', ''), role).to.equal(false);
      expect(await may(role, 's3:PutObject', 'events/2024/07/01/x'), role).to.equal(false);
    }
  });

  it('a third deploy whose merged policy would pass S3\'s 20 KB is refused, exit 2, before any change', async () => {
    const before = await bucketPolicy();
    const filler = { Sid: 'Filler', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${SOURCE_ACCOUNT}:role/filler` }, Action: 's3:GetObject', Resource: `${SRC}/${'x'.repeat(19_000)}` };
    await clients.s3.send(new PutBucketPolicyCommand({ Bucket: SOURCE_BUCKET, Policy: JSON.stringify({ ...before, Statement: [...before.Statement, filler] }) }));
    const third = parseDeployConfig(env({ S3_REPLICATE_BUCKET_NAME: 'auditor-archive', S3_REPLICATE_OTHER_ROLE_ARN: `arn:aws:iam::${DESTINATION_ACCOUNT}:role/auditor` }));
    const err = await deploy(third).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(SourcePolicySizeError);
    expect((err as SourcePolicySizeError).exitCode).to.equal(2);
    expect((err as Error).message).to.match(/over S3's limit of 20 KB \(20480 bytes\): nothing written/);
    expect(await clients.cfn.send(new DescribeStacksCommand({ StackName: third.stackName })).then(() => 'created', () => 'absent')).to.equal('absent');
    expect((await bucketPolicy()).Statement.map((s) => s.Sid)).to.include('Filler').and.have.length(6);
    await clients.s3.send(new PutBucketPolicyCommand({ Bucket: SOURCE_BUCKET, Policy: JSON.stringify(before) }));
  });

  it('destroying the first partner takes out only its statements: the second still reads its days, the first no longer', async () => {
    const lines: string[] = [];
    const target = { region: 'us-east-1', stackName: acme().stackName };
    expect(await runDestroy(target, { yes: true }, { cfn: clients.cfn, s3: clients.s3, log: (l) => lines.push(l), confirm: undefined, wait: FAST })).to.equal('deleted');
    const b = sourcePolicySids({ stackName: 'replicate-to-analytics-raw', region: 'us-east-1' });
    expect((await bucketPolicy()).Statement.map((s) => s.Sid)).to.deep.equal(['AuditRead', b.Read, b.List]);
    expect(await may(ANALYTICS_ROLE, 's3:GetObject', 'events/2024/07/01/part-0.csv')).to.equal(true);
    expect(await may(DESTINATION_ROLE_ARN, 's3:GetObject', 'events/2024/07/01/part-0.csv')).to.equal(false);
    const stack = (await clients.cfn.send(new DescribeStacksCommand({ StackName: 'replicate-to-analytics-raw' }))).Stacks?.[0];
    expect(stack?.StackStatus).to.match(/_COMPLETE$/);
    // The second partner's statements are exactly as its deploy renders them.
    expect((await deploy(analytics())).sourcePolicy).to.equal('unchanged');
  });
});
