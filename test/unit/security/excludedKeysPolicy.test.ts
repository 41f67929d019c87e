import { expect } from 'chai';
import fc from 'fast-check';
import { PolicyValueError, renderDocuments, type PolicyValues } from '../../../deploy/config/policies.ts';
import { mergeStatements, SourcePolicyConflictError, stackStatements } from '../../../deploy/aws/sourcePolicy.ts';
import { exclusionMatcher } from '../../../rules/exclude.ts';
import { sourcePolicySids } from '../../../rules/sourcePolicySids.ts';
import { decide, sessionOf } from '../../helpers/iamSimulator.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_ACCOUNT, SOURCE_BUCKET, STACK } from '../../helpers/fixtures.ts';

const SOURCE_DENY_POLICY_SID = sourcePolicySids(STACK).Deny;

// The source bucket policy's Deny of excluded keys, evaluated by the IAM simulator with the
// destination role's own permissions (cross-account: both must allow, an explicit Deny wins).
// moto evaluates no bucket policy: this is where the Deny is proven.
describe('security: the source bucket policy denies the partner\'s role the excluded keys (IAM simulator)', () => {
  const EXCLUDE = ['_temporary/**', '*.crc', '.spark-staging*', '**/*.tmp', 'part-?.log'];
  const values: PolicyValues = {
    stack: STACK, sourceBucket: SOURCE_BUCKET, prefixFormat: 'events/{YYYY}/{MM}/{DD}/', destinationBucket: DESTINATION_BUCKET, destinationPrefix: 'from-acme/',
    destinationRoleArn: DESTINATION_ROLE_ARN, executionRoleArn: `arn:aws:iam::${SOURCE_ACCOUNT}:role/x-lambda`, externalId: undefined, kmsKeyArn: undefined,
    exclude: EXCLUDE,
  };
  // Rendered in a hook, not while the file loads: code run at load makes its mutants static (slow).
  let bucketPolicy: ReturnType<typeof renderDocuments>['sourceBucketPolicy.json.tmp'];
  let role: ReturnType<typeof renderDocuments>['roleDefinitionDestinationExample.json.tmp'];
  before(() => {
    const docs = renderDocuments(values);
    bucketPolicy = docs['sourceBucketPolicy.json.tmp'];
    role = docs['roleDefinitionDestinationExample.json.tmp'];
  });
  const read = (key: string, action = 's3:GetObject') => decide(
    { principal: sessionOf(DESTINATION_ROLE_ARN), action, resource: `arn:aws:s3:::${SOURCE_BUCKET}/${key}`, resourceAccount: SOURCE_ACCOUNT },
    { identity: [role], resource: bucketPolicy },
  );

  it('renders one Deny of the patterns IAM can say, after one day pattern', () => {
    const deny = bucketPolicy.Statement.find((s) => s.Sid === SOURCE_DENY_POLICY_SID);
    expect(deny).to.deep.equal({
      Sid: SOURCE_DENY_POLICY_SID,
      Effect: 'Deny',
      Principal: { AWS: DESTINATION_ROLE_ARN },
      Action: ['s3:GetObject', 's3:GetObjectTagging'],
      Resource: ['_temporary/*', '.spark-staging*', '*.tmp', '*.tmp/*'].map((f) => `arn:aws:s3:::${SOURCE_BUCKET}/events/????/??/??/${f}`),
    });
  });

  it('denies the excluded keys IAM can name, and their tags', async () => {
    for (const key of ['events/2024/07/01/_temporary/0/part-0.parquet', 'events/2024/07/01/.spark-staging-1/part-0', 'events/2024/07/01/.spark-staging-1', 'events/2024/07/01/x/y.tmp', 'events/2024/07/01/y.tmp']) {
      expect(await read(key), key).to.equal('ExplicitlyDenied');
    }
    expect(await read('events/2024/07/01/_temporary/0/x', 's3:GetObjectTagging')).to.equal('ExplicitlyDenied');
  });

  it('still allows every key s3-push copies, also the ones IAM cannot tell apart from an excluded one', async () => {
    // "*.crc" and "part-?.log" have no Deny: IAM's "*" and "?" cross "/", so it would also refuse sub/x.crc, which is copied.
    for (const key of ['events/2024/07/01/part-0.parquet', 'events/2024/07/01/_SUCCESS', 'events/2024/07/01/sub/x.crc', 'events/2024/07/01/sub/part-1.log', 'events/2024/07/01/_temporary', 'events/2024/07/01/x.tmpz']) {
      expect(exclusionMatcher(EXCLUDE)(key.slice('events/2024/07/01/'.length)), key).to.equal(false);
      expect(await read(key), key).to.equal('Allowed');
    }
  });

  it('never denies a key the handler would copy (property, through the simulator)', async () => {
    const excluded = exclusionMatcher(EXCLUDE);
    const segment = fc.constantFrom('_temporary', '.spark-staging', '.spark-staging-1', 'a.tmp', 'x.crc', 'part-1.log', 'tmp', 'a', '_SUCCESS', '');
    const rests = fc.sample(fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')).filter((r) => r !== ''), { numRuns: 120, seed: 21 });
    let denied = 0;
    for (const rest of rests) {
      const decision = await read(`events/2024/07/01/${rest}`);
      if (decision !== 'Allowed') {
        denied++;
        expect(excluded(rest), rest).to.equal(true);
      }
    }
    expect(denied, 'the sample reached the Deny').to.be.greaterThan(0);
  });

  it('has no Deny without a pattern IAM can say', () => {
    for (const exclude of [undefined, [], ['*.crc', 'a?b']]) {
      expect(renderDocuments({ ...values, exclude })['sourceBucketPolicy.json.tmp'].Statement.map((s) => s.Sid), JSON.stringify(exclude)).not.to.include(SOURCE_DENY_POLICY_SID);
    }
  });

  it('refuses a bad pattern by name before rendering', () => {
    expect(() => renderDocuments({ ...values, exclude: ['ok/**', 'x"},{"Effect":"Allow'] })).to.throw(PolicyValueError, /exclude has the pattern "x\\"}": the character "\\"" is not allowed/);
  });

  it('the merge replaces our Deny, removes it when no longer rendered, and keeps another\'s', () => {
    const own = (doc: typeof bucketPolicy) => stackStatements({ stack: STACK, sourceBucket: SOURCE_BUCKET, prefixFormat: values.prefixFormat, destinationRoleArn: DESTINATION_ROLE_ARN }, doc.Statement);
    const withDeny = mergeStatements(undefined, own(bucketPolicy)).policy;
    const without = renderDocuments({ ...values, exclude: [] })['sourceBucketPolicy.json.tmp'];
    const merged = mergeStatements(withDeny, own(without));
    expect(merged.changed).to.equal(true);
    expect([merged.policy?.Statement ?? []].flat().map((s) => s.Sid)).not.to.include(SOURCE_DENY_POLICY_SID);
    expect(mergeStatements(withDeny, own(bucketPolicy)).changed).to.equal(false);
    // A Deny of that Sid for someone else is not ours: lifting it is refused.
    const foreign = { Version: '2012-10-17', Statement: [{ Sid: SOURCE_DENY_POLICY_SID, Effect: 'Deny' as const, Principal: { AWS: 'arn:aws:iam::111122223333:role/other' }, Action: 's3:*', Resource: `arn:aws:s3:::${SOURCE_BUCKET}/*` }] };
    expect(() => mergeStatements(foreign, own(without))).to.throw(SourcePolicyConflictError, new RegExp(SOURCE_DENY_POLICY_SID));
  });
});
