import { expect } from 'chai';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { SourcePolicyConflictError, applySourcePolicy, grantsBeyond, mergeStatements } from '../../../../deploy/aws/sourcePolicy.ts';
import type { PolicyDocument } from '../../../../deploy/config/policies.ts';
import { DeployError } from '../../../../deploy/cli/errors.ts';
import { DESTINATION_ROLE_ARN, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { awsError } from '../../../helpers/errors.ts';

const readAccess = {
  Sid: 'S3PushReadAccess',
  Effect: 'Allow' as const,
  Principal: { AWS: DESTINATION_ROLE_ARN },
  Action: ['s3:ListBucket', 's3:GetObject', 's3:GetObjectTagging'],
  Resource: [`arn:aws:s3:::${SOURCE_BUCKET}`, `arn:aws:s3:::${SOURCE_BUCKET}/*`],
};
const rendered: PolicyDocument = { Version: '2012-10-17', Statement: [readAccess] };
const other = { Sid: 'AnalyticsRead', Effect: 'Allow' as const, Principal: { AWS: 'arn:aws:iam::123456789012:role/analytics' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/reports/*` };
const unnamed = { Effect: 'Allow' as const, Principal: { AWS: 'arn:aws:iam::123456789012:role/etl' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/etl/*` };

describe('deploy/aws/sourcePolicy', () => {
  describe('mergeStatements', () => {
    it('creates the policy when the bucket has none', () => {
      expect(mergeStatements(undefined, rendered)).to.deep.equal({ policy: { Version: '2012-10-17', Statement: [readAccess] }, changed: true });
    });

    it('keeps every other statement (with or without Sid) and the policy Id', () => {
      const { policy, changed } = mergeStatements({ Version: '2012-10-17', Id: 'acme', Statement: [other, unnamed] }, rendered);
      expect(changed).to.equal(true);
      expect(policy).to.deep.equal({ Version: '2012-10-17', Id: 'acme', Statement: [other, unnamed, readAccess] });
    });

    it('keeps a statement of the Sid ReadAccess (someone else\'s): only S3PushReadAccess is ours', () => {
      const theirs = { ...other, Sid: 'ReadAccess' };
      const { policy } = mergeStatements({ Version: '2012-10-17', Statement: [theirs] }, rendered);
      expect(policy.Statement).to.deep.equal([theirs, readAccess]);
    });

    it('replaces an earlier S3PushReadAccess that grants nothing else (same role, fewer actions, another prefix, a condition)', () => {
      const earlier = {
        Sid: 'S3PushReadAccess',
        Effect: 'Allow' as const,
        Principal: { AWS: [DESTINATION_ROLE_ARN] },
        Action: 'S3:GetObject',
        Resource: [`arn:aws:s3:::${SOURCE_BUCKET}/2023/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'true' } },
      };
      expect(grantsBeyond(earlier, readAccess)).to.deep.equal([]);
      const { policy, changed } = mergeStatements({ Version: '2012-10-17', Statement: [earlier, other] }, rendered);
      expect(changed).to.equal(true);
      expect(policy.Statement).to.deep.equal([other, readAccess]);
    });

    it('replaces the single statement that listed and read before the day pattern with the two rendered now (issue 15): measured against both together', () => {
      const listAccess = { Sid: 'S3PushListAccess', Effect: 'Allow' as const, Principal: { AWS: DESTINATION_ROLE_ARN }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${SOURCE_BUCKET}`, Condition: { StringLike: { 's3:prefix': '????/??/??/*' } } };
      const narrowRead = { ...readAccess, Action: ['s3:GetObject', 's3:GetObjectTagging'], Resource: `arn:aws:s3:::${SOURCE_BUCKET}/????/??/??/*` };
      const now: PolicyDocument = { Version: '2012-10-17', Statement: [narrowRead, listAccess] };
      // The old statement (readAccess above) holds s3:ListBucket, which the new S3PushReadAccess alone does not grant.
      expect(grantsBeyond(readAccess, narrowRead)).to.deep.equal(['Action ["s3:ListBucket"]']);
      const { policy, changed } = mergeStatements({ Version: '2012-10-17', Statement: [other, readAccess] }, now);
      expect(changed).to.equal(true);
      expect(policy.Statement).to.deep.equal([other, narrowRead, listAccess]);
      // Still refused: an old statement of our Sid that grants an action neither of ours does.
      expect(() => mergeStatements({ Version: '2012-10-17', Statement: [{ ...readAccess, Action: ['s3:GetObject', 's3:PutObject'] }] }, now)).to.throw(SourcePolicyConflictError, /Action \["s3:PutObject"\]/);
    });

    const foreign: [string, Record<string, unknown>, RegExp][] = [
      ['another principal', { Principal: { AWS: 'arn:aws:iam::210987654321:role/old' } }, /Principal \{"AWS":"arn:aws:iam::210987654321:role\/old"\}/],
      ['everyone', { Principal: '*' }, /Principal "\*"/],
      ['a second principal', { Principal: { AWS: [DESTINATION_ROLE_ARN, 'arn:aws:iam::210987654321:root'] } }, /Principal/],
      ['another action', { Action: ['s3:GetObject', 's3:PutObject'] }, /Action \["s3:PutObject"\]/],
      ['a wildcard action', { Action: 's3:*' }, /Action \["s3:\*"\]/],
      ['another bucket', { Resource: `arn:aws:s3:::${SOURCE_BUCKET}-archive/*` }, /Resource \["arn:aws:s3:::acme-source-data-archive\/\*"\]/],
      ['a bucket wildcard', { Resource: `arn:aws:s3:::${SOURCE_BUCKET}*` }, /Resource/],
      ['a Deny (replacing it would lift it)', { Effect: 'Deny' }, /Effect "Deny"/],
      ['NotResource', { Resource: undefined, NotResource: `arn:aws:s3:::${SOURCE_BUCKET}/private/*` }, /NotResource/],
    ];
    for (const [what, change, named] of foreign) {
      it(`refuses to replace an S3PushReadAccess statement that grants anything else: ${what}`, () => {
        const theirs = { ...readAccess, ...change } as typeof readAccess;
        expect(grantsBeyond(theirs, readAccess).join('; ')).to.match(named);
        const err = (() => { try { mergeStatements({ Version: '2012-10-17', Statement: [other, theirs] }, rendered, SOURCE_BUCKET); } catch (e) { return e; } return undefined; })();
        expect(err).to.be.instanceOf(SourcePolicyConflictError);
        expect((err as SourcePolicyConflictError).exitCode).to.equal(2);
        expect((err as Error).message).to.match(new RegExp(`^the bucket policy of ${SOURCE_BUCKET} already has a statement with the Sid S3PushReadAccess that grants what s3-push's does not \\(`));
        expect((err as Error).message).to.match(named).and.include('not replaced, nothing written');
      });
    }

    it('accepts a policy whose Statement is one object', () => {
      const { policy } = mergeStatements({ Version: '2012-10-17', Statement: other }, rendered);
      expect(policy.Statement).to.deep.equal([other, readAccess]);
    });

    it('is idempotent: merging again changes nothing, whatever the key order S3 returns', () => {
      const once = mergeStatements({ Version: '2012-10-17', Statement: [other] }, rendered).policy;
      const reordered = JSON.parse(JSON.stringify(once, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v))) as typeof once;
      const twice = mergeStatements(reordered, rendered);
      expect(twice.changed).to.equal(false);
    });
  });

  describe('applySourcePolicy', () => {
    let s3: S3Client;
    let mock: AwsClientStub<S3Client>;
    beforeEach(() => {
      s3 = new S3Client({ region: 'us-east-1' });
      mock = mockClient(s3);
      mock.on(PutBucketPolicyCommand).resolves({});
    });
    afterEach(() => mock.reset());

    it('creates the policy when S3 says NoSuchBucketPolicy', async () => {
      mock.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 404));
      expect(await applySourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, rendered)).to.equal('applied');
      const input = mock.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input;
      expect(JSON.parse(input.Policy!)).to.deep.equal({ Version: '2012-10-17', Statement: [readAccess] });
      expect(input.ExpectedBucketOwner).to.equal(SOURCE_ACCOUNT);
    });

    it('writes nothing when the statement is already in place', async () => {
      mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [other, readAccess] }) });
      expect(await applySourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, rendered)).to.equal('unchanged');
      expect(mock.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
    });

    it('writes nothing when a statement of its Sid grants anything else', async () => {
      mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ ...readAccess, Action: 's3:*' }] }) });
      const err = await applySourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, rendered).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(SourcePolicyConflictError);
      expect(mock.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
    });

    it('reports AccessDenied on GetBucketPolicy as itself, writing nothing', async () => {
      mock.on(GetBucketPolicyCommand).rejects(awsError('AccessDenied', 403));
      const err = await applySourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, rendered).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DeployError);
      expect((err as Error).message).to.include('AccessDenied');
      expect(mock.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
    });
  });
});
