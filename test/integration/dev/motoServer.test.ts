import { expect } from 'chai';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
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

  it('reads IAM\'s "?" wildcard in a bucket policy as one character (dev/moto/sitecustomize.py), where moto 5.2 answered 500', async () => {
    const s3 = new S3Client({});
    await s3.send(new CreateBucketCommand({ Bucket: 'harness-wildcards' }));
    for (const key of ['events/2024/01/01/a.csv', 'events/2024/1/01/a.csv']) await s3.send(new PutObjectCommand({ Bucket: 'harness-wildcards', Key: key, Body: 'x' }));
    // moto looks for explicit denies only: a Deny on the day pattern must hit the day's key and miss the other.
    const policy = { Version: '2012-10-17', Statement: [{ Sid: 'DenyDays', Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::harness-wildcards/events/????/??/??/*' }] };
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'harness-wildcards', Policy: JSON.stringify(policy) }));
    // moto answers a denied read 403 with an empty body: the status is what tells.
    const get = (key: string) => s3.send(new GetObjectCommand({ Bucket: 'harness-wildcards', Key: key })).then(() => 'read', (e: unknown) => String((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode));
    expect(await get('events/2024/01/01/a.csv')).to.equal('403');
    expect(await get('events/2024/1/01/a.csv')).to.equal('read');
  });
});
