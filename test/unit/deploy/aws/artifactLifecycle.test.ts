import { expect } from 'chai';
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { LifecycleRule } from '@aws-sdk/client-s3';
import {
  ABORT_RULE_ID,
  artifactLifecycleRules,
  artifactOf,
  EXPIRY_RULE_ID,
  LEGACY_RULE_ID,
  migrateLifecycleRules,
  parseExpiration,
  rulesExpiring,
  SUPERSEDED_TAG,
  whyArtifactIsKept,
} from '../../../../deploy/aws/artifactLifecycle.ts';
import { artifactKey } from '../../../../deploy/aws/artifacts.ts';

// S3's lifecycle rules (https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleRule.html): a
// filter is Prefix, Tag or And (prefix and tags, all of which must match); Expiration Days count from
// the object's creation. The legacy rule of older artifact buckets, as deploy wrote it:
const LEGACY: LifecycleRule = { ID: LEGACY_RULE_ID, Status: 'Enabled', Filter: { Prefix: 's3-push/' }, Expiration: { Days: 90 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } };
const KEY = artifactKey('ab'.repeat(32));
const BUCKET = 's3-push-artifacts-123456789012-us-east-1';

function stack(name: string, key: string, status = 'UPDATE_COMPLETE', bucket = BUCKET): Stack {
  return {
    StackName: name, StackStatus: status as Stack['StackStatus'], CreationTime: new Date(0),
    Parameters: [{ ParameterKey: 'ArtifactBucket', ParameterValue: bucket }, { ParameterKey: 'ArtifactKey', ParameterValue: key }],
  };
}

describe('deploy/aws/artifactLifecycle', () => {
  it('an artifact that is not marked superseded matches no expiring rule of the bucket: the deployed one is never eligible', () => {
    expect(rulesExpiring(artifactLifecycleRules(), KEY, [])).to.deep.equal([]);
    // Nor with other tags.
    expect(rulesExpiring(artifactLifecycleRules(), KEY, [{ Key: 'team', Value: 'data' }])).to.deep.equal([]);
  });

  it('a superseded artifact matches the expiry rule, and only that one; the legacy rule expired every artifact', () => {
    expect(rulesExpiring(artifactLifecycleRules(), KEY, [{ ...SUPERSEDED_TAG }]).map((r) => r.ID)).to.deep.equal([EXPIRY_RULE_ID]);
    expect(rulesExpiring([LEGACY], KEY, []).map((r) => r.ID)).to.deep.equal([LEGACY_RULE_ID]);
    // A key outside s3-push/ is never ours to expire.
    expect(rulesExpiring(artifactLifecycleRules(), 'other/x.zip', [{ ...SUPERSEDED_TAG }])).to.deep.equal([]);
  });

  it('the rules: expiry filtered by prefix and tag; aborting uploads in a rule of its own (a tag filter cannot abort uploads)', () => {
    const [expiry, abort] = artifactLifecycleRules();
    expect(expiry).to.deep.equal({ ID: EXPIRY_RULE_ID, Status: 'Enabled', Filter: { And: { Prefix: 's3-push/', Tags: [{ Key: 's3-push-artifact', Value: 'superseded' }] } }, Expiration: { Days: 90 } });
    expect(abort).to.deep.equal({ ID: ABORT_RULE_ID, Status: 'Enabled', Filter: { Prefix: 's3-push/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } });
    expect(rulesExpiring([abort!], KEY, [])).to.deep.equal([]);
  });

  it('migrates: the legacy rule goes, the others stay, ours are added; up to date is left alone (even as S3 reads it back)', () => {
    const theirs: LifecycleRule = { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 7 } };
    expect(migrateLifecycleRules([theirs, LEGACY])).to.deep.equal([theirs, ...artifactLifecycleRules()]);
    expect(migrateLifecycleRules([])).to.deep.equal(artifactLifecycleRules());
    expect(migrateLifecycleRules([theirs, ...artifactLifecycleRules()])).to.equal(undefined);
    // Read back with its keys in another order and empty lists added, as S3 (and moto) may answer it.
    const readBack = artifactLifecycleRules().map((r) => ({ Transitions: [], ...Object.fromEntries(Object.entries(r).reverse()), NoncurrentVersionTransitions: [] }) as unknown as LifecycleRule);
    expect(migrateLifecycleRules(readBack)).to.equal(undefined);
    // An older copy of our rule (another number of days) is replaced.
    const older = artifactLifecycleRules().map((r) => (r.ID === EXPIRY_RULE_ID ? { ...r, Expiration: { Days: 30 } } : r));
    expect(migrateLifecycleRules(older)).to.deep.equal(artifactLifecycleRules());
  });

  it('reads x-amz-expiration (rule-id URL-encoded), and nothing else', () => {
    expect(parseExpiration('expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="picture%20deletion"')).to.deep.equal({ expiryDate: 'Fri, 23 Dec 2012 00:00:00 GMT', ruleId: 'picture deletion' });
    expect(parseExpiration(undefined)).to.equal(undefined);
    expect(parseExpiration('NotImplemented')).to.equal(undefined);
    expect(parseExpiration('expiry-date="x", rule-id="100%"')).to.deep.equal({ expiryDate: 'x', ruleId: '100%' });
  });

  it('an artifact is kept while a stack of the region runs it, or is mid-operation on that bucket; a failed first create and other buckets do not count', () => {
    const other = artifactKey('cd'.repeat(32));
    expect(whyArtifactIsKept([stack('a', KEY)], BUCKET, KEY)).to.equal('stack a runs it');
    expect(whyArtifactIsKept([stack('a', other)], BUCKET, KEY)).to.equal(undefined);
    expect(whyArtifactIsKept([stack('a', other, 'UPDATE_ROLLBACK_IN_PROGRESS')], BUCKET, KEY)).to.include('may roll back to it');
    expect(whyArtifactIsKept([stack('a', KEY, 'ROLLBACK_COMPLETE')], BUCKET, KEY)).to.equal(undefined);
    expect(whyArtifactIsKept([stack('a', KEY, 'UPDATE_COMPLETE', 'another-bucket')], BUCKET, KEY)).to.equal(undefined);
    expect(whyArtifactIsKept([{ StackName: 'not-ours', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(0) }], BUCKET, KEY)).to.equal(undefined);
    expect(artifactOf(stack('a', KEY))).to.deep.equal({ bucket: BUCKET, key: KEY });
    expect(artifactOf(undefined)).to.equal(undefined);
  });
});
