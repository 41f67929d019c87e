import { expect } from 'chai';
import { renderDocuments } from '../../../../deploy/config/policies.ts';
import { DAY_MARKER_NAME } from '../../../../handler/marker/manifest.ts';
import { decide, sessionOf } from '../../../helpers/iamSimulator.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_ACCOUNT, SOURCE_BUCKET, STACK } from '../../../helpers/fixtures.ts';

// HeadObject of the marker is s3:GetObject (ReadDayMarker); its writes are WriteDestination's.
describe('the rendered role document with S3_REPLICATE_DAY_MARKER (IAM simulator)', () => {
  const values = {
    stack: STACK,
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
    // Written by PutObject or a multipart upload (CreateMultipartUpload, UploadPart and CompleteMultipartUpload are s3:PutObject), aborted by s3:AbortMultipartUpload.
    for (const action of ['s3:PutObject', 's3:AbortMultipartUpload']) {
      const allowed = await decide({ principal: sessionOf(DESTINATION_ROLE_ARN), action, resource: `arn:aws:s3:::${DESTINATION_BUCKET}/from-acme/events/2024/01/01/${DAY_MARKER_NAME}`, resourceAccount: '210987654321' }, { identity: [doc] });
      expect(allowed, action).to.equal('Allowed');
    }
  });

  it('reads nothing at the destination without it', async () => {
    const doc = role(false);
    expect(doc.Statement.map((s) => s.Sid)).not.to.include('ReadDayMarker');
    expect(await get(doc, `from-acme/events/2024/01/01/${DAY_MARKER_NAME}`)).not.to.equal('Allowed');
  });
});
