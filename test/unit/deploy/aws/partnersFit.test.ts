/**
 * How many partners (stacks) fit in one source bucket policy: S3 allows 20 KB
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-iam-policies.html), and each stack
 * adds its statements. docs/partners.md gives the counts {@link fit} finds; these tests hold the
 * floors an operator relies on: one stack fits alone at the longest values deploy accepts (else its
 * deploy could never apply its policy), and a good number of partners at typical values.
 */
import { expect } from 'chai';
import { BUCKET_POLICY_MAX_BYTES, SourcePolicySizeError, mergeStatements, policyBytes, stackStatements, type BucketPolicy } from '../../../../deploy/aws/sourcePolicy.ts';
import { renderDocuments, type PolicyStatement } from '../../../../deploy/config/policies.ts';

interface Shape {
  readonly sourceBucket: string;
  readonly prefixFormat: string;
  readonly stackName: (i: number) => string;
  readonly roleArn: (i: number) => string;
}

/** The stack's statements for partner `i` of `shape`. */
function partner(shape: Shape, i: number) {
  const stack = { stackName: shape.stackName(i), region: 'us-gov-west-1' };
  const docs = renderDocuments({
    stack, sourceBucket: shape.sourceBucket, prefixFormat: shape.prefixFormat, destinationBucket: 'partner-bucket', destinationPrefix: '',
    destinationRoleArn: shape.roleArn(i), executionRoleArn: 'arn:aws:iam::123456789012:role/x', externalId: undefined, kmsKeyArn: undefined,
  });
  return stackStatements({ stack, sourceBucket: shape.sourceBucket, prefixFormat: shape.prefixFormat, destinationRoleArn: shape.roleArn(i) }, docs['sourceBucketPolicy.json.tmp'].Statement);
}

/** Merges partners one by one into an empty policy until S3's limit refuses one: how many fit, and one partner's bytes. */
export function fit(shape: Shape): { partners: number; perPartner: number } {
  let policy: BucketPolicy | undefined;
  let n = 0;
  for (;;) {
    try {
      policy = mergeStatements(policy, partner(shape, n)).policy;
      n += 1;
    } catch (err) {
      if (!(err instanceof SourcePolicySizeError)) throw err;
      break;
    }
  }
  const one = policyBytes({ Version: '2012-10-17', Statement: [...partner(shape, 0).rendered] as PolicyStatement[] }) - policyBytes({ Version: '2012-10-17', Statement: [] });
  expect(policyBytes(policy!)).to.be.at.most(BUCKET_POLICY_MAX_BYTES);
  return { partners: n, perPartner: one };
}

export const TYPICAL: Shape = {
  sourceBucket: 'acme-source-data',
  prefixFormat: 'events/{YYYY}/{MM}/{DD}/',
  stackName: (i) => `replicate-to-partner-${String(i).padStart(2, '0')}`,
  roleArn: (i) => `arn:aws:iam::2109876543${String(i).padStart(2, '0')}:role/s3-push-writer`,
};

/** Long but ordinary values: a 38-character bucket, a 63-character format, a role ARN with a path. */
export const LONG: Shape = {
  ...TYPICAL,
  sourceBucket: 'acme-corporation-analytics-exports-prod',
  prefixFormat: 'exports/warehouse/daily/events/year={YYYY}/month={MM}/day={DD}/',
  roleArn: (i) => `arn:aws:iam::2109876543${String(i).padStart(2, '0')}:role/data-platform/s3-push/partner-delivery-writer`,
};

/** The longest values deploy accepts: 63-character bucket, 512-character format, 128-character stack names, role ARNs of 512-character path and 64-character name in the longest partition. */
export const LONGEST: Shape = {
  sourceBucket: 's'.repeat(63),
  prefixFormat: `${'a/'.repeat(248)}{YYYY}/{MM}/{DD}`,
  stackName: (i) => `r${String(i).padStart(3, '0')}`.padEnd(128, 'x'),
  roleArn: (i) => `arn:aws-us-gov:iam::2109876543${String(i).padStart(2, '0')}:role/${'p/'.repeat(224)}${'w'.repeat(64)}`,
};

describe('how many partners fit in one source bucket policy (S3: 20 KB)', () => {
  it('typical values (a 16-character bucket, events/{YYYY}/{MM}/{DD}/, 33-character stack names): at least 15 partners, each under 1.3 KB', () => {
    const { partners, perPartner } = fit(TYPICAL);
    expect(partners).to.be.at.least(15);
    expect(perPartner).to.be.below(1300);
  });

  it('long but ordinary values: at least 8 partners', () => {
    expect(fit(LONG).partners).to.be.at.least(8);
  });

  it('the longest values deploy accepts: one stack fits alone, with room for the bucket owner\'s own statements', () => {
    const { partners, perPartner } = fit(LONGEST);
    expect(partners).to.be.at.least(1);
    expect(perPartner).to.be.below(BUCKET_POLICY_MAX_BYTES / 2 + 1024);
  });
});
