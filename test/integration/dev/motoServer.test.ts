import { expect } from 'chai';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { moto } from '../setup.ts';
import { DESTINATION_ACCOUNT, DESTINATION_ROLE_ARN, SOURCE_ACCOUNT } from '../../helpers/fixtures.ts';

// Proves the harness: one server, two accounts, reached only through AWS_ENDPOINT_URL.
describe('dev/motoServer: the moto launcher', () => {
  before(() => moto().reset());

  it('acts in the source account with plain keys and in the role account after AssumeRole', async () => {
    const sts = new STSClient({});
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).to.equal(SOURCE_ACCOUNT);

    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 'harness' }));
    const c = assumed.Credentials!;
    const destCreds = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
    const destSts = new STSClient({ credentials: destCreds });
    expect((await destSts.send(new GetCallerIdentityCommand({}))).Account).to.equal(DESTINATION_ACCOUNT);

    const destS3 = new S3Client({ credentials: destCreds });
    await destS3.send(new CreateBucketCommand({ Bucket: 'harness-dest' }));
    const srcS3 = new S3Client({});
    await srcS3.send(new CreateBucketCommand({ Bucket: 'harness-src' }));
    const destNames = ((await destS3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
    const srcNames = ((await srcS3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
    expect(destNames).to.deep.equal(['harness-dest']);
    expect(srcNames).to.deep.equal(['harness-src']);
  });
});
