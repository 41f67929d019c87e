import { expect } from 'chai';
import { PolicyValueError, renderDocuments, type PolicyValues } from '../../../../deploy/config/policies.ts';
import { decide, sessionOf } from '../../../helpers/iamSimulator.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';

const EXEC_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/replicate-to-partner-landing-zone-lambda`;
const KMS = 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const base: PolicyValues = {
  sourceBucket: SOURCE_BUCKET,
  sourceKeyPrefix: '',
  destinationBucket: DESTINATION_BUCKET,
  destinationPrefix: '',
  destinationRoleArn: DESTINATION_ROLE_ARN,
  executionRoleArn: EXEC_ROLE,
  externalId: undefined,
  kmsKeyArn: undefined,
};

describe('deploy/config/policies renderDocuments', () => {
  it('renders the source bucket policy: ReadAccess for the destination role, exact actions and resources', () => {
    const doc = renderDocuments(base)['sourceBucketPolicy.json.tmp'];
    expect(doc).to.deep.equal({
      Version: '2012-10-17',
      Statement: [{
        Sid: 'ReadAccess',
        Effect: 'Allow',
        Principal: { AWS: DESTINATION_ROLE_ARN },
        Action: ['s3:ListBucket', 's3:GetObject', 's3:GetObjectTagging'],
        Resource: [`arn:aws:s3:::${SOURCE_BUCKET}`, `arn:aws:s3:::${SOURCE_BUCKET}/*`],
      }],
    });
  });

  it('renders the trust policy for the execution role, without a condition when there is no external id', () => {
    expect(renderDocuments(base)['trustRelationshipExample.json.tmp']).to.deep.equal({
      Version: '2012-10-17',
      Statement: [{ Sid: 'S3PushFunction', Effect: 'Allow', Principal: { AWS: EXEC_ROLE }, Action: 'sts:AssumeRole' }],
    });
  });

  it('demands the external id in the trust policy when one is set', () => {
    const stmt = renderDocuments({ ...base, externalId: EXTERNAL_ID })['trustRelationshipExample.json.tmp'].Statement[0];
    expect(stmt?.Condition).to.deep.equal({ StringEquals: { 'sts:ExternalId': EXTERNAL_ID } });
  });

  it('renders the destination role: list and write the destination, list and read the source, delete only the preflight probe', () => {
    expect(renderDocuments(base)['roleDefinitionDestinationExample.json.tmp'].Statement).to.deep.equal([
      { Sid: 'ListDestination', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${DESTINATION_BUCKET}` },
      { Sid: 'WriteDestination', Effect: 'Allow', Action: ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload'], Resource: `arn:aws:s3:::${DESTINATION_BUCKET}/*` },
      { Sid: 'DeletePreflightProbe', Effect: 'Allow', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${DESTINATION_BUCKET}/s3-push-preflight-probe.txt` },
      { Sid: 'ListSource', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${SOURCE_BUCKET}` },
      { Sid: 'ReadSource', Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectTagging'], Resource: `arn:aws:s3:::${SOURCE_BUCKET}/*` },
    ]);
  });

  it('narrows every resource and listing to the prefixes when they are set, and adds the KMS key when set', () => {
    const docs = renderDocuments({ ...base, sourceKeyPrefix: 'exports/', destinationPrefix: 'from-acme/', kmsKeyArn: KMS });
    const role = docs['roleDefinitionDestinationExample.json.tmp'].Statement;
    expect(role.find((s) => s.Sid === 'ListDestination')?.Condition).to.deep.equal({ StringLike: { 's3:prefix': 'from-acme/*' } });
    expect(role.find((s) => s.Sid === 'WriteDestination')?.Resource).to.equal(`arn:aws:s3:::${DESTINATION_BUCKET}/from-acme/*`);
    expect(role.find((s) => s.Sid === 'DeletePreflightProbe')?.Resource).to.equal(`arn:aws:s3:::${DESTINATION_BUCKET}/from-acme/s3-push-preflight-probe.txt`);
    expect(role.find((s) => s.Sid === 'ListSource')?.Condition).to.deep.equal({ StringLike: { 's3:prefix': 'exports/*' } });
    expect(role.find((s) => s.Sid === 'ReadSource')?.Resource).to.equal(`arn:aws:s3:::${SOURCE_BUCKET}/exports/*`);
    expect(role.find((s) => s.Sid === 'EncryptCopiesWithKmsKey')).to.deep.equal({ Sid: 'EncryptCopiesWithKmsKey', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: KMS });
    expect(docs['sourceBucketPolicy.json.tmp'].Statement[0]?.Resource).to.deep.equal([`arn:aws:s3:::${SOURCE_BUCKET}`, `arn:aws:s3:::${SOURCE_BUCKET}/exports/*`]);
  });

  it('has no KMS statement without a key', () => {
    const sids = renderDocuments(base)['roleDefinitionDestinationExample.json.tmp'].Statement.map((s) => s.Sid);
    expect(sids).to.not.include('EncryptCopiesWithKmsKey');
  });

  // Values that would break out of a JSON string, or change the policy's meaning, are refused before rendering.
  const hostile: [keyof PolicyValues, string][] = [
    ['sourceBucket', 'acme"},{"Effect":"Allow'],
    ['destinationBucket', 'a\\b'],
    ['sourceKeyPrefix', 'x"*'],
    ['sourceKeyPrefix', '*'],
    ['destinationPrefix', 'line\nbreak/'],
    ['destinationRoleArn', 'arn:aws:iam::210987654321:role/x","Principal":"*'],
    ['executionRoleArn', '*'],
    ['externalId', 'ext"id'],
    ['externalId', 'ext\\u0022id'],
    ['kmsKeyArn', 'arn:aws:kms:us-east-1:210987654321:key/1"'],
  ];
  for (const [field, value] of hostile) {
    it(`refuses ${field} ${JSON.stringify(value)}`, () => {
      expect(() => renderDocuments({ ...base, [field]: value })).to.throw(PolicyValueError, field);
    });
  }

  it('never puts the external id into an error message', () => {
    const secret = 'secret with spaces';
    expect(() => renderDocuments({ ...base, externalId: secret })).to.throw(PolicyValueError).that.satisfies((e: Error) => !e.message.includes(secret));
  });

  describe('evaluated by an IAM policy simulator (what moto cannot prove)', () => {
    const docs = renderDocuments({ ...base, externalId: EXTERNAL_ID, sourceKeyPrefix: 'exports/' });
    const bucketPolicy = docs['sourceBucketPolicy.json.tmp'];
    const roleDoc = docs['roleDefinitionDestinationExample.json.tmp'];
    const trust = docs['trustRelationshipExample.json.tmp'];
    const session = sessionOf(DESTINATION_ROLE_ARN);

    it('lets the destination role read a source object across accounts (bucket policy and role policy)', async () => {
      expect(await decide({ principal: session, action: 's3:GetObject', resource: `arn:aws:s3:::${SOURCE_BUCKET}/exports/2024/01/01/a.csv`, resourceAccount: SOURCE_ACCOUNT }, { identity: [roleDoc], resource: bucketPolicy })).to.equal('Allowed');
    });

    it('does not let it read outside the prefix, or write the source', async () => {
      expect(await decide({ principal: session, action: 's3:GetObject', resource: `arn:aws:s3:::${SOURCE_BUCKET}/private/a.csv`, resourceAccount: SOURCE_ACCOUNT }, { identity: [roleDoc], resource: bucketPolicy })).to.not.equal('Allowed');
      expect(await decide({ principal: session, action: 's3:PutObject', resource: `arn:aws:s3:::${SOURCE_BUCKET}/exports/a.csv`, resourceAccount: SOURCE_ACCOUNT }, { identity: [roleDoc], resource: bucketPolicy })).to.not.equal('Allowed');
    });

    it('lets the execution role assume the destination role only with the external id', async () => {
      const req = { principal: EXEC_ROLE, action: 'sts:AssumeRole', resource: DESTINATION_ROLE_ARN };
      const identity = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Action: 'sts:AssumeRole', Resource: DESTINATION_ROLE_ARN }] }];
      expect(await decide({ ...req, context: { 'sts:ExternalId': EXTERNAL_ID } }, { identity, resource: trust })).to.equal('Allowed');
      expect(await decide({ ...req, context: { 'sts:ExternalId': 'wrong' } }, { identity, resource: trust })).to.not.equal('Allowed');
      expect(await decide(req, { identity, resource: trust })).to.not.equal('Allowed');
    });
  });
});
