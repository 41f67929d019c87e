/**
 * `npm run deploy` on moto with each way of telling someone: no alarm variable (the stack's own
 * topic, nobody subscribed), an email (subscribed to that topic), an existing topic (no topic
 * created, the email subscribed to it when given); bad values stop before the first AWS call.
 * moto's CloudFormation skips AWS::CloudWatch::Alarm, so the alarms' properties are tested from
 * the template itself (test/unit/templates/alarms.test.ts).
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { bundleHandler, type HandlerBundle } from '../../../deploy/build/bundle.ts';
import { REPO_ROOT } from '../../../deploy/repoRoot.ts';
import { createClients, type AwsClients } from '../../../deploy/aws/clients.ts';
import { parseDeployConfig } from '../../../deploy/config/config.ts';
import { runDeploy } from '../../../deploy/commands/deploy/deploy.ts';
import { moto } from '../setup.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, SOURCE_ACCOUNT, SOURCE_BUCKET, deployEnv } from '../../helpers/fixtures.ts';

const FAST = { pollIntervalMs: 50, timeoutMs: 20_000 };
const EMAIL = 'ops@example.com';

/** The shared deploy environment on this run's moto, without an external id, plus `extra`. */
function alarmsEnv(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return deployEnv({
    AWS_REGION: process.env.AWS_REGION,
    AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION,
    AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    S3_REPLICATE_EXTERNAL_ID: undefined,
    ...extra,
  });
}

