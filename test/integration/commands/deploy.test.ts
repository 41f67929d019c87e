/**
 * `npm run deploy` end to end against moto: the real orchestrator with real clients, reached only
 * through AWS_ENDPOINT_URL. What moto cannot show (ROLLBACK states, "No updates are to be
 * performed", alarms and EventInvokeConfig, which its CloudFormation skips) is covered by the unit
 * tests with mocks; see docs/emulators.md.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetFunctionConfigurationCommand, GetPolicyCommand } from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetObjectTaggingCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  type LifecycleRule,
} from '@aws-sdk/client-s3';
import { artifactLifecycleRules, LEGACY_RULE_ID, migrateLifecycleRules, rulesExpiring, SUPERSEDED_TAG } from '../../../deploy/aws/artifactLifecycle.ts';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { bundleHandler, type HandlerBundle } from '../../../deploy/build/bundle.ts';
import { createClients, recordApiCalls, type ApiCall, type AwsClients } from '../../../deploy/aws/clients.ts';
import { parseDeployConfig, type DeployConfig } from '../../../deploy/config/config.ts';
import { runDeploy, type DeployReport } from '../../../deploy/commands/deploy/deploy.ts';
import type { DeployArgs } from '../../../deploy/commands/deploy/args.ts';
import { moto } from '../setup.ts';
import { runCommand } from '../../helpers/runCommand.ts';
import { deployEnv, DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET, STACK } from '../../helpers/fixtures.ts';
import { sourcePolicySids } from '../../../rules/sourcePolicySids.ts';

const SIDS = sourcePolicySids(STACK);

const FAST = { pollIntervalMs: 50, timeoutMs: 20_000 };

/** The deploy environment of these tests: moto's endpoint and a schedule other than the default. */
const testDeployEnv = () => deployEnv({ AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL, S3_REPLICATE_SCHEDULE: 'cron(15 4 * * ? *)' });

