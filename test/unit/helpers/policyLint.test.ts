import { expect } from 'chai';
import { arnProblem, lintPolicy } from '../../helpers/policyLint.ts';
import type { PolicyDocument, PolicyStatement } from '../../helpers/iamSimulator.ts';
import { DESTINATION_ROLE_ARN, SOURCE_BUCKET } from '../../helpers/fixtures.ts';

// The lint must be able to fail: each of these documents breaks exactly one rule.
const doc = (st: Partial<PolicyStatement>): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', ...st }] });
const OBJECTS = `arn:aws:s3:::${SOURCE_BUCKET}/*`;

describe('test/helpers/policyLint: the least-privilege lint', () => {
  const cases: [string, PolicyDocument, 'identity' | 'resource' | 'trust', RegExp][] = [
    ['Action "*"', doc({ Action: '*', Resource: OBJECTS }), 'identity', /action "\*" is a wildcard/],
    ['Action "s3:*"', doc({ Action: 's3:*', Resource: OBJECTS }), 'identity', /action "s3:\*" is a wildcard/],
    ['Action "s3:Get*"', doc({ Action: 's3:Get*', Resource: OBJECTS }), 'identity', /"s3:Get\*" is a wildcard/],
    ['an action that does not exist', doc({ Action: 's3:GetObjekt', Resource: OBJECTS }), 'identity', /"s3:GetObjekt" does not exist/],
    ['NotAction', doc({ NotAction: 's3:DeleteObject', Resource: OBJECTS }), 'identity', /NotAction/],
    ['Resource "*" for an action that takes an ARN', doc({ Action: 's3:GetObject', Resource: '*' }), 'identity', /Resource "\*" for s3:GetObject/],
    ['a wildcard bucket', doc({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::acme-*/*' }), 'identity', /wildcard in its bucket name/],
    ['a wildcard account', doc({ Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/x' }), 'identity', /wildcard in its account/],
    ['a wildcard role name', doc({ Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::210987654321:role/*' }), 'identity', /only a wildcard|inside its resource|partial-name/],
    ['a Deny', { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:GetObject', Resource: OBJECTS }] }, 'identity', /Effect "Deny"/],
    ['a principal in an identity policy', doc({ Principal: { AWS: DESTINATION_ROLE_ARN }, Action: 's3:GetObject', Resource: OBJECTS }), 'identity', /has no Principal/],
    ['Principal "*"', doc({ Principal: '*', Action: 's3:GetObject', Resource: OBJECTS }), 'resource', /"\*" is everyone/],
    ['Principal {AWS: "*"}', doc({ Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: OBJECTS }), 'resource', /"AWS:\*" is everyone/],
    ['an account root principal', doc({ Principal: { AWS: 'arn:aws:iam::210987654321:root' }, Action: 's3:GetObject', Resource: OBJECTS }), 'resource', /whole account/],
    ['a bare account principal', doc({ Principal: { AWS: '210987654321' }, Action: 's3:GetObject', Resource: OBJECTS }), 'resource', /whole account/],
    ['a user principal', doc({ Principal: { AWS: 'arn:aws:iam::210987654321:user/bob' }, Action: 's3:GetObject', Resource: OBJECTS }), 'resource', /not an exact role ARN/],
    ['no principal in a bucket policy', doc({ Action: 's3:GetObject', Resource: OBJECTS }), 'resource', /no Principal/],
    ['a Resource in a trust policy', doc({ Principal: { AWS: DESTINATION_ROLE_ARN }, Action: 'sts:AssumeRole', Resource: '*' }), 'trust', /trust policy has no Resource/],
    ['a wrong Version', { Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: OBJECTS }] }, 'identity', /Version/],
  ];
  for (const [what, d, kind, problem] of cases) {
    it(`reports ${what}`, async () => {
      const problems = await lintPolicy('doc', d, kind);
      expect(problems.join('\n')).to.match(problem);
    });
  }

  it('passes a least-privilege document', async () => {
    const good: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectTagging'], Resource: OBJECTS },
        { Effect: 'Allow', Action: 'logs:PutLogEvents', Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*' },
        { Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
      ],
    };
    expect(await lintPolicy('good', good, 'identity')).to.deep.equal([]);
  });

  it('knows which ARNs are narrow', () => {
    expect(arnProblem(`arn:aws:s3:::${SOURCE_BUCKET}`)).to.equal(undefined);
    expect(arnProblem(`arn:aws:s3:::${SOURCE_BUCKET}/exports/*`)).to.equal(undefined);
    expect(arnProblem('arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*')).to.equal(undefined);
    expect(arnProblem('arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*')).to.match(/partial-name|wildcard/);
    expect(arnProblem('arn:aws:sqs:us-east-1:123456789012:*')).to.match(/only a wildcard/);
    expect(arnProblem('not-an-arn')).to.match(/not an ARN/);
  });
});