/** SNS's query API on moto (the project has no SNS client: the stack creates the topic). */
async function sns(action: string, params: Record<string, string>): Promise<string> {
  const res = await fetch(`${moto().endpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: 'AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Action: action, Version: '2010-03-31', ...params }).toString(),
  });
  const text = await res.text();
  expect(res.status, `sns ${action}: ${text}`).to.equal(200);
  return text;
}

const subscriptionsOf = async (topicArn: string) => [...(await sns('ListSubscriptionsByTopic', { TopicArn: topicArn })).matchAll(/<Endpoint>([^<]*)<\/Endpoint>/g)].map((m) => m[1]);

describe('npm run deploy on moto: who the alarms reach', function () {
  this.timeout(120_000);
  let clients: AwsClients;
  let out: string;
  let bundle: HandlerBundle;
  let lines: string[];

  const deploy = async (extra: Record<string, string>) => {
    const config = parseDeployConfig(alarmsEnv(extra));
    lines = [];
    await runDeploy(config, { plan: false, outDir: out, applySourcePolicy: false }, {
      clients, log: (l) => lines.push(l), cwd: out, bundle: () => Promise.resolve(bundle), waits: { stack: FAST, changeSet: FAST, role: FAST },
    });
    const resources = await clients.cfn.send(new ListStackResourcesCommand({ StackName: config.stackName }));
    return new Map((resources.StackResourceSummaries ?? []).map((r) => [r.LogicalResourceId!, r.PhysicalResourceId!]));
  };

  before(async () => {
    out = await mkdtemp(join(tmpdir(), 's3-push-alarms-'));
    bundle = await bundleHandler();
  });
  beforeEach(async () => {
    await moto().reset();
    clients = createClients({ region: 'us-east-1' });
    await clients.s3.send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }));
  });
  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('no alarm variable: the stack creates its encrypted topic, subscribes nobody, and says so', async () => {
    const resources = await deploy({});
    expect(resources.has('AlarmTopic')).to.equal(true);
    expect(resources.has('AlarmTopicKey')).to.equal(true);
    expect(resources.has('AlarmEmailSubscription')).to.equal(false);
    const attrs = await sns('GetTopicAttributes', { TopicArn: resources.get('AlarmTopic')! });
    expect(attrs).to.match(/<key>KmsMasterKeyId<\/key>\s*<value>[^<]+<\/value>/);
    expect(await subscriptionsOf(resources.get('AlarmTopic')!)).to.deep.equal([]);
    expect(lines.join('\n')).to.match(/which nobody is subscribed to: set S3_REPLICATE_ALARM_EMAIL/);
  });

  it('an email: subscribed to the stack\'s topic, and the next steps say a confirmation mail comes', async () => {
    const resources = await deploy({ S3_REPLICATE_ALARM_EMAIL: EMAIL });
    expect(await subscriptionsOf(resources.get('AlarmTopic')!)).to.deep.equal([EMAIL]);
    expect(lines.join('\n')).to.include(`AWS sends a confirmation mail to ${EMAIL}`);
  });

  it('an existing topic: no topic, key or policy created, the next steps name the topic', async () => {
    const created = await sns('CreateTopic', { Name: 'ops-paging' });
    const topicArn = /<TopicArn>([^<]+)<\/TopicArn>/.exec(created)![1]!;
    const resources = await deploy({ S3_REPLICATE_ALARM_TOPIC_ARN: topicArn, S3_REPLICATE_ALARM_EMAIL: EMAIL });
    for (const r of ['AlarmTopic', 'AlarmTopicKey', 'AlarmTopicPolicy']) expect(resources.has(r), r).to.equal(false);
    // moto's CloudFormation skips AWS::SNS::Subscription (as it skips alarms): the subscription to an
    // existing topic is checked from the template (test/unit/templates/alarms.test.ts).
    expect(await subscriptionsOf(topicArn)).to.deep.equal([]);
    // So the address is not on the topic, and deploy, which lists the topic's subscriptions after
    // the stack, says so with the command that subscribes it (on AWS it would be pending).
    expect(lines.join('\n')).to.include(`the alarms notify ${topicArn}: its policy must let cloudwatch.amazonaws.com publish`)
      .and.include(`${EMAIL} is not subscribed to the alarm topic ${topicArn}`)
      .and.include(`aws sns subscribe --region us-east-1 --topic-arn ${topicArn} --protocol email --notification-endpoint ${EMAIL}`);
  });

  const BAD: Record<string, [Record<string, string>, RegExp]> = {
    'a malformed address': [{ S3_REPLICATE_ALARM_EMAIL: 'ops at example.com' }, /S3_REPLICATE_ALARM_EMAIL is "ops at example\.com": expected one email address/],
    'a topic of another account': [{ S3_REPLICATE_ALARM_TOPIC_ARN: `arn:aws:sns:us-east-1:${DESTINATION_ACCOUNT}:ops` }, new RegExp(`S3_REPLICATE_ALARM_TOPIC_ARN is in account ${DESTINATION_ACCOUNT}, but AWS_ACCOUNT is ${SOURCE_ACCOUNT}`)],
    'a topic of another partition': [{ S3_REPLICATE_ALARM_TOPIC_ARN: `arn:aws-cn:sns:cn-north-1:${SOURCE_ACCOUNT}:ops` }, /a topic in partition aws-cn, but region us-east-1 is in partition aws/],
    'a topic of another region': [{ S3_REPLICATE_ALARM_TOPIC_ARN: `arn:aws:sns:eu-west-1:${SOURCE_ACCOUNT}:ops` }, /is in region eu-west-1, but the stack is in us-east-1/],
    'not a topic ARN': [{ S3_REPLICATE_ALARM_TOPIC_ARN: 'ops-paging' }, /expected an SNS topic ARN/],
    'a bad EMPTY_DAYS_OK': [{ S3_REPLICATE_EMPTY_DAYS_OK: 'yes' }, /S3_REPLICATE_EMPTY_DAYS_OK is "yes": expected true or false/],
  };
  for (const [label, [extra, message]] of Object.entries(BAD)) {
    it(`${label}: exit 2 naming the value, no stack, no bucket, no file`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 's3-push-bad-'));
      try {
        const res = spawnSync(process.execPath, ['--import', 'tsx', 'deploy/commands/deploy/main.ts', '--out', dir], {
          cwd: REPO_ROOT, env: { ...process.env, ...alarmsEnv(extra), NODE_NO_WARNINGS: '1' }, encoding: 'utf8',
        });
        expect(res.status, res.stderr).to.equal(2);
        expect(res.stderr).to.match(message);
        expect(await readdir(dir)).to.deep.equal([]);
        const stack = await clients.cfn.send(new DescribeStacksCommand({ StackName: `replicate-to-${DESTINATION_BUCKET}` })).catch((e: Error) => e);
        expect(stack).to.be.instanceOf(Error);
        const bucket = await clients.s3.send(new HeadBucketCommand({ Bucket: `s3-push-artifacts-${SOURCE_ACCOUNT}-us-east-1` })).catch((e: Error) => e);
        expect(bucket).to.be.instanceOf(Error);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
