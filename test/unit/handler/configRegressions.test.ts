import { expect } from 'chai';
import { parseHandlerConfig } from '../../../handler/config.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_BUCKET } from '../../helpers/fixtures.ts';

// Regressions found by the hostile-input suite (issue 6).
const base = { SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_ARN };

describe('handler config regressions', () => {
  it('rejects a role ARN in a partition that does not exist ("awsx")', () => {
    expect(() => parseHandlerConfig({ ...base, DESTINATION_ROLE_ARN: 'arn:awsx:iam::210987654321:role/x' })).to.throw(/DESTINATION_ROLE_ARN is "arn:awsx:iam::210987654321:role\/x"/);
  });
  it('rejects a KMS ARN in a partition that does not exist', () => {
    expect(() => parseHandlerConfig({ ...base, KMS_KEY_ARN: 'arn:aws-moon:kms:us-east-1:210987654321:key/abc' })).to.throw(/KMS_KEY_ARN is "arn:aws-moon:kms/);
  });
  it('accepts the three real partitions', () => {
    for (const p of ['aws', 'aws-cn', 'aws-us-gov']) {
      const c = parseHandlerConfig({ ...base, DESTINATION_ROLE_ARN: `arn:${p}:iam::210987654321:role/x`, KMS_KEY_ARN: `arn:${p}:kms:us-east-1:210987654321:key/abc` });
      expect(c.destinationRoleArn).to.equal(`arn:${p}:iam::210987654321:role/x`);
    }
  });
});
