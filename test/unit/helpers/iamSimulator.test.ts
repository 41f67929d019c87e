import { expect } from 'chai';
import { decide, sessionOf, simulate, type PolicyDocument } from '../../helpers/iamSimulator.ts';
import { DESTINATION_ACCOUNT, DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../helpers/fixtures.ts';

// The helper applies AWS's evaluation rules (through iam-simulate); these pin the rules the
// permission-chain proofs rely on, with small hand-written documents.
const EXEC_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/exec`;
const SAME_ACCOUNT_ROLE = `arn:aws:iam::${SOURCE_ACCOUNT}:role/reader`;
const OBJECT = `arn:aws:s3:::${SOURCE_BUCKET}/2024/01/01/a.csv`;

const readObjects: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/*` }],
};
const bucketPolicyFor = (principal: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'ReadAccess', Effect: 'Allow', Principal: { AWS: principal }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/*` }],
});
const trust = (externalId?: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: EXEC_ROLE },
      Action: 'sts:AssumeRole',
      ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
    },
  ],
});
const mayAssume: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: DESTINATION_ROLE_ARN }] };

describe('test/helpers/iamSimulator', () => {
  it('same account: the identity policy alone is enough', async () => {
    const out = await simulate(
      { principal: SAME_ACCOUNT_ROLE, action: 's3:GetObject', resource: OBJECT, resourceAccount: SOURCE_ACCOUNT },
      { identity: [readObjects] },
    );
    expect(out).to.include({ result: 'Allowed', sameAccount: true });
  });

  it('same account: the bucket policy alone is enough', async () => {
    const r = await decide(
      { principal: SAME_ACCOUNT_ROLE, action: 's3:GetObject', resource: OBJECT, resourceAccount: SOURCE_ACCOUNT },
      { identity: [], resource: bucketPolicyFor(SAME_ACCOUNT_ROLE) },
    );
    expect(r).to.equal('Allowed');
  });

  it('cross account: needs both the identity policy and the bucket policy', async () => {
    const session = sessionOf(DESTINATION_ROLE_ARN);
    const req = { principal: session, action: 's3:GetObject', resource: OBJECT, resourceAccount: SOURCE_ACCOUNT };
    expect(await decide(req, { identity: [readObjects] })).to.equal('ImplicitlyDenied');
    expect(await decide(req, { identity: [], resource: bucketPolicyFor(DESTINATION_ROLE_ARN) })).to.equal('ImplicitlyDenied');
    const both = await simulate(req, { identity: [readObjects], resource: bucketPolicyFor(DESTINATION_ROLE_ARN) });
    expect(both).to.include({ result: 'Allowed', sameAccount: false });
  });

  it('a bucket policy naming another principal does not grant', async () => {
    const req = { principal: sessionOf(DESTINATION_ROLE_ARN), action: 's3:GetObject', resource: OBJECT, resourceAccount: SOURCE_ACCOUNT };
    expect(await decide(req, { identity: [readObjects], resource: bucketPolicyFor(`arn:aws:iam::${DESTINATION_ACCOUNT}:role/other`) })).to.equal(
      'ImplicitlyDenied',
    );
  });

  it('an explicit deny wins over an allow', async () => {
    const deny: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 's3:*', Resource: '*' }] };
    const req = { principal: SAME_ACCOUNT_ROLE, action: 's3:GetObject', resource: OBJECT, resourceAccount: SOURCE_ACCOUNT };
    expect(await decide(req, { identity: [readObjects, deny] })).to.equal('ExplicitlyDenied');
  });

  it('AssumeRole across accounts: needs the trust policy, the identity policy and the external id', async () => {
    const req = (context: Record<string, string>) => ({ principal: EXEC_ROLE, action: 'sts:AssumeRole', resource: DESTINATION_ROLE_ARN, context });
    expect(await decide(req({ 'sts:ExternalId': EXTERNAL_ID }), { identity: [mayAssume], resource: trust(EXTERNAL_ID) })).to.equal('Allowed');
    expect(await decide(req({ 'sts:ExternalId': 'wrong' }), { identity: [mayAssume], resource: trust(EXTERNAL_ID) })).to.equal('ImplicitlyDenied');
    expect(await decide(req({}), { identity: [mayAssume], resource: trust(EXTERNAL_ID) })).to.equal('ImplicitlyDenied');
    expect(await decide(req({ 'sts:ExternalId': EXTERNAL_ID }), { identity: [], resource: trust(EXTERNAL_ID) })).to.equal('ImplicitlyDenied');
    expect(await decide(req({ 'sts:ExternalId': EXTERNAL_ID }), { identity: [mayAssume] })).to.equal('ImplicitlyDenied');
    expect(await decide(req({}), { identity: [mayAssume], resource: trust() })).to.equal('Allowed');
  });

  // It validates structure (Effect, Action shape…); unknown action names are checked by the policy
  // walk with isWildcardOnlyAction, which throws on them.
  it('rejects a malformed document instead of deciding', async () => {
    const bad = { Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 's3:GetObject', Resource: '*' }] } as unknown as PolicyDocument;
    const err = await decide({ principal: SAME_ACCOUNT_ROLE, action: 's3:GetObject', resource: OBJECT, resourceAccount: SOURCE_ACCOUNT }, { identity: [bad] }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).to.match(/iam-simulate rejected/);
  });

  it('names the session of an assumed role as STS does', () => {
    expect(sessionOf(`arn:aws:iam::${DESTINATION_ACCOUNT}:role/path/to/writer`, 'sess')).to.equal(
      `arn:aws:sts::${DESTINATION_ACCOUNT}:assumed-role/writer/sess`,
    );
  });
});
