import { expect } from 'chai';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { checkSourceBucket } from '../../../../deploy/aws/sourceBucket.ts';
import { DeployError } from '../../../../deploy/cli/errors.ts';
import { ConfigError } from '../../../../rules/errors.ts';
import { awsError } from '../../../helpers/errors.ts';
import { SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';

// HeadBucket answers 404 for a missing bucket, 403 when the bucket owner condition fails (another
// account's bucket) or the caller may not list it, 301 for a bucket in another region
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html). moto shows
// only the 404; the other answers are encoded here.
describe('deploy/aws/sourceBucket checkSourceBucket', () => {
  let client: S3Client;
  let s3: AwsClientStub<S3Client>;
  beforeEach(() => {
    client = new S3Client({ region: 'us-east-1' });
    s3 = mockClient(client);
  });
  afterEach(() => s3.reset());

  const check = () => checkSourceBucket(client, SOURCE_BUCKET, SOURCE_ACCOUNT, 'us-east-1');

  it('asks HeadBucket with the account as the expected owner, and passes when S3 answers 200', async () => {
    s3.on(HeadBucketCommand).resolves({});
    await check();
    expect(s3.commandCalls(HeadBucketCommand).map((c) => c.args[0].input)).to.deep.equal([{ Bucket: SOURCE_BUCKET, ExpectedBucketOwner: SOURCE_ACCOUNT }]);
  });

  const userFaults: [string, number, RegExp][] = [
    ['NotFound', 404, /there is no such bucket/],
    ['Forbidden', 403, new RegExp(`not a bucket of account ${SOURCE_ACCOUNT}, or these credentials may not s3:ListBucket it`)],
    ['PermanentRedirect', 301, /in another region than us-east-1/],
  ];
  for (const [name, status, says] of userFaults) {
    it(`${status} ${name}: a configuration error naming S3_ROOT_BUCKET (exit 2)`, async () => {
      s3.on(HeadBucketCommand).rejects(awsError(name, status));
      const err = await check().then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as ConfigError).exitCode).to.equal(2);
      expect((err as ConfigError).problems).to.have.length(1);
      expect((err as ConfigError).problems[0]).to.match(new RegExp(`^S3_ROOT_BUCKET is "${SOURCE_BUCKET}": `)).and.match(says);
    });
  }

  it('any other answer: a failure (exit 1) naming the action', async () => {
    s3.on(HeadBucketCommand).rejects(awsError('InternalError', 500));
    const err = await check().then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(DeployError);
    expect((err as DeployError).exitCode).to.equal(1);
    expect((err as DeployError).action).to.equal('s3:ListBucket');
  });
});
