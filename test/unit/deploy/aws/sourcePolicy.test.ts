import { expect } from 'chai';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { DeleteBucketPolicyCommand, GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import {
  BUCKET_POLICY_MAX_BYTES, SOURCE_POLICY_ACTIONS, STORED_POLICY_MAX_BYTES, SourcePolicyConflictError, SourcePolicySizeError, applySourcePolicy, grantsBeyond, mergeStatements,
  planRemoval, removeSourcePolicy, stackStatements, type BucketPolicy, type StackStatements,
} from '../../../../deploy/aws/sourcePolicy.ts';
import { renderDocuments, type PolicyStatement } from '../../../../deploy/config/policies.ts';
import { DeployError } from '../../../../deploy/cli/errors.ts';
import { sourcePolicySids } from '../../../../rules/sourcePolicySids.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_ACCOUNT, SOURCE_BUCKET, STACK } from '../../../helpers/fixtures.ts';
import { awsError } from '../../../helpers/errors.ts';

const FORMAT = 'events/{YYYY}/{MM}/{DD}/';
const OTHER_ROLE = `arn:aws:iam::${DESTINATION_ACCOUNT}:role/analytics-reader`;
const OTHER_STACK = { stackName: 'replicate-to-analytics', region: STACK.region };

/** The stack's statements as deploy renders them, for a stack, a role and a day format. */
function own(stack = STACK, role = DESTINATION_ROLE_ARN, prefixFormat = FORMAT): StackStatements {
  const docs = renderDocuments({
    stack, sourceBucket: SOURCE_BUCKET, prefixFormat, destinationBucket: DESTINATION_BUCKET, destinationPrefix: '', destinationRoleArn: role,
    executionRoleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/${stack.stackName}-lambda`, externalId: undefined, kmsKeyArn: undefined,
  });
  return stackStatements({ stack, sourceBucket: SOURCE_BUCKET, prefixFormat, destinationRoleArn: role }, docs['sourceBucketPolicy.json.tmp'].Statement);
}

// Built in a hook, not while the file loads: code run at load makes the mutants of what it reaches
// static (each is then tested by importing the whole project again).
let ours: StackStatements;
let read: PolicyStatement;
let listing: PolicyStatement;
const unrelated = { Sid: 'AnalyticsRead', Effect: 'Allow' as const, Principal: { AWS: 'arn:aws:iam::123456789012:role/analytics' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/reports/*` };
const unnamed = { Effect: 'Allow' as const, Principal: { AWS: 'arn:aws:iam::123456789012:role/etl' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/etl/*` };
const policyOf = (...statements: unknown[]): BucketPolicy => ({ Version: '2012-10-17', Statement: statements as PolicyStatement[] });
/** The statements the release before per-stack Sids wrote, for the stack's role and format. */
const legacyRead = { Sid: 'S3PushReadAccess', Effect: 'Allow' as const, Principal: { AWS: DESTINATION_ROLE_ARN }, Action: ['s3:GetObject', 's3:GetObjectTagging'], Resource: `arn:aws:s3:::${SOURCE_BUCKET}/events/????/??/??/*` };
const legacyList = { Sid: 'S3PushListAccess', Effect: 'Allow' as const, Principal: { AWS: DESTINATION_ROLE_ARN }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${SOURCE_BUCKET}`, Condition: { StringLike: { 's3:prefix': 'events/????/??/??/*' } } };

describe('deploy/aws/sourcePolicy', () => {
  before(() => {
    ours = own();
    [read, listing] = ours.rendered as [PolicyStatement, PolicyStatement];
  });

  describe('stackStatements', () => {
    it('renders the stack\'s own Sids (read, list) and knows its deny Sid, its role and its bucket', () => {
      const sids = sourcePolicySids(STACK);
      expect(ours.rendered.map((s) => s.Sid)).to.deep.equal([sids.Read, sids.List]);
      expect(ours.sids).to.deep.equal([sids.Read, sids.List, sids.Deny]);
      expect(ours.principal).to.equal(DESTINATION_ROLE_ARN);
      expect(ours.bucketArn).to.equal(`arn:aws:s3:::${SOURCE_BUCKET}`);
    });

    it('SOURCE_POLICY_ACTIONS are exactly the actions the template grants', () => {
      const granted = new Set(ours.rendered.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat()));
      expect([...granted].sort()).to.deep.equal([...SOURCE_POLICY_ACTIONS].sort());
    });
  });

  describe('mergeStatements', () => {
    it('creates the policy when the bucket has none', () => {
      const plan = mergeStatements(undefined, ours);
      expect(plan.policy).to.deep.equal(policyOf(read, listing));
      expect(plan.changed).to.equal(true);
      expect(plan.bytes).to.equal(Buffer.byteLength(JSON.stringify(plan.policy)));
    });

    it('keeps every other statement (with or without Sid) and the policy Id', () => {
      const plan = mergeStatements({ ...policyOf(unrelated, unnamed), Id: 'acme' }, ours);
      expect(plan.policy).to.deep.equal({ ...policyOf(unrelated, unnamed, read, listing), Id: 'acme' });
    });

    it('two stacks from one bucket coexist: the second keeps the first\'s statements, and redeploying either keeps the other\'s', () => {
      const other = own(OTHER_STACK, OTHER_ROLE, 'raw/{YYYY}{MM}{DD}/');
      const first = mergeStatements(policyOf(unrelated), ours).policy;
      const both = mergeStatements(first, other).policy!;
      expect((both.Statement as PolicyStatement[]).map((s) => s.Sid)).to.deep.equal(['AnalyticsRead', read.Sid, listing.Sid, ...other.rendered.map((s) => s.Sid)]);
      expect(mergeStatements(both, ours).changed).to.equal(false);
      expect(mergeStatements(both, other).changed).to.equal(false);
      // A new day format for the first stack replaces its own statements in place, the second's untouched.
      const moved = mergeStatements(both, own(STACK, DESTINATION_ROLE_ARN, 'v2/{YYYY}/{MM}/{DD}/')).policy!;
      expect((moved.Statement as PolicyStatement[]).slice(3)).to.deep.equal(other.rendered);
      expect(JSON.stringify((moved.Statement as PolicyStatement[])[1])).to.include('v2/');
    });

    it('replaces an earlier rendering of its own Sid that grants nothing else (fewer actions, another prefix, a condition)', () => {
      const earlier = { ...read, Principal: { AWS: [DESTINATION_ROLE_ARN] }, Action: 'S3:GetObject', Resource: [`arn:aws:s3:::${SOURCE_BUCKET}/2023/*`], Condition: { Bool: { 'aws:SecureTransport': 'true' } } };
      const plan = mergeStatements(policyOf(earlier, unrelated), ours);
      expect(plan.policy).to.deep.equal(policyOf(read, unrelated, listing));
      expect(plan.removed).to.deep.equal([]);
    });

    const foreign: [string, Record<string, unknown>, RegExp][] = [
      ['another principal', { Principal: { AWS: 'arn:aws:iam::210987654321:role/old' } }, /Principal \{"AWS":"arn:aws:iam::210987654321:role\/old"\}/],
      ['everyone', { Principal: '*' }, /Principal "\*"/],
      ['a second principal', { Principal: { AWS: [DESTINATION_ROLE_ARN, 'arn:aws:iam::210987654321:root'] } }, /Principal/],
      ['another action', { Action: ['s3:GetObject', 's3:PutObject'] }, /Action \["s3:PutObject"\]/],
      ['a wildcard action', { Action: 's3:*' }, /Action \["s3:\*"\]/],
      ['another bucket', { Resource: `arn:aws:s3:::${SOURCE_BUCKET}-archive/*` }, /Resource \["arn:aws:s3:::acme-source-data-archive\/\*"\]/],
      ['a bucket wildcard', { Resource: `arn:aws:s3:::${SOURCE_BUCKET}*` }, /Resource/],
      ['a Deny of another principal', { Effect: 'Deny', Principal: '*' }, /Principal "\*"/],
      ['NotResource', { Resource: undefined, NotResource: `arn:aws:s3:::${SOURCE_BUCKET}/private/*` }, /NotResource/],
    ];
    for (const [what, change, named] of foreign) {
      it(`refuses, exit 2 and nothing written, to replace a statement of its own Sid that grants anything else: ${what}`, () => {
        const theirs = { ...read, ...change };
        const err = (() => { try { mergeStatements(policyOf(unrelated, theirs), ours, SOURCE_BUCKET); } catch (e) { return e; } return undefined; })();
        expect(err).to.be.instanceOf(SourcePolicyConflictError);
        expect((err as SourcePolicyConflictError).exitCode).to.equal(2);
        expect((err as Error).message).to.match(new RegExp(`^the bucket policy of ${SOURCE_BUCKET} already has a statement with the Sid ${read.Sid} that grants what s3-push's does not \\(`));
        expect((err as Error).message).to.match(named).and.include('not replaced, nothing written');
      });
    }

    it('grantsBeyond: an earlier rendering grants nothing beyond; another action does', () => {
      expect(grantsBeyond({ ...read, Action: 's3:GetObject' }, read)).to.deep.equal([]);
      expect(grantsBeyond({ ...read, Action: ['s3:GetObject', 's3:DeleteObject'] }, read)).to.deep.equal(['Action ["s3:DeleteObject"]']);
    });

    it('accepts a policy whose Statement is one object', () => {
      expect(mergeStatements({ Version: '2012-10-17', Statement: unrelated }, ours).policy).to.deep.equal(policyOf(unrelated, read, listing));
    });

    it('is idempotent: merging again changes nothing, whatever the key order S3 returns', () => {
      const once = mergeStatements(policyOf(unrelated), ours).policy!;
      const reordered = JSON.parse(JSON.stringify(once, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v))) as BucketPolicy;
      expect(mergeStatements(reordered, ours).changed).to.equal(false);
    });

    describe('the Deny of excluded keys', () => {
      let deny: PolicyStatement;
      let withDeny: StackStatements;
      before(() => {
        deny = { Sid: sourcePolicySids(STACK).Deny, Effect: 'Deny', Principal: { AWS: DESTINATION_ROLE_ARN }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/events/*/tmp/*` };
        withDeny = { ...ours, rendered: [...ours.rendered, deny] };
      });

      it('is written with the stack\'s Deny Sid, replaced by a later one, and taken out when no longer rendered', () => {
        const first = mergeStatements(policyOf(unrelated), withDeny).policy!;
        expect(first.Statement).to.deep.equal([unrelated, read, listing, deny]);
        const later = { ...deny, Resource: `arn:aws:s3:::${SOURCE_BUCKET}/events/*/scratch/*` };
        expect(mergeStatements(first, { ...ours, rendered: [...ours.rendered, later] }).policy!.Statement).to.deep.equal([unrelated, read, listing, later]);
        const none = mergeStatements(first, ours);
        expect(none.policy!.Statement).to.deep.equal([unrelated, read, listing]);
        expect(none.removed).to.deep.equal([deny]);
      });

      it('another stack\'s Deny (its own Sid) is never touched', () => {
        const theirs = { ...deny, Sid: sourcePolicySids(OTHER_STACK).Deny, Principal: { AWS: OTHER_ROLE } };
        expect(mergeStatements(policyOf(theirs), ours).policy!.Statement).to.deep.equal([theirs, read, listing]);
      });
    });

    describe('statements of the fixed Sids of the single-partner releases', () => {
      it('are taken over when they are this stack\'s (its role, its day pattern): the new statements and their removal in one write', () => {
        const plan = mergeStatements(policyOf(unrelated, legacyRead, legacyList), ours);
        expect(plan.policy).to.deep.equal(policyOf(unrelated, read, listing));
        expect(plan.removed).to.deep.equal([legacyRead, legacyList]);
        expect(plan.keptLegacy).to.deep.equal([]);
      });

      const notOurs: [string, unknown, RegExp][] = [
        ['another stack\'s role', { ...legacyRead, Principal: { AWS: OTHER_ROLE } }, /Principal/],
        ['another day format (a sibling stack of the same role)', { ...legacyRead, Resource: `arn:aws:s3:::${SOURCE_BUCKET}/raw/????????/*` }, /raw\/\?{8}\/\*.*not this stack's day patterns/],
        ['the whole bucket (an older release), which a sibling may rely on', { ...legacyRead, Resource: `arn:aws:s3:::${SOURCE_BUCKET}/*` }, /not this stack's day patterns/],
        ['a listing of another prefix', { ...legacyList, Condition: { StringLike: { 's3:prefix': 'raw/*' } } }, /StringLike s3:prefix "raw\/\*"/],
        ['a condition added by hand', { ...legacyList, Condition: { ...legacyList.Condition, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }, /IpAddress aws:SourceIp/],
        ['a Deny', { ...legacyRead, Effect: 'Deny' }, /Effect "Deny"/],
        ['a listing of the whole bucket (no s3:prefix condition)', { ...legacyList, Condition: undefined }, /list the whole bucket/],
      ];
      for (const [what, statement, why] of notOurs) {
        it(`are kept, with why, when they are not this stack's: ${what}`, () => {
          const plan = mergeStatements(policyOf(statement), ours);
          expect(plan.policy!.Statement).to.deep.equal([statement, read, listing]);
          expect(plan.removed).to.deep.equal([]);
          expect(plan.keptLegacy).to.have.length(1);
          expect(plan.keptLegacy[0]!.why).to.match(why);
        });
      }
    });

    describe('S3\'s 20 KB limit', () => {
      const filler = (bytes: number) => ({ Sid: 'Filler', Effect: 'Allow' as const, Principal: { AWS: OTHER_ROLE }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/${'x'.repeat(bytes)}` });
      let room: number;
      before(() => {
        room = BUCKET_POLICY_MAX_BYTES - mergeStatements(policyOf(filler(0)), ours).bytes;
      });

      it('merges a policy of exactly 20,480 bytes', () => {
        const plan = mergeStatements(policyOf(filler(room)), ours);
        expect(plan.bytes).to.equal(BUCKET_POLICY_MAX_BYTES);
      });

      it('refuses, exit 2 naming the sizes, one byte more, before anything is written', () => {
        const err = (() => { try { mergeStatements(policyOf(filler(room + 1)), ours, SOURCE_BUCKET); } catch (e) { return e; } return undefined; })();
        expect(err).to.be.instanceOf(SourcePolicySizeError);
        expect((err as SourcePolicySizeError).exitCode).to.equal(2);
        expect((err as Error).message).to.match(new RegExp(`^the bucket policy of ${SOURCE_BUCKET} would be ${BUCKET_POLICY_MAX_BYTES + 1} bytes with this stack's statements \\(about \\d+ bytes of them, 1 other statement\\(s\\) kept\\), over S3's limit of 20 KB \\(20480 bytes\\): nothing written`));
      });

      it('does not refuse a policy already over the limit that it leaves unchanged', () => {
        const over = mergeStatements(policyOf(filler(room)), ours).policy!;
        (over.Statement as PolicyStatement[])[0] = filler(room + 10);
        expect(mergeStatements(over, ours).changed).to.equal(false);
      });
    });
  });

  describe('planRemoval (destroy)', () => {
    it('takes out the stack\'s own statements and its legacy ones, keeping the other stack\'s and unrelated ones', () => {
      const other = own(OTHER_STACK, OTHER_ROLE);
      const policy = mergeStatements(mergeStatements(policyOf(unrelated, legacyRead), ours).policy, other).policy!;
      const plan = planRemoval(policyOf(...(policy.Statement as PolicyStatement[]), legacyList), ours);
      expect(plan.policy!.Statement).to.deep.equal([unrelated, ...other.rendered]);
      expect(plan.removed.map((s) => s.Sid)).to.deep.equal([read.Sid, listing.Sid, 'S3PushListAccess']);
    });

    it('leaves the policy unchanged when it holds none of the stack\'s statements', () => {
      const plan = planRemoval(policyOf(unrelated), ours);
      expect(plan.changed).to.equal(false);
      expect(plan.removed).to.deep.equal([]);
    });

    it('deletes the policy when nothing else is in it; a statement of its Sid that grants more stays', () => {
      expect(planRemoval(policyOf(read, listing), ours)).to.include({ policy: undefined, changed: true });
      const theirs = { ...read, Action: 's3:*' };
      const plan = planRemoval(policyOf(theirs, listing), ours);
      expect(plan.policy!.Statement).to.deep.equal([theirs]);
      expect(plan.foreign.map((f) => f.sid)).to.deep.equal([read.Sid]);
    });
  });

  describe('applySourcePolicy and removeSourcePolicy', () => {
    let s3: S3Client;
    let mock: AwsClientStub<S3Client>;
    beforeEach(() => {
      s3 = new S3Client({ region: 'us-east-1' });
      mock = mockClient(s3);
      mock.on(PutBucketPolicyCommand).resolves({});
      mock.on(DeleteBucketPolicyCommand).resolves({});
    });
    afterEach(() => mock.reset());

    it('creates the policy when S3 says NoSuchBucketPolicy', async () => {
      mock.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 404));
      expect((await applySourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, ours)).outcome).to.equal('applied');
      const input = mock.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input;
      expect(JSON.parse(input.Policy!)).to.deep.equal(policyOf(read, listing));
      expect(input.ExpectedBucketOwner).to.equal(SOURCE_ACCOUNT);
    });

    it('writes nothing when the statements are already in place', async () => {
      mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(policyOf(unrelated, read, listing)) });
      expect((await applySourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, ours)).outcome).to.equal('unchanged');
      expect(mock.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
    });

    it('writes nothing when a statement of its Sid grants anything else', async () => {
      mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(policyOf({ ...read, Action: 's3:*' })) });
      const err = await applySourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, ours).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(SourcePolicyConflictError);
      expect(mock.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
    });

    it('reports AccessDenied on GetBucketPolicy as itself, writing nothing', async () => {
      mock.on(GetBucketPolicyCommand).rejects(awsError('AccessDenied', 403));
      const err = await applySourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, ours).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DeployError);
      expect((err as Error).message).to.include('AccessDenied');
      expect(mock.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
    });

    describe('the policy as read: bounded and checked before anything acts on it', () => {
      /** A valid policy of `bytes` bytes: the unrelated statement, its resource padded. */
      const sized = (bytes: number): string => {
        const text = (pad: number) => JSON.stringify(policyOf({ ...unrelated, Resource: `${unrelated.Resource}${'x'.repeat(pad)}` }));
        return text(bytes - Buffer.byteLength(text(0)));
      };
      const bad = async (policy: string) => {
        mock.on(GetBucketPolicyCommand).resolves({ Policy: policy });
        const errs = [await applySourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, ours).catch((e: unknown) => e), await removeSourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, ours).catch((e: unknown) => e)];
        expect(mock.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
        expect(mock.commandCalls(DeleteBucketPolicyCommand)).to.have.length(0);
        for (const err of errs) {
          expect(err).to.be.instanceOf(DeployError);
          expect((err as Error).message).to.include(`the bucket policy of ${SOURCE_BUCKET} as read`);
        }
        return (errs[0] as Error).message;
      };

      it('refuses a text over four times S3\'s 20 KB before JSON.parse: no S3 keeps one (whitespace aside)', async () => {
        expect(STORED_POLICY_MAX_BYTES).to.equal(4 * 20 * 1024);
        expect(await bad(sized(STORED_POLICY_MAX_BYTES + 1))).to.include(`is ${STORED_POLICY_MAX_BYTES + 1} bytes, over the ${STORED_POLICY_MAX_BYTES}`);
        // 3 MB of JSON: refused as fast as 80 KB, without parsing it.
        expect(await bad(sized(3_000_000))).to.include('is 3000000 bytes');
      });

      it('parses a policy put indented whose text is longer than 20 KB but within the bound', async () => {
        const statements = Array.from({ length: 60 }, (_, i) => ({ ...unrelated, Sid: `Reader${i}`, Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: [`${unrelated.Resource}${i}/*`] }));
        const compact = policyOf(...statements);
        expect(Buffer.byteLength(JSON.stringify(compact))).to.be.at.most(BUCKET_POLICY_MAX_BYTES);
        const indented = JSON.stringify(compact, null, 10);
        expect(Buffer.byteLength(indented)).to.be.within(BUCKET_POLICY_MAX_BYTES + 1, STORED_POLICY_MAX_BYTES);
        mock.on(GetBucketPolicyCommand).resolves({ Policy: indented });
        await removeSourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, ours);
        expect(mock.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
      });

      it('refuses a text that is not JSON, or has no Statement of statement objects, naming the bucket', async () => {
        expect(await bad('{"Version": "2012-10-17", "Statement": [')).to.match(/is not JSON \(.+\): nothing written/);
        for (const policy of ['{"Version":"2012-10-17"}', '[]', 'null', '{"Statement":"s3:*"}', '{"Statement":[null]}', `{"Statement":[${JSON.stringify(unrelated)},["x"]]}`]) {
          expect(await bad(policy), policy).to.match(/has no Statement of statement objects \(expected .*, got ".*\): nothing written$/);
        }
        expect(await bad(`{"Statement":"${'y'.repeat(500)}"}`)).to.include('(516 characters)');
      });

      it('takes a Statement of one object, as S3 may return it', async () => {
        mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify({ Version: '2012-10-17', Statement: unrelated }) });
        expect((await applySourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, ours)).outcome).to.equal('applied');
        expect(JSON.parse(mock.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input.Policy!)).to.deep.equal(policyOf(unrelated, read, listing));
      });
    });

    it('removeSourcePolicy reads the policy again before writing: a statement added since the plan is kept', async () => {
      const other = own(OTHER_STACK, OTHER_ROLE);
      mock.on(GetBucketPolicyCommand).resolves({ Policy: JSON.stringify(policyOf(read, listing, ...other.rendered)) });
      const plan = await removeSourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, ours);
      expect(plan.removed.map((s) => s.Sid)).to.deep.equal([read.Sid, listing.Sid]);
      expect(JSON.parse(mock.commandCalls(PutBucketPolicyCommand)[0]!.args[0].input.Policy!)).to.deep.equal(policyOf(...other.rendered));
    });

    it('removeSourcePolicy deletes the policy (DeleteBucketPolicy) when only the stack\'s statements were in it, and writes nothing when none were', async () => {
      mock.on(GetBucketPolicyCommand).resolvesOnce({ Policy: JSON.stringify(policyOf(read, listing)) }).resolves({ Policy: JSON.stringify(policyOf(unrelated)) });
      await removeSourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, ours);
      expect(mock.commandCalls(DeleteBucketPolicyCommand)[0]!.args[0].input).to.deep.equal({ Bucket: SOURCE_BUCKET, ExpectedBucketOwner: SOURCE_ACCOUNT });
      await removeSourcePolicy(s3, SOURCE_BUCKET, SOURCE_ACCOUNT, ours);
      expect(mock.commandCalls(PutBucketPolicyCommand)).to.have.length(0);
      expect(mock.commandCalls(DeleteBucketPolicyCommand)).to.have.length(1);
    });
  });
});
