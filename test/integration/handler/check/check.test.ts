import { expect } from 'chai';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_BUCKET, handlerEnv } from '../../../helpers/fixtures.ts';
import { PROBE_NAME, type CheckReport } from '../../../../handler/check/check.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { handleEvent } from '../../../../handler/index.ts';
import { createLogger } from '../../../../handler/logger.ts';

// The preflight's all-ok path for real: AssumeRole into the destination account, the source
// listed and read, the probe written and deleted in the destination account's bucket. moto does
// not evaluate trust or bucket policies (docs/emulators.md), so the broken links are proven with
// aws-sdk-client-mock in test/unit/handler/check/check.test.ts.
describe('handler/check: the preflight against moto (two accounts)', function () {
  this.timeout(60_000);
  let destinationAdmin: S3Client;
  const lines: string[] = [];

  before(async () => {
    await moto().reset();
    const c = (await new STSClient({}).send(new AssumeRoleCommand({ RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 'test-admin' }))).Credentials!;
    destinationAdmin = new S3Client({ credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    const sourceAdmin = new S3Client({});
    await sourceAdmin.send(new CreateBucketCommand({ Bucket: SOURCE_BUCKET }));
    await destinationAdmin.send(new CreateBucketCommand({ Bucket: DESTINATION_BUCKET }));
    await sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: 'logs/2024/01/01/a b é.csv', Body: 'x,y\n' }));
  });

  it('reports every link ok through handleEvent, and leaves no probe behind', async () => {
    const config = parseHandlerConfig(handlerEnv({ PREFIX_FORMAT: 'logs/{YYYY}/{MM}/{DD}/', DESTINATION_PREFIX: 'incoming/' }));
    const result = await handleEvent({ check: true, date: '2024-01-01' }, config, createClients(config), { logger: createLogger([EXTERNAL_ID], (l) => lines.push(l)) });
    if (result.kind !== 'check') expect.fail(`expected a check result, got ${result.kind}`);
    const report = result.report;
    expect(report.links.map((l) => [l.name, l.status])).to.deep.equal([
      ['assume-role', 'ok'], ['list-source', 'ok'], ['read-source', 'ok'], ['write-destination', 'ok'],
    ]);
    expect(report.links[2]!.detail).to.equal(`read the first byte of s3://${SOURCE_BUCKET}/logs/2024/01/01/a b é.csv`);
    expect(report.ok).to.equal(true);
    // The probe went under the checked day's destination prefix, and is gone.
    expect(report.links[3]!.detail).to.match(new RegExp(`^listed, wrote and deleted s3://${DESTINATION_BUCKET}/incoming/logs/2024/01/01/${PROBE_NAME}`));
    const left = await destinationAdmin.send(new ListObjectsV2Command({ Bucket: DESTINATION_BUCKET }));
    expect(left.Contents ?? []).to.deep.equal([]);
    expect(lines.join()).not.to.include(EXTERNAL_ID);
  });

  it('names the missing destination bucket as broken link 4', async () => {
    const config = parseHandlerConfig(handlerEnv({ DESTINATION_BUCKET: 'no-such-destination-bucket', PREFIX_FORMAT: 'logs/{YYYY}/{MM}/{DD}/' }));
    const err = await handleEvent({ check: true, date: '2024-01-01' }, config, createClients(config), { logger: createLogger([], () => undefined) }).catch((e: unknown) => e);
    const report = (err as { report: CheckReport }).report;
    expect(report.links.map((l) => l.status)).to.deep.equal(['ok', 'ok', 'ok', 'broken']);
    expect(report.links[3]!.fix).to.include('the bucket no-such-destination-bucket does not exist: check S3_REPLICATE_BUCKET_NAME');
  });
});
