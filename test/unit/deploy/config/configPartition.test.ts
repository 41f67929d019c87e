import { expect } from 'chai';
import { parseDeployConfig } from '../../../../deploy/config/config.ts';
import { DEPLOY_ENV } from '../../../helpers/badInputs.ts';
import { DESTINATION_ACCOUNT } from '../../../helpers/fixtures.ts';

// Regression (issue 6, bad-input suite): a role or key in another partition than the region's was
// accepted, and deploy went on to create the stack; AssumeRole cannot cross partitions.
describe('deploy config: ARNs in the partition of the region', () => {
  it('rejects a China-partition role when deploying to us-east-1, naming both', () => {
    expect(() => parseDeployConfig({ ...DEPLOY_ENV, S3_REPLICATE_OTHER_ROLE_ARN: `arn:aws-cn:iam::${DESTINATION_ACCOUNT}:role/w` })).to.throw(
      /S3_REPLICATE_OTHER_ROLE_ARN is "arn:aws-cn:iam::210987654321:role\/w": .*partition aws-cn.*us-east-1.*aws/,
    );
  });
  it('rejects a commercial-partition KMS key when deploying to cn-north-1', () => {
    const env = { ...DEPLOY_ENV, AWS_REGION: 'cn-north-1', AWS_DEFAULT_REGION: 'cn-north-1', S3_REPLICATE_OTHER_ROLE_ARN: `arn:aws-cn:iam::${DESTINATION_ACCOUNT}:role/w` };
    expect(() => parseDeployConfig({ ...env, S3_REPLICATE_KMS_KEY_ARN: `arn:aws:kms:cn-north-1:${DESTINATION_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab` })).to.throw(
      /S3_REPLICATE_KMS_KEY_ARN is .*partition aws.*cn-north-1.*aws-cn/,
    );
    expect(parseDeployConfig(env).destinationRoleArn).to.equal(`arn:aws-cn:iam::${DESTINATION_ACCOUNT}:role/w`);
  });
  it('accepts GovCloud ARNs in a GovCloud region', () => {
    const env = { ...DEPLOY_ENV, AWS_REGION: 'us-gov-west-1', AWS_DEFAULT_REGION: 'us-gov-west-1', S3_REPLICATE_OTHER_ROLE_ARN: `arn:aws-us-gov:iam::${DESTINATION_ACCOUNT}:role/w` };
    expect(parseDeployConfig(env).region).to.equal('us-gov-west-1');
  });
});
