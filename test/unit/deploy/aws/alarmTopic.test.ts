import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  awsManagedKeyProblem, cloudWatchKeyStatement, isAwsManagedSnsKey, listTopicSubscriptions, readTopicKey, subscriptionAdvice, subscriptionState,
} from '../../../../deploy/aws/alarmTopic.ts';
import { DeployError } from '../../../../deploy/cli/errors.ts';
import { REGION, SOURCE_ACCOUNT } from '../../../helpers/fixtures.ts';
import { decide } from '../../../helpers/iamSimulator.ts';

const TOPIC = `arn:aws:sns:${REGION}:${SOURCE_ACCOUNT}:ops-paging`;
const KEY = `arn:aws:kms:${REGION}:${SOURCE_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

describe('deploy/aws/alarmTopic: a topic the alarms can reach, an address that still gets them', () => {
  // An instance of its own: a class-level mock would collide with the command clients' mocks.
  const client = new SNSClient({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const sns = mockClient(client);
  afterEach(() => sns.reset());
  after(() => sns.restore());

  describe('the topic\'s key', () => {
    it('recognises the AWS managed key for SNS by alias and alias ARN, and nothing else', () => {
      for (const id of ['alias/aws/sns', `arn:aws:kms:${REGION}:${SOURCE_ACCOUNT}:alias/aws/sns`, `arn:aws-us-gov:kms:us-gov-west-1:${SOURCE_ACCOUNT}:alias/aws/sns`]) expect(isAwsManagedSnsKey(id), id).to.equal(true);
      for (const id of [KEY, 'alias/ops-sns', 'alias/aws/sqs', `arn:aws:kms:${REGION}:${SOURCE_ACCOUNT}:alias/aws/sns-ops`, 'alias/aws/snsx']) expect(isAwsManagedSnsKey(id), id).to.equal(false);
    });

    it('reads KmsMasterKeyId: none, the AWS managed key, or a customer managed key', async () => {
      sns.on(GetTopicAttributesCommand, { TopicArn: TOPIC }).resolvesOnce({ Attributes: { TopicArn: TOPIC } })
        .resolvesOnce({ Attributes: { KmsMasterKeyId: 'alias/aws/sns' } })
        .resolvesOnce({ Attributes: { KmsMasterKeyId: KEY } });
      expect(await readTopicKey(client, TOPIC)).to.deep.equal({ kind: 'none' });
      expect(await readTopicKey(client, TOPIC)).to.deep.equal({ kind: 'aws-managed', keyId: 'alias/aws/sns' });
      expect(await readTopicKey(client, TOPIC)).to.deep.equal({ kind: 'customer-managed', keyId: KEY });
    });

    it('wraps a refused GetTopicAttributes, naming the topic, the variable and the action', async () => {
      sns.on(GetTopicAttributesCommand).rejects(Object.assign(new Error('User is not authorized to perform: SNS:GetTopicAttributes'), { name: 'AuthorizationError' }));
      const err = await readTopicKey(client, TOPIC).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DeployError);
      expect((err as DeployError).message).to.include(TOPIC).and.include('S3_REPLICATE_ALARM_TOPIC_ARN');
      expect((err as DeployError).action).to.equal('sns:GetTopicAttributes');
    });

    it('refuses the AWS managed key naming the variable, the key and both fixes', () => {
      const message = awsManagedKeyProblem(TOPIC, 'alias/aws/sns');
      expect(message).to.match(/^S3_REPLICATE_ALARM_TOPIC_ARN is "arn:aws:sns:/);
      expect(message).to.include('alias/aws/sns').and.include('set-topic-attributes').and.include('unset S3_REPLICATE_ALARM_TOPIC_ARN');
    });

    it('prints a key statement that lets this stack\'s alarms, and only them, use a customer managed key (IAM simulator)', async () => {
      const statement = cloudWatchKeyStatement({ partition: 'aws', region: REGION, account: SOURCE_ACCOUNT, functionName: 'replicate-to-partner' });
      const allowed = async (action: string, sourceArn: string, sourceAccount = SOURCE_ACCOUNT) => (await decide(
        { principal: 'cloudwatch.amazonaws.com', action, resource: KEY, resourceAccount: SOURCE_ACCOUNT, context: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount } },
        { identity: [], resource: { Version: '2012-10-17', Statement: [statement as never] } },
      )) === 'Allowed';
      const own = `arn:aws:cloudwatch:${REGION}:${SOURCE_ACCOUNT}:alarm:replicate-to-partner-s3push-throttles`;
      expect(await allowed('kms:GenerateDataKey', own)).to.equal(true);
      expect(await allowed('kms:Decrypt', own)).to.equal(true);
      expect(await allowed('kms:Encrypt', own)).to.equal(false);
      expect(await allowed('kms:Decrypt', `arn:aws:cloudwatch:${REGION}:${SOURCE_ACCOUNT}:alarm:someone-else`)).to.equal(false);
      expect(await allowed('kms:Decrypt', own, '999999999999')).to.equal(false);
    });
  });

  describe('the address\'s subscription', () => {
    const subs = (...rows: [string, string, string][]) => rows.map(([Protocol, Endpoint, SubscriptionArn]) => ({ Protocol, Endpoint, SubscriptionArn }));
    it('confirmed, pending or missing, the address compared case-insensitively and only as e-mail', () => {
      expect(subscriptionState(subs(['email', 'Ops@Example.com', `${TOPIC}:0c5f`]), 'ops@example.com')).to.equal('confirmed');
      expect(subscriptionState(subs(['email', 'ops@example.com', 'PendingConfirmation']), 'ops@example.com')).to.equal('pending');
      expect(subscriptionState(subs(['email-json', 'ops@example.com', `${TOPIC}:1`], ['email', 'other@example.com', `${TOPIC}:2`]), 'ops@example.com')).to.equal('missing');
      expect(subscriptionState([], 'ops@example.com')).to.equal('missing');
    });

    it('says what to do when pending or missing, with the command that subscribes again', () => {
      expect(subscriptionAdvice('confirmed', TOPIC, 'ops@example.com', REGION)).to.equal(undefined);
      const subscribe = `aws sns subscribe --region ${REGION} --topic-arn ${TOPIC} --protocol email --notification-endpoint ops@example.com`;
      expect(subscriptionAdvice('pending', TOPIC, 'ops@example.com', REGION)).to.include('pending confirmation').and.include('3 days').and.include(subscribe);
      expect(subscriptionAdvice('missing', TOPIC, 'ops@example.com', REGION)).to.include('reach nobody').and.include('expires after 3 days').and.include(subscribe);
    });

    it('lists every page of the topic\'s subscriptions and stops on a repeated token', async () => {
      sns.on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: undefined }).resolves({ Subscriptions: subs(['email', 'a@example.com', 'PendingConfirmation']), NextToken: 't1' });
      sns.on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC, NextToken: 't1' }).resolves({ Subscriptions: subs(['email', 'b@example.com', `${TOPIC}:9`]), NextToken: 't1' });
      const all = await listTopicSubscriptions(client, TOPIC);
      expect(all.map((s) => s.Endpoint)).to.deep.equal(['a@example.com', 'b@example.com']);
      expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).to.have.length(2);
    });
  });
});
