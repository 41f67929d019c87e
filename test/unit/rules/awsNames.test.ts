import { expect } from 'chai';
import { accountOf, externalIdProblem, kmsKeyArnProblem, parseRoleArn, partitionMismatch, partitionOf, regionProblem, roleArnProblem, roleNameOf } from '../../../rules/awsNames.ts';

const KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';

describe('rules/awsNames', () => {
  it('partitionOf follows the SDK\'s partition table', () => {
    const expected: [string, string][] = [
      ['us-east-1', 'aws'], ['eu-central-2', 'aws'], ['ap-southeast-5', 'aws'], ['cn-north-1', 'aws-cn'], ['cn-northwest-1', 'aws-cn'],
      ['us-gov-west-1', 'aws-us-gov'], ['us-iso-east-1', 'aws-iso'], ['us-isob-east-1', 'aws-iso-b'], ['eu-isoe-west-1', 'aws-iso-e'],
      ['us-isof-south-1', 'aws-iso-f'], ['eusc-de-east-1', 'aws-eusc'],
    ];
    for (const [region, partition] of expected) {
      expect(partitionOf(region), region).to.equal(partition);
      expect(regionProblem(region), region).to.equal(undefined);
    }
  });

  it('refuses what is not a region, with one message', () => {
    for (const r of ['Frankfurt', 'us-east', 'us_east_1', 'useast1', '']) expect(regionProblem(r), r).to.equal('expected a region like us-east-1');
  });

  it('reads the partition and account of role and key ARNs, and refuses aliases and bad ones', () => {
    expect(parseRoleArn('arn:aws-cn:iam::210987654321:role/team/s3-push')).to.deep.equal({ partition: 'aws-cn', account: '210987654321' });
    expect(kmsKeyArnProblem(`arn:aws:kms:us-east-1:210987654321:key/${KEY}`)).to.equal(undefined);
    expect(kmsKeyArnProblem(`arn:aws:kms:us-east-1:210987654321:key/mrk-${'0'.repeat(32)}`)).to.equal(undefined);
    expect(parseRoleArn('arn:aws:iam::210987654321:user/bob')).to.equal(undefined);
    expect(roleArnProblem('s3-push-writer')).to.equal('expected an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>');
    expect(kmsKeyArnProblem('alias/s3-push')).to.equal('expected a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id> (not an alias)');
  });

  it('says when an ARN is in another partition than the region', () => {
    expect(partitionMismatch('arn:aws-cn:iam::210987654321:role/x', 'us-east-1')).to.equal('in partition aws-cn, but region us-east-1 is in partition aws');
    expect(partitionMismatch('arn:aws-cn:iam::210987654321:role/x', 'cn-north-1')).to.equal(undefined);
  });

  it('never echoes an external id', () => {
    expect(externalIdProblem('ext-7f3c9a2e')).to.equal(undefined);
    const p = externalIdProblem('a secret with spaces');
    expect(p).to.equal('malformed (20 characters): expected 2–1224 letters, digits and + = , . @ : / _ -');
  });

  it('roleNameOf drops the path; accountOf reads the fifth field', () => {
    expect(roleNameOf('arn:aws:iam::210987654321:role/s3-push-writer')).to.equal('s3-push-writer');
    expect(roleNameOf('arn:aws:iam::210987654321:role/team/a/s3-push-writer')).to.equal('s3-push-writer');
    expect(accountOf('arn:aws:iam::210987654321:role/x')).to.equal('210987654321');
    expect(accountOf('nonsense')).to.equal('?');
  });
});
