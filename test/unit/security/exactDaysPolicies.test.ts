import { expect } from 'chai';
import { renderDocuments, type PolicyValues } from '../../../deploy/config/policies.ts';
import { DESTINATION_ROLE_POLICY_FILE } from '../../../rules/names.ts';
import { decide, sessionOf, statementsOf, type PolicyDocument } from '../../helpers/iamSimulator.ts';
import { lintPolicy } from '../../helpers/policyLint.ts';
import { EXECUTION_ROLE_ARN } from '../../helpers/stackPolicies.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_BUCKET, STACK } from '../../helpers/fixtures.ts';

// Exact days are the one feature that deletes copied data: the role document grants
// s3:DeleteObject only with S3_REPLICATE_EXACT_DAYS, and only on the destination's day pattern
// (`<destination prefix><day pattern>*`). moto evaluates no policy, so the IAM simulator proves it.
// DeleteObjects is authorised key by key as s3:DeleteObject: "you must have permission to perform
// the s3:DeleteObject action" (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html).

const DEST_SESSION = sessionOf(DESTINATION_ROLE_ARN, 's3-push');
const DST = `arn:aws:s3:::${DESTINATION_BUCKET}`;

const values = (over: Partial<PolicyValues>): PolicyValues => ({
  stack: STACK,
  sourceBucket: SOURCE_BUCKET,
  prefixFormat: 'exports/{YYYY}/{MM}/{DD}/',
  destinationBucket: DESTINATION_BUCKET,
  destinationPrefix: 'from-acme/',
  destinationRoleArn: DESTINATION_ROLE_ARN,
  executionRoleArn: EXECUTION_ROLE_ARN,
  externalId: EXTERNAL_ID,
  kmsKeyArn: undefined,
  ...over,
});

const rolePolicy = (over: Partial<PolicyValues>): PolicyDocument => renderDocuments(values(over))[DESTINATION_ROLE_POLICY_FILE];
const canDelete = async (policy: PolicyDocument, key: string): Promise<boolean> =>
  (await decide({ principal: DEST_SESSION, action: 's3:DeleteObject', resource: `${DST}/${key}`, resourceAccount: DESTINATION_ACCOUNT }, { identity: [policy] })) === 'Allowed';

describe('security: exact days (role document, IAM simulator)', () => {
  it('grants no delete of copied objects without exact days (only the preflight probe)', async () => {
    const off = rolePolicy({});
    expect(statementsOf(off).map((s) => s.Sid)).to.not.include('DeleteDayObjects');
    expect(await canDelete(off, 'from-acme/exports/2024/07/01/part-00000.parquet')).to.equal(false);
    expect(await canDelete(rolePolicy({ exactDays: false }), 'from-acme/exports/2024/07/01/part-00000.parquet')).to.equal(false);
  });

  describe('with exact days', () => {
    const on = rolePolicy({ exactDays: true });
    it('has one DeleteDayObjects statement: s3:DeleteObject on the day pattern, and it passes the least-privilege lint', async () => {
      const statement = statementsOf(on).find((s) => s.Sid === 'DeleteDayObjects');
      expect(statement).to.deep.equal({ Sid: 'DeleteDayObjects', Effect: 'Allow', Action: 's3:DeleteObject', Resource: `${DST}/from-acme/exports/????/??/??/*` });
      expect(await lintPolicy(DESTINATION_ROLE_POLICY_FILE, on, 'identity')).to.deep.equal([]);
    });
    it('allows a delete inside a day', async () => {
      for (const key of ['from-acme/exports/2024/07/01/part-00000.parquet', 'from-acme/exports/2024/07/01/sub/dir/x.crc', 'from-acme/exports/1999/12/31/_SUCCESS']) {
        expect(await canDelete(on, key), key).to.equal(true);
      }
    });
    it('denies a delete outside every day: the prefix, a month, another prefix, the bucket root, another bucket', async () => {
      for (const key of [
        'from-acme/exports/2024/07/01',
        'from-acme/exports/2024/07/',
        'from-acme/exports/README.txt',
        'from-acme/other/2024/07/01/a',
        'exports/2024/07/01/a',
        'partner-own/2024/07/01/a',
        'from-acme/exports/2024/7/01/a',
      ]) {
        expect(await canDelete(on, key), key).to.equal(false);
      }
      expect((await decide({ principal: DEST_SESSION, action: 's3:DeleteObject', resource: `arn:aws:s3:::another-bucket/from-acme/exports/2024/07/01/a`, resourceAccount: DESTINATION_ACCOUNT }, { identity: [on] }))).to.not.equal('Allowed');
    });
    it('grants no other delete-like action (versions, the bucket)', async () => {
      for (const action of ['s3:DeleteObjectVersion', 's3:DeleteObjectTagging']) {
        expect(await decide({ principal: DEST_SESSION, action, resource: `${DST}/from-acme/exports/2024/07/01/a`, resourceAccount: DESTINATION_ACCOUNT }, { identity: [on] }), action).to.not.equal('Allowed');
      }
      for (const action of ['s3:DeleteBucket', 's3:PutLifecycleConfiguration']) {
        expect(await decide({ principal: DEST_SESSION, action, resource: DST, resourceAccount: DESTINATION_ACCOUNT }, { identity: [on] }), action).to.not.equal('Allowed');
      }
    });
    it('follows the partner\'s day layout (DEST_PREFIX_FORMAT): the destination day pattern, never the source\'s', async () => {
      const layout = rolePolicy({ exactDays: true, destinationPrefix: '', destinationPrefixFormat: 'acme/dt={YYYY}-{MM}-{DD}/' });
      expect(statementsOf(layout).find((s) => s.Sid === 'DeleteDayObjects')).to.deep.include({ Resource: `${DST}/acme/dt=????-??-??/*` });
      expect(await canDelete(layout, 'acme/dt=2024-07-01/part-0.parquet')).to.equal(true);
      for (const key of ['acme/dt=2024-07/a', 'acme/README', 'exports/2024/07/01/a', 'acme/2024/07/01/a']) expect(await canDelete(layout, key), key).to.equal(false);
    });
    it('without a destination prefix, still only under a day', async () => {
      const bare = rolePolicy({ exactDays: true, destinationPrefix: '', prefixFormat: '{YYYY}/{MM}/{DD}/' });
      expect(await canDelete(bare, '2024/07/01/a')).to.equal(true);
      for (const key of ['README', '2024/07/a', 'partner/2024/07/01/a']) expect(await canDelete(bare, key), key).to.equal(false);
    });
  });
});
