import { expect } from 'chai';
import { gunzipSync } from 'node:zlib';
import { mockClient } from 'aws-sdk-client-mock';
import { CopyObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DAY_MARKER_GZIP_BYTES, DAY_MARKER_NAME, dayMarkerKey, updateDayMarker } from '../../../../handler/copy/dayMarker.ts';
import { replicateDay } from '../../../../handler/copy/replicateDay.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { renderDocuments } from '../../../../deploy/config/policies.ts';
import type { IsoDate } from '../../../../rules/dates.ts';
import { decide, sessionOf } from '../../../helpers/iamSimulator.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, handlerEnv, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { awsError } from '../../../helpers/errors.ts';

const DAY = '2024-01-01' as IsoDate;
const settings = { destinationBucket: DESTINATION_BUCKET, destinationAccountId: '210987654321', destinationPrefix: 'in/', kmsKeyArn: undefined };

describe('handler/dayMarker', () => {
  const s3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const mock = mockClient(s3);
  afterEach(() => mock.reset());

  it('names the marker after the day prefix, under the destination prefix', () => {
    expect(dayMarkerKey('in/', '2024/01/01/')).to.equal(`in/2024/01/01/${DAY_MARKER_NAME}`);
    expect(DAY_MARKER_NAME).to.equal('_S3PUSH_COMPLETE.json');
  });

  it('gzips a marker whose JSON is over the limit, with Content-Encoding gzip on the same key', async () => {
    // Enough keys for more than 1 MiB of JSON.
    const n = Math.ceil(DAY_MARKER_GZIP_BYTES / 60) + 10;
    const objects = Array.from({ length: n }, (_, i) => ({ key: `in/2024/01/01/part-${String(i).padStart(6, '0')}.json`, size: 1, etag: 'e' }));
    mock.on(ListObjectsV2Command).callsFake(fakeList(objects));
    mock.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404, 'The specified key does not exist.'));
    mock.on(PutObjectCommand).resolves({});
    const out = await updateDayMarker(s3, settings, DAY, '2024/01/01/', { listed: n, copied: n, skipped: 0 });
    expect(out).to.deep.equal({ key: `in/2024/01/01/${DAY_MARKER_NAME}`, outcome: 'written' });
    const put = mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).to.include({ Key: `in/2024/01/01/${DAY_MARKER_NAME}`, ContentEncoding: 'gzip', ContentType: 'application/json' });
    const doc = JSON.parse(gunzipSync(put.Body as Buffer).toString('utf8')) as { keys: unknown[]; objects: number };
    expect(doc.keys).to.have.length(n);
    expect(doc.objects).to.equal(n);
  });

  it('stores a small marker as plain JSON, SSE-KMS when the copies are', async () => {
    mock.on(ListObjectsV2Command).callsFake(fakeList([{ key: 'in/2024/01/01/a', size: 3, etag: 'x' }]));
    mock.on(GetObjectCommand).rejects(awsError('NoSuchKey', 404, 'The specified key does not exist.'));
    mock.on(PutObjectCommand).resolves({});
    const kms = 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await updateDayMarker(s3, { ...settings, kmsKeyArn: kms }, DAY, '2024/01/01/', { listed: 1, copied: 1, skipped: 0 });
    const put = mock.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).not.to.have.property('ContentEncoding');
    expect(put).to.include({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms });
    expect(JSON.parse((put.Body as Buffer).toString('utf8'))).to.deep.include({ keys: [{ key: 'in/2024/01/01/a', size: 3, etag: 'x' }], objects: 1, bytes: 3 });
  });

  it('fails with the key named when the marker cannot be read (not a missing one)', async () => {
    mock.on(ListObjectsV2Command).callsFake(fakeList([]));
    mock.on(GetObjectCommand).rejects(awsError('AccessDenied', 403, 'Access Denied'));
    const err = await updateDayMarker(s3, settings, DAY, '2024/01/01/', { listed: 0, copied: 0, skipped: 0 }).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/reading s3:\/\/partner-landing-zone\/in\/2024\/01\/01\/_S3PUSH_COMPLETE\.json failed: .*AccessDenied/);
    expect(mock.commandCalls(PutObjectCommand)).to.have.length(0);
  });

  it('never compares the marker as a destination object: a source key of that name is copied', async () => {
    const src = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const srcMock = mockClient(src);
    try {
      srcMock.on(ListObjectsV2Command).callsFake(fakeList([{ key: `2024/01/01/${DAY_MARKER_NAME}`, size: 5, etag: 'same' }]));
      mock.on(ListObjectsV2Command).callsFake(fakeList([{ key: `2024/01/01/${DAY_MARKER_NAME}`, size: 5, etag: 'same' }]));
      mock.on(CopyObjectCommand).resolves({});
      const config = parseHandlerConfig(handlerEnv());
      const r = await replicateDay({ sourceS3: src, destinationS3: s3 }, config, { date: DAY });
      expect(r.summary).to.include({ listed: 1, copied: 1, skipped: 0 });
    } finally {
      srcMock.restore();
    }
  });
});

describe('the rendered role document with S3_REPLICATE_DAY_MARKER (IAM simulator)', () => {
  const values = {
    sourceBucket: SOURCE_BUCKET, prefixFormat: 'events/{YYYY}/{MM}/{DD}/', destinationBucket: DESTINATION_BUCKET, destinationPrefix: 'from-acme/',
    destinationRoleArn: DESTINATION_ROLE_ARN, executionRoleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/x-lambda`, externalId: undefined, kmsKeyArn: undefined,
  };
  const role = (dayMarker: boolean) => renderDocuments({ ...values, dayMarker })['roleDefinitionDestinationExample.json.tmp'];
  const get = (doc: ReturnType<typeof role>, key: string) =>
    decide({ principal: sessionOf(DESTINATION_ROLE_ARN), action: 's3:GetObject', resource: `arn:aws:s3:::${DESTINATION_BUCKET}/${key}`, resourceAccount: '210987654321' }, { identity: [doc] });

  it('lets the role read exactly the day markers, and write them (WriteDestination)', async () => {
    const doc = role(true);
    expect(doc.Statement.find((s) => s.Sid === 'ReadDayMarker')).to.deep.include({ Action: 's3:GetObject', Resource: `arn:aws:s3:::${DESTINATION_BUCKET}/from-acme/events/????/??/??/_S3PUSH_COMPLETE.json` });
    expect(await get(doc, `from-acme/events/2024/01/01/${DAY_MARKER_NAME}`)).to.equal('Allowed');
    expect(await get(doc, 'from-acme/events/2024/01/01/data.json')).not.to.equal('Allowed');
    expect(await get(doc, `elsewhere/events/2024/01/01/${DAY_MARKER_NAME}`)).not.to.equal('Allowed');
    // A marker name outside a day's prefix is not a marker the function writes.
    expect(await get(doc, `from-acme/events/2024/01/${DAY_MARKER_NAME}`)).not.to.equal('Allowed');
    const put = await decide({ principal: sessionOf(DESTINATION_ROLE_ARN), action: 's3:PutObject', resource: `arn:aws:s3:::${DESTINATION_BUCKET}/from-acme/events/2024/01/01/${DAY_MARKER_NAME}`, resourceAccount: '210987654321' }, { identity: [doc] });
    expect(put).to.equal('Allowed');
  });

  it('reads nothing at the destination without it', async () => {
    const doc = role(false);
    expect(doc.Statement.map((s) => s.Sid)).not.to.include('ReadDayMarker');
    expect(await get(doc, `from-acme/events/2024/01/01/${DAY_MARKER_NAME}`)).not.to.equal('Allowed');
  });
});
