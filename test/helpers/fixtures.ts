/** Fixtures shared by every test: the accounts and names (from dev/accounts.ts), the deploy environment, events. */
import type { ScheduledEvent } from 'aws-lambda';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, REGION, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../dev/accounts.ts';
import type { DaySettings } from '../../handler/copy/replicateDay.ts';
import type { StackIdentity } from '../../rules/sourcePolicySids.ts';

export { SOURCE_ACCOUNT, DESTINATION_ACCOUNT, REGION, SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_NAME, DESTINATION_ROLE_ARN, EXTERNAL_ID, handlerEnv, deployEnv } from '../../dev/accounts.ts';

/** The stack of the deploy environment (its default name, replicate-to-<destination bucket>): the source bucket policy's Sids derive from it. */
export const STACK: StackIdentity = { stackName: `replicate-to-${DESTINATION_BUCKET}`, region: REGION };

/**
 * The settings of one day's copy for the copy engine's unit suites (buckets `src` and `dst`, the two
 * emulated accounts, the default prefix format, 4 copies at once, multipart from 8 MiB in 5 MiB
 * parts), with `overrides` on top. A function, so that no test file runs code while it loads.
 */
export function daySettings(overrides: Partial<DaySettings> = {}): DaySettings {
  return {
    sourceBucket: 'src',
    destinationBucket: 'dst',
    sourceAccountId: SOURCE_ACCOUNT,
    destinationAccountId: DESTINATION_ACCOUNT,
    prefixFormat: '{YYYY}/{MM}/{DD}/',
    destinationPrefix: '',
    destinationPrefixFormat: undefined,
    destinationStorageClass: undefined,
    kmsKeyArn: undefined,
    copyConcurrency: 4,
    multipartThresholdBytes: 8 * 1024 * 1024,
    partSizeBytes: 5 * 1024 * 1024,
    ...overrides,
  };
}

/** An EventBridge scheduled event as the schedule delivers it. */
export function scheduledEvent(time: string): ScheduledEvent {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: SOURCE_ACCOUNT,
    time,
    region: REGION,
    resources: [`arn:aws:events:${REGION}:${SOURCE_ACCOUNT}:rule/replicate-to-${DESTINATION_BUCKET}`],
    detail: {},
  };
}

/** The execution role deploy creates for the fixtures' stack (what the destination role trusts). */
export const EXECUTION_ROLE_ARN = `arn:aws:iam::${SOURCE_ACCOUNT}:role/replicate-to-${DESTINATION_BUCKET}-lambda`;

/** An S3 `Object Created` event as EventBridge delivers it (the key as written). */
export function objectCreatedEvent(key: string, options: { bucket?: string; size?: number; etag?: string; detailType?: string; reason?: string } = {}): Record<string, unknown> {
  const bucket = options.bucket ?? SOURCE_BUCKET;
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': options.detailType ?? 'Object Created',
    source: 'aws.s3',
    account: SOURCE_ACCOUNT,
    time: '2024-01-01T00:05:00Z',
    region: REGION,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: options.size ?? 5, etag: options.etag ?? 'b1946ac92492d2347c6235b4d2611184', sequencer: '00617F08299329D189' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: SOURCE_ACCOUNT,
      'source-ip-address': '1.2.3.4',
      reason: options.reason ?? 'PutObject',
    },
  };
}

/** One record of an S3 event notification; `encodedKey` is the key as S3 sends it (form-encoded, `+` for a space). */
export function s3NotificationRecord(encodedKey: string, options: { bucket?: string; eventName?: string; size?: number; eTag?: string } = {}): Record<string, unknown> {
  const bucket = options.bucket ?? SOURCE_BUCKET;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: REGION,
    eventTime: '2024-01-01T00:05:00.000Z',
    eventName: options.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
    requestParameters: { sourceIPAddress: '1.2.3.4' },
    responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'push',
      bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
      object: { key: encodedKey, size: options.size ?? 5, eTag: options.eTag ?? 'b1946ac92492d2347c6235b4d2611184', sequencer: '0055AED6DCD90281E5' },
    },
  };
}

/** An SQS record as the event source mapping delivers it, with `body` as the message. */
export function sqsRecord(messageId: string, body: string): Record<string, unknown> {
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1704067500000', SenderId: 'AIDAEXAMPLE', ApproximateFirstReceiveTimestamp: '1704067500001' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${SOURCE_ACCOUNT}:object-events`,
    awsRegion: REGION,
  };
}