/** EventBridge has no SDK client in this project; moto answers its JSON protocol unsigned. */
async function events<T>(target: string, body: unknown): Promise<T> {
  const res = await fetch(`${moto().endpoint}/`, {
    method: 'POST',
    headers: {
      'X-Amz-Target': `AWSEvents.${target}`,
      'Content-Type': 'application/x-amz-json-1.1',
      Authorization: 'AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/events/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  });
  expect(res.status, `events ${target}`).to.equal(200);
  return (await res.json()) as T;
}

describe('npm run deploy against moto', function () {
  this.timeout(120_000);
  let config: DeployConfig;
  let clients: AwsClients;
  let calls: ApiCall[];
  let out: string;
  let lines: string[];
  let bundle: HandlerBundle;
  let first: DeployReport;
  let changedKey: string;

  const run = async (args: Partial<DeployArgs> = {}, withBundle: HandlerBundle = bundle): Promise<DeployReport> => {
    calls.length = 0;
    lines = [];
    return runDeploy(config, { plan: false, outDir: out, applySourcePolicy: false, ...args }, {
      clients,
      log: (line) => lines.push(line),
      cwd: out,
      bundle: () => Promise.resolve(withBundle),
      waits: { stack: FAST, changeSet: FAST, role: FAST },
    });
  };
  const ops = () => calls.map((c) => `${c.service}:${c.operation}`);

  /** The tags of an artifact, and the bucket's lifecycle rules that would expire it. */
  const expiryOf = async (key: string) => {
    const tags = (await clients.s3.send(new GetObjectTaggingCommand({ Bucket: config.artifactBucket, Key: key }))).TagSet ?? [];
    const rules = (await clients.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: config.artifactBucket }))).Rules ?? [];
    return { tags, expiring: rulesExpiring(rules, key, tags).map((r) => r.ID) };
  };
  const SUPERSEDED = [{ Key: SUPERSEDED_TAG.Key, Value: SUPERSEDED_TAG.Value }];

  before(async () => {
    await moto().reset();
    config = parseDeployConfig(testDeployEnv());
    clients = createClients({ region: config.region });
    calls = recordApiCalls(clients);
    out = await mkdtemp(join(tmpdir(), 's3-push-deploy-'));
    bundle = await bundleHandler();
    await clients.s3.send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }));
    first = await run();
  });

  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('creates the artifact bucket encrypted, private and expiring old artifacts, and uploads the zip under its hash', async () => {
    expect(first.bucket).to.equal('created');
    expect(first.upload).to.equal('uploaded');
    const bucket = config.artifactBucket;
    expect(bucket).to.equal(`s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1`);
    const enc = await clients.s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    expect(enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).to.equal('AES256');
    const pab = await clients.s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
    expect(pab.PublicAccessBlockConfiguration).to.deep.equal({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const lc = await clients.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    expect(lc.Rules?.[0]).to.deep.include({ Status: 'Enabled', Expiration: { Days: 90 } });
    expect(migrateLifecycleRules(lc.Rules ?? []), 'deploy\'s rules, as S3 reads them back').to.equal(undefined);
    expect(first.artifact.key).to.equal(`s3-push/${bundle.sha256}.zip`);
    const head = await clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: first.artifact.key }));
    expect(head.ContentLength).to.equal(bundle.zip.length);
  });

  it('creates the stack: a function running the uploaded zip with the handler environment', async () => {
    expect(first.stack).to.equal('created');
    const fn = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: config.functionName }));
    expect(fn.CodeSha256).to.equal(bundle.codeSha256);
    expect(fn.Runtime).to.equal('nodejs22.x');
    expect(fn.Handler).to.equal('index.handler');
    expect(fn.Timeout).to.equal(900);
    expect(fn.Role).to.equal(first.executionRoleArn);
    const env = fn.Environment?.Variables ?? {};
    expect(env).to.include({ SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, PREFIX_FORMAT: '{YYYY}/{MM}/{DD}/', DESTINATION_PREFIX: '' });
    expect(String(env.LAG_DAYS)).to.equal('1');
    expect(env).to.not.have.property('KMS_KEY_ARN');
  });

  it('creates the execution role with its least-privilege policy', async () => {
    expect(first.executionRoleArn).to.equal(`arn:aws:iam::${SOURCE_ACCOUNT}:role/${config.lambdaRoleName}`);
    const policy = await clients.iam.send(new GetRolePolicyCommand({ RoleName: config.lambdaRoleName, PolicyName: 's3-push' }));
    const text = decodeURIComponent(policy.PolicyDocument ?? '');
    expect(text).to.include(`arn:aws:s3:::${SOURCE_BUCKET}`).and.include(DESTINATION_ROLE_ARN).and.include('sqs:SendMessage');
  });

  it('creates the schedule rule targeting the function, the permission for it, and the dead-letter queue', async () => {
    const resources = await clients.cfn.send(new ListStackResourcesCommand({ StackName: config.stackName }));
    const physical = (logical: string) => resources.StackResourceSummaries?.find((r) => r.LogicalResourceId === logical)?.PhysicalResourceId;
    const ruleName = physical('ScheduleRule')!;
    const rule = await events<{ ScheduleExpression: string; State: string; Arn: string }>('DescribeRule', { Name: ruleName });
    expect(rule.ScheduleExpression).to.equal('cron(15 4 * * ? *)');
    expect(rule.State).to.equal('ENABLED');
    const targets = await events<{ Targets: { Arn: string }[] }>('ListTargetsByRule', { Rule: ruleName });
    expect(targets.Targets.map((t) => t.Arn)).to.deep.equal([`arn:aws:lambda:us-east-1:${SOURCE_ACCOUNT}:function:${config.functionName}`]);

    const policy = await clients.lambda.send(new GetPolicyCommand({ FunctionName: config.functionName }));
    const statements = (JSON.parse(policy.Policy ?? '{}') as { Statement: { Principal: unknown; Action: string; Condition?: unknown }[] }).Statement;
    expect(statements).to.have.length(1);
    expect(JSON.stringify(statements[0]!.Principal)).to.include('events.amazonaws.com');
    expect(JSON.stringify(statements[0]!.Condition)).to.include(rule.Arn);

    const queueUrl = physical('DeadLetterQueue')!;
    const sqs = new SQSClient({ region: 'us-east-1', useQueueUrlAsEndpoint: false });
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MessageRetentionPeriod'] }));
    expect(attrs.Attributes?.MessageRetentionPeriod).to.equal('1209600');
  });

  it('renders the three documents with the execution role from IAM and the external id condition', async () => {
    const read = async (name: string) => JSON.parse(await readFile(join(out, name), 'utf8')) as { Statement: Record<string, unknown>[] };
    const trust = await read('trustRelationshipExample.json.tmp');
    expect(trust.Statement[0]).to.deep.include({
      Principal: { AWS: first.executionRoleArn },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
    });
    const bucketPolicy = await read('sourceBucketPolicy.json.tmp');
    expect(bucketPolicy.Statement.map((s) => [s.Sid, s.Principal])).to.deep.equal([[SIDS.Read, { AWS: DESTINATION_ROLE_ARN }], [SIDS.List, { AWS: DESTINATION_ROLE_ARN }]]);
    const role = await read('roleDefinitionDestinationExample.json.tmp');
    expect(role.Statement.map((s) => s.Sid)).to.deep.equal(['ListDestination', 'WriteDestination', 'ReadDestinationEncryption', 'DeletePreflightProbe', 'ListSource', 'ReadSource']);
  });

  it('prints the next steps as commands, and never the external id', () => {
    const text = lines.join('\n');
    expect(text).to.include(`aws s3api put-bucket-policy --bucket ${SOURCE_BUCKET} --policy file://sourceBucketPolicy.json.tmp`);
    expect(text).to.include('aws iam update-assume-role-policy --role-name s3-push-writer --policy-document file://trustRelationshipExample.json.tmp');
    expect(text.trimEnd().split('\n').slice(-2)).to.deep.equal([
      '  5. check each link of the permission chain (after every IAM change): npm run check',
      '  6. the alarms notify the stack\'s topic (output AlarmTopicArn), which nobody is subscribed to: set S3_REPLICATE_ALARM_EMAIL (or S3_REPLICATE_ALARM_TOPIC_ARN) and rerun deploy, or subscribe to the topic yourself.',
    ]);
    // Push on write is off: the next steps say so, and how to turn the bucket's EventBridge delivery off.
    expect(text).to.include('  4. push on write is off').and.include(`put-bucket-notification-configuration --bucket ${SOURCE_BUCKET}`);
    expect(text).to.not.include(EXTERNAL_ID);
  });

  it('reruns as a no-op in 7 calls: no upload, no stack update, "no changes", the bucket policy read for the next steps', async () => {
    const again = await run();
    expect(again.upload).to.equal('present');
    expect(again.stack).to.equal('no-changes');
    expect(lines.join('\n')).to.include('no changes');
    expect(ops()).to.not.include.members(['S3:PutObject']);
    expect(ops().filter((o) => /PutObject|CreateBucket|ExecuteChangeSet|UpdateStack/.test(o))).to.deep.equal([]);
    // Every check kept, and one read more: whether the source bucket policy holds our statements.
    expect(ops()).to.deep.equal([
      'CloudFormation:DescribeStacks', // the stack, and the account its id names
      'S3:HeadBucket', // the source bucket, in this account
      'S3:HeadObject', // the artifact, so its bucket too
      'CloudFormation:CreateChangeSet',
      'CloudFormation:DescribeChangeSet',
      'CloudFormation:DeleteChangeSet',
      'S3:GetBucketPolicy', // the next steps: is the source bucket policy in place?
    ]);
    expect(again.executionRoleArn).to.equal(first.executionRoleArn);
    // Issue 11, item 5: the artifact the stack runs is unmarked, and no rule of the bucket expires it.
    expect(await expiryOf(again.artifact.key)).to.deep.equal({ tags: [], expiring: [] });
  });

  it('the npm script does the same no-op from the command line, exit 0', async () => {
    const res = await runCommand('deploy', ['--out', out], { env: testDeployEnv() });
    expect(res.code, res.stderr).to.equal(0);
    expect(res.stdout).to.include('no changes').and.include('already there: not uploaded');
    expect(res.stdout + res.stderr).to.not.include(EXTERNAL_ID);
  });

  /** A handler other than the real one, bundled (its temporary folder removed). */
  async function changedBundle(text: string): Promise<HandlerBundle> {
    const dir = await mkdtemp(join(tmpdir(), 's3-push-handler-'));
    try {
      await writeFile(join(dir, 'index.mjs'), `export const handler = async () => '${text}';\n`);
      return await bundleHandler({ entry: join(dir, 'index.mjs') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('a changed handler uploads a new key and updates the function code', async () => {
    const changed = await changedBundle('version 2');
    expect(changed.sha256).to.not.equal(bundle.sha256);
    const report = await run({}, changed);
    expect(report.upload).to.equal('uploaded');
    expect(report.stack).to.equal('updated');
    // moto diffs templates only, so it lists no resource change for a new parameter value (AWS lists
    // "Modify PushFunction"); the function's code is what proves the update.
    const fn = await clients.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: config.functionName }));
    expect(fn.CodeSha256).to.equal(changed.codeSha256);
    // The artifact the stack left is marked superseded (no other stack uses it); the one it runs is not.
    expect(await expiryOf(first.artifact.key)).to.deep.equal({ tags: SUPERSEDED, expiring: ['expire-superseded-s3-push-artifacts'] });
    expect(await expiryOf(report.artifact.key)).to.deep.equal({ tags: [], expiring: [] });
    changedKey = report.artifact.key;
  });

  it('a changed variable updates the stack (the schedule rule gets the new expression)', async () => {
    const before = config;
    config = parseDeployConfig({ ...testDeployEnv(), S3_REPLICATE_SCHEDULE: 'rate(12 hours)' });
    try {
      // The first code again, whose artifact the last update marked superseded: uploaded again, unmarked.
      const report = await run();
      expect(report.upload).to.equal('renewed');
      expect(report.stack).to.equal('updated');
      expect(await expiryOf(report.artifact.key)).to.deep.equal({ tags: [], expiring: [] });
      expect(await expiryOf(changedKey)).to.deep.equal({ tags: SUPERSEDED, expiring: ['expire-superseded-s3-push-artifacts'] });
      const resources = await clients.cfn.send(new ListStackResourcesCommand({ StackName: config.stackName }));
      const ruleName = resources.StackResourceSummaries?.find((r) => r.LogicalResourceId === 'ScheduleRule')?.PhysicalResourceId;
      const rule = await events<{ ScheduleExpression: string }>('DescribeRule', { Name: ruleName });
      expect(rule.ScheduleExpression).to.equal('rate(12 hours)');
    } finally {
      config = before;
    }
  });

  it('--apply-source-policy merges the stack\'s read and list statements into the existing bucket policy by its own Sids, keeping every other statement (a ReadAccess of someone else\'s too), replacing an earlier rendering, idempotently', async () => {
    const keep = {
      Sid: 'AnalyticsRead',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${SOURCE_ACCOUNT}:role/analytics` },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${SOURCE_BUCKET}/reports/*`,
    };
    // The Sid the merge used to replace: another team's statement, kept.
    const unrelated = { Sid: 'ReadAccess', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DESTINATION_ACCOUNT}:role/other-team` }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/shared/*` };
    // An earlier rendering of ours (narrower, same role): replaced.
    const earlier = { Sid: SIDS.Read, Effect: 'Allow', Principal: { AWS: DESTINATION_ROLE_ARN }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/2023/*` };
    await clients.s3.send(new PutBucketPolicyCommand({ Bucket: SOURCE_BUCKET, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [keep, unrelated, earlier] }) }));

    const report = await run({ applySourcePolicy: true });
    expect(report.sourcePolicy).to.equal('applied');
    const policy = JSON.parse((await clients.s3.send(new GetBucketPolicyCommand({ Bucket: SOURCE_BUCKET }))).Policy!) as { Statement: { Sid: string; Principal: unknown; Resource: unknown }[] };
    expect(policy.Statement.map((s) => s.Sid)).to.deep.equal(['AnalyticsRead', 'ReadAccess', SIDS.Read, SIDS.List]);
    expect(policy.Statement.slice(0, 2)).to.deep.equal([keep, unrelated]);
    expect(policy.Statement[2]!.Principal).to.deep.equal({ AWS: DESTINATION_ROLE_ARN });
    // Only the day pattern's objects, and a listing only with a day's prefix.
    // The year's century and the first digit of month and day written out: eight patterns.
    expect(policy.Statement[2]!.Resource).to.deep.equal(['0?', '1?'].flatMap((mm) => ['0?', '1?', '2?', '3?'].map((dd) => `arn:aws:s3:::${SOURCE_BUCKET}/20??/${mm}/${dd}/*`)));
    expect(policy.Statement[3]!.Resource).to.equal(`arn:aws:s3:::${SOURCE_BUCKET}`);

    const again = await run({ applySourcePolicy: true });
    expect(again.sourcePolicy).to.equal('unchanged');
    expect(ops()).to.not.include('S3:PutBucketPolicy');
    // A rerun without the flag finds the statements in place: no first-time put-bucket-policy advice.
    lines.length = 0;
    await run();
    expect(lines.join('\n')).to.include(`  1. the source bucket policy of ${SOURCE_BUCKET} already holds the ${SIDS.Read} and ${SIDS.List} statements as rendered: nothing to do there.`)
      .and.not.include('aws s3api put-bucket-policy');
  });

  it('--apply-source-policy refuses, exit 2 naming the Sid, to replace a statement of the stack\'s own Sid that grants anything else, before any change', async () => {
    const foreign = { Sid: SIDS.Read, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${DESTINATION_ACCOUNT}:role/other-team` }, Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${SOURCE_BUCKET}/*` };
    const before = JSON.stringify({ Version: '2012-10-17', Statement: [foreign] });
    await clients.s3.send(new PutBucketPolicyCommand({ Bucket: SOURCE_BUCKET, Policy: before }));
    const res = await runCommand('deploy', ['--out', out, '--apply-source-policy'], { env: testDeployEnv() });
    expect(res.code, res.stderr).to.equal(2);
    expect(res.stderr).to.include(`the bucket policy of ${SOURCE_BUCKET} already has a statement with the Sid ${SIDS.Read}`)
      .and.include('Principal').and.include('s3:PutObject').and.include('not replaced');
    // Refused at step 1: nothing bundled, uploaded or deployed, the policy as it was.
    expect(res.stdout).to.not.include('[2/6]');
    const policy = JSON.parse((await clients.s3.send(new GetBucketPolicyCommand({ Bucket: SOURCE_BUCKET }))).Policy!) as unknown;
    expect(policy).to.deep.equal(JSON.parse(before));
  });

  it('an artifact bucket of an older deploy (every artifact expiring after 90 days): the next deploy that moves the stack replaces that rule, keeping the bucket\'s others', async () => {
    const legacy: LifecycleRule = { ID: LEGACY_RULE_ID, Status: 'Enabled', Filter: { Prefix: 's3-push/' }, Expiration: { Days: 90 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } };
    const theirs: LifecycleRule = { ID: 'team-logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 7 } };
    await clients.s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: config.artifactBucket, LifecycleConfiguration: { Rules: [theirs, legacy] } }));
    // Under the old rule the running artifact would expire: the hazard this replaces.
    expect((await expiryOf(first.artifact.key)).expiring).to.deep.equal([LEGACY_RULE_ID]);
    const report = await run({}, await changedBundle('version 3'));
    expect(report.stack).to.equal('updated');
    const rules = (await clients.s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: config.artifactBucket }))).Rules ?? [];
    expect(rules.map((r) => r.ID)).to.deep.equal(['team-logs', ...artifactLifecycleRules().map((r) => r.ID)]);
    expect(migrateLifecycleRules(rules)).to.equal(undefined);
    expect(await expiryOf(report.artifact.key)).to.deep.equal({ tags: [], expiring: [] });
    expect(lines.join('\n')).to.include('now expires only artifacts marked superseded');
  });
});
