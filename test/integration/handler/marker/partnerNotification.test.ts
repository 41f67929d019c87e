/**
 * The partner's own notification (docs/partners.md): an S3 event notification in the partner's
 * account, filtered on the marker's suffix, starts its job once per day delivered — not once per
 * object, not once per run. moto delivers S3 notifications to SQS with the suffix filter applied.
 */
import { expect } from 'chai';
import { PutBucketNotificationConfigurationCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, handlerEnv, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../../../dev/replicationWorld.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { DAY_MARKER_NAME } from '../../../../handler/marker/manifest.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../../handler/logger.ts';

describe('the partner\'s notification of a day (moto: S3 → SQS in the destination account, suffix filter)', function () {
  this.timeout(60_000);
  let world: World;
  let sqs: SQSClient;
  let queueUrl: string;
  const config = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: 'acme/', DAY_MARKER: 'true' }));
  const run = (dates: string[]) => runEvent({ dates }, config, createClients(config), { logger: createLogger([], () => undefined) });

  /** The object keys of every notification received since the last call (the s3:TestEvent has none). */
  async function notifiedKeys(): Promise<string[]> {
    const keys: string[] = [];
    for (;;) {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      if (!out.Messages?.length) return keys;
      for (const m of out.Messages) {
        const body = JSON.parse(m.Body!) as { Records?: { s3: { object: { key: string } } }[] };
        for (const r of body.Records ?? []) keys.push(decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')));
      }
      // Received and not deleted: hidden for the visibility timeout, so the loop ends.
    }
  }

  before(async () => {
    await moto().reset();
    world = await createWorld();
    const c = (await new STSClient({}).send(new AssumeRoleCommand({ RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 'partner-admin' }))).Credentials!;
    sqs = new SQSClient({ credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'day-complete', Attributes: { VisibilityTimeout: '300' } }))).QueueUrl!;
    const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    // The partner's configuration, as docs/partners.md gives it.
    await world.destinationAdmin.send(new PutBucketNotificationConfigurationCommand({
      Bucket: DESTINATION_BUCKET,
      NotificationConfiguration: { QueueConfigurations: [{ Id: 's3-push-day-complete', QueueArn: queueArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: DAY_MARKER_NAME }] } } }] },
    }));
    await putObjects(world.sourceAdmin, ['2024/05/01/a.json', '2024/05/01/b.json', '2024/05/02/c.json'].map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: `body of ${Key}` })));
    await notifiedKeys();
  });

  it('one event per day delivered, on the marker, none for the day\'s objects', async () => {
    await run(['2024-05-01', '2024-05-02']);
    expect((await notifiedKeys()).sort()).to.deep.equal([`acme/2024/05/01/${DAY_MARKER_NAME}`, `acme/2024/05/02/${DAY_MARKER_NAME}`]);
  });

  it('none for a rerun that changes nothing', async () => {
    await run(['2024-05-01', '2024-05-02']);
    expect(await notifiedKeys()).to.deep.equal([]);
  });

  it('one more when a late object changes a day', async () => {
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: '2024/05/02/late.json', Body: 'late' }));
    await run(['2024-05-01', '2024-05-02']);
    expect(await notifiedKeys()).to.deep.equal([`acme/2024/05/02/${DAY_MARKER_NAME}`]);
  });
});
