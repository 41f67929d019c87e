/**
 * `--enable-source-events`: turns on EventBridge delivery for the source bucket by adding
 * `EventBridgeConfiguration` to the bucket's notification configuration. S3 keeps one notification
 * configuration per bucket and PutBucketNotificationConfiguration replaces it whole, so the
 * configuration is read first and written back with every topic, queue and Lambda configuration as
 * it was; a bucket that already sends to EventBridge is left untouched (no write).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-event-notifications-eventbridge.html
 */
import {
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type NotificationConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import { DeployError } from '../cli/errors.ts';
import { describeError } from '../../rules/errors.ts';

/**
 * The configuration to write so that the bucket also sends to EventBridge, or undefined when it
 * already does. Every other field is kept as read. Pure.
 */
export function withEventBridge(current: NotificationConfiguration): NotificationConfiguration | undefined {
  if (current.EventBridgeConfiguration !== undefined) return undefined;
  return { ...current, EventBridgeConfiguration: {} };
}

/** The notification configuration of a bucket (without the response metadata). */
export async function getNotificationConfiguration(s3: S3Client, bucket: string, account: string): Promise<NotificationConfiguration> {
  try {
    const out = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
    return {
      ...(out.TopicConfigurations ? { TopicConfigurations: out.TopicConfigurations } : {}),
      ...(out.QueueConfigurations ? { QueueConfigurations: out.QueueConfigurations } : {}),
      ...(out.LambdaFunctionConfigurations ? { LambdaFunctionConfigurations: out.LambdaFunctionConfigurations } : {}),
      ...(out.EventBridgeConfiguration ? { EventBridgeConfiguration: out.EventBridgeConfiguration } : {}),
    };
  } catch (err) {
    throw new DeployError(`could not read the notification configuration of ${bucket}: ${describeError(err)}`, err, 's3:GetBucketNotification');
  }
}

/**
 * Turns on EventBridge delivery for the bucket, keeping its other notifications: `enabled` when it
 * wrote, `unchanged` when the bucket already sent to EventBridge.
 */
export async function enableSourceEvents(s3: S3Client, bucket: string, account: string): Promise<'enabled' | 'unchanged'> {
  const merged = withEventBridge(await getNotificationConfiguration(s3, bucket, account));
  if (merged === undefined) return 'unchanged';
  try {
    await s3.send(new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      ExpectedBucketOwner: account,
      NotificationConfiguration: merged,
      // The existing destinations are written back unchanged; S3 would otherwise send each one a
      // test message and refuse the whole write if one of them is gone, which is not ours to fix.
      SkipDestinationValidation: true,
    }));
  } catch (err) {
    throw new DeployError(`could not turn on EventBridge delivery for ${bucket}: ${describeError(err)}`, err, 's3:PutBucketNotification');
  }
  return 'enabled';
}
