/**
 * What deploy and the preflight check of the topic the alarms notify: that CloudWatch can publish
 * to it at all (its encryption key), and that the configured address still receives it (its
 * subscriptions). An SNS e-mail subscription not confirmed within three days expires, and the
 * unsubscribe link of any alarm mail removes it; a rerun of deploy with the same address changes
 * nothing in the stack, so neither would ever come back by itself.
 */
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { DeployError } from '../cli/errors.ts';

/**
 * CloudWatch cannot publish to a topic encrypted with the AWS managed key for SNS: its key policy
 * cannot be changed to let cloudwatch.amazonaws.com use it ("Enable compatibility between event
 * sources from AWS services and encrypted topics", Amazon SNS Developer Guide,
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
 * KmsMasterKeyId names it by alias (`alias/aws/sns`) or alias ARN.
 */
export function isAwsManagedSnsKey(kmsMasterKeyId: string): boolean {
  return /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:)?alias\/aws\/sns$/.test(kmsMasterKeyId.trim());
}

/** The key-policy statement a customer managed key needs so that this stack's alarms can publish. */
export function cloudWatchKeyStatement(options: { partition: string; region: string; account: string; functionName: string }): Record<string, unknown> {
  const { partition, region, account, functionName } = options;
  return {
    Sid: 'S3PushCloudWatchAlarmsEncrypt',
    Effect: 'Allow',
    Principal: { Service: 'cloudwatch.amazonaws.com' },
    Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
    Resource: '*',
    Condition: {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:${functionName}-s3push-*` },
    },
  };
}

/** What the topic's encryption means for the alarms. */
export type TopicKey =
  | { readonly kind: 'none' }
  | { readonly kind: 'aws-managed'; readonly keyId: string }
  | { readonly kind: 'customer-managed'; readonly keyId: string };

/** Reads the topic's KmsMasterKeyId (GetTopicAttributes). */
export async function readTopicKey(sns: SNSClient, topicArn: string): Promise<TopicKey> {
  let attributes: Record<string, string> | undefined;
  try {
    attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes;
  } catch (err) {
    throw new DeployError(`reading the attributes of the alarm topic ${topicArn} failed (S3_REPLICATE_ALARM_TOPIC_ARN; deploy needs sns:GetTopicAttributes on it)`, err, 'sns:GetTopicAttributes');
  }
  const keyId = attributes?.KmsMasterKeyId?.trim();
  if (!keyId) return { kind: 'none' };
  return isAwsManagedSnsKey(keyId) ? { kind: 'aws-managed', keyId } : { kind: 'customer-managed', keyId };
}

/** The message that refuses a topic under the AWS managed key (exit 2), naming the variable, the key and the fix. */
export function awsManagedKeyProblem(topicArn: string, keyId: string): string {
  return `S3_REPLICATE_ALARM_TOPIC_ARN is ${JSON.stringify(topicArn)}: the topic is encrypted with the AWS managed key ${keyId}, `
    + 'whose policy cannot let CloudWatch use it, so no alarm would ever be delivered. '
    + 'Encrypt the topic with a customer managed key whose policy lets cloudwatch.amazonaws.com use it '
    + `(aws sns set-topic-attributes --topic-arn ${topicArn} --attribute-name KmsMasterKeyId --attribute-value <key ARN>), `
    + 'or unset S3_REPLICATE_ALARM_TOPIC_ARN and let the stack create its own topic.';
}

/** Where an e-mail address stands on a topic. */
export type SubscriptionState = 'confirmed' | 'pending' | 'missing';

/** The state of `email`'s subscription among the topic's subscriptions (addresses compared case-insensitively). */
export function subscriptionState(subscriptions: readonly { Protocol?: string; Endpoint?: string; SubscriptionArn?: string }[], email: string): SubscriptionState {
  const own = subscriptions.filter((s) => s.Protocol === 'email' && s.Endpoint?.toLowerCase() === email.toLowerCase());
  if (own.some((s) => s.SubscriptionArn?.startsWith('arn:'))) return 'confirmed';
  if (own.some((s) => s.SubscriptionArn === 'PendingConfirmation')) return 'pending';
  return 'missing';
}

/** Every subscription of the topic (ListSubscriptionsByTopic, all pages, at most `maxPages`). */
export async function listTopicSubscriptions(sns: SNSClient, topicArn: string, maxPages = 100): Promise<{ Protocol?: string; Endpoint?: string; SubscriptionArn?: string }[]> {
  const out: { Protocol?: string; Endpoint?: string; SubscriptionArn?: string }[] = [];
  let token: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const answer = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
    out.push(...(answer.Subscriptions ?? []));
    if (!answer.NextToken || answer.NextToken === token) break;
    token = answer.NextToken;
  }
  return out;
}

/** What to tell the operator about the address's subscription, or undefined when it is confirmed. */
export function subscriptionAdvice(state: SubscriptionState, topicArn: string, email: string, region: string): string | undefined {
  const subscribe = `aws sns subscribe --region ${region} --topic-arn ${topicArn} --protocol email --notification-endpoint ${email}`;
  switch (state) {
    case 'confirmed':
      return undefined;
    case 'pending':
      return `AWS sent a confirmation mail to ${email} ("AWS Notification - Subscription Confirmation"); the subscription is pending confirmation: click its link within 3 days of its sending, or it expires and the alarms reach nobody; to send it again: ${subscribe}`;
    case 'missing':
      return `${email} is not subscribed to the alarm topic ${topicArn} (an unconfirmed subscription expires after 3 days, and an unsubscribe link in an alarm mail removes it): the alarms reach nobody. Subscribe again: ${subscribe}`;
  }
}
