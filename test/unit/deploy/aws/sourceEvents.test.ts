import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand, S3Client, type NotificationConfiguration } from '@aws-sdk/client-s3';
import { enableSourceEvents, withEventBridge } from '../../../../deploy/aws/sourceEvents.ts';
import { DeployError } from '../../../../deploy/cli/errors.ts';
import { awsError } from '../../../helpers/errors.ts';
import { SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';

// moto stores EventBridgeConfiguration but never returns it from GetBucketNotificationConfiguration,
// so the merge (and the rerun that must not write) is proven here against S3's documented shapes.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html

const EXISTING: NotificationConfiguration = {
  TopicConfigurations: [{ Id: 'audit', TopicArn: `arn:aws:sns:us-east-1:${SOURCE_ACCOUNT}:audit`, Events: ['s3:ObjectRemoved:*'] }],
  QueueConfigurations: [{
    Id: 'ingest',
    QueueArn: `arn:aws:sqs:us-east-1:${SOURCE_ACCOUNT}:ingest`,
    Events: ['s3:ObjectCreated:Put'],
    Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'raw/' }, { Name: 'suffix', Value: '.csv' }] } },
  }],
  LambdaFunctionConfigurations: [{ Id: 'thumbs', LambdaFunctionArn: `arn:aws:lambda:us-east-1:${SOURCE_ACCOUNT}:function:thumbs`, Events: ['s3:ObjectCreated:*'] }],
};

describe('deploy/aws/sourceEvents (--enable-source-events)', () => {
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(s3);
  afterEach(() => mock.reset());

  it('adds EventBridgeConfiguration and keeps every topic, queue and Lambda configuration exactly as it was', async () => {
    mock.on(GetBucketNotificationConfigurationCommand).resolves({ ...structuredClone(EXISTING), $metadata: { httpStatusCode: 200 } });
    mock.on(PutBucketNotificationConfigurationCommand).resolves({});
    expect(await enableSourceEvents(s3, SOURCE_BUCKET, SOURCE_ACCOUNT)).to.equal('enabled');
    const put = mock.commandCalls(PutBucketNotificationConfigurationCommand);
    expect(put).to.have.length(1);
    expect(put[0]!.args[0].input).to.deep.equal({
      Bucket: SOURCE_BUCKET,
      ExpectedBucketOwner: SOURCE_ACCOUNT,
      NotificationConfiguration: { ...EXISTING, EventBridgeConfiguration: {} },
      SkipDestinationValidation: true,
    });
    expect(mock.commandCalls(GetBucketNotificationConfigurationCommand)[0]!.args[0].input).to.deep.equal({ Bucket: SOURCE_BUCKET, ExpectedBucketOwner: SOURCE_ACCOUNT });
  });

  it('turns it on for a bucket without any notification', async () => {
    mock.on(GetBucketNotificationConfigurationCommand).resolves({ $metadata: {} });
    mock.on(PutBucketNotificationConfigurationCommand).resolves({});
    expect(await enableSourceEvents(s3, SOURCE_BUCKET, SOURCE_ACCOUNT)).to.equal('enabled');
    expect(mock.commandCalls(PutBucketNotificationConfigurationCommand)[0]!.args[0].input.NotificationConfiguration).to.deep.equal({ EventBridgeConfiguration: {} });
  });

  it('writes nothing on a rerun (the bucket already sends to EventBridge)', async () => {
    mock.on(GetBucketNotificationConfigurationCommand).resolves({ ...EXISTING, EventBridgeConfiguration: {} });
    expect(await enableSourceEvents(s3, SOURCE_BUCKET, SOURCE_ACCOUNT)).to.equal('unchanged');
    expect(mock.commandCalls(PutBucketNotificationConfigurationCommand)).to.have.length(0);
  });

  it('is a pure merge: unchanged input, undefined when already on', () => {
    const input = structuredClone(EXISTING);
    expect(withEventBridge(input)).to.deep.equal({ ...EXISTING, EventBridgeConfiguration: {} });
    expect(input).to.deep.equal(EXISTING);
    expect(withEventBridge({ EventBridgeConfiguration: {} })).to.equal(undefined);
  });

  it('names the S3 action that was denied, reading or writing', async () => {
    mock.on(GetBucketNotificationConfigurationCommand).rejects(awsError('AccessDenied', 403));
    const read = await enableSourceEvents(s3, SOURCE_BUCKET, SOURCE_ACCOUNT).catch((e: unknown) => e);
    expect(read).to.be.instanceOf(DeployError).and.include({ action: 's3:GetBucketNotification' });
    mock.reset();
    mock.on(GetBucketNotificationConfigurationCommand).resolves({});
    mock.on(PutBucketNotificationConfigurationCommand).rejects(awsError('AccessDenied', 403));
    const write = await enableSourceEvents(s3, SOURCE_BUCKET, SOURCE_ACCOUNT).catch((e: unknown) => e);
    expect(write).to.be.instanceOf(DeployError).and.include({ action: 's3:PutBucketNotification' });
    expect((write as Error).message).to.match(/could not turn on EventBridge delivery for acme-source-data: AccessDenied/);
  });
});
