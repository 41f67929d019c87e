import { expect } from 'chai';
import { parseDeployConfig } from '../../../../../deploy/config/config.ts';
import { describePlan, renderNextSteps, renderStackResult, type NextStepsFacts, type SourcePolicyState } from '../../../../../deploy/commands/deploy/nextSteps.ts';
import type { SourcePolicyPlan } from '../../../../../deploy/aws/sourcePolicy.ts';
import { deployEnv, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET, STACK } from '../../../../helpers/fixtures.ts';
import { sourcePolicySids } from '../../../../../rules/sourcePolicySids.ts';

const BOTH = `${sourcePolicySids(STACK).Read} and ${sourcePolicySids(STACK).List}`;

const config = (overrides: Record<string, string> = {}) => parseDeployConfig({ ...deployEnv(), ...overrides });
const files = {
  'sourceBucketPolicy.json.tmp': 'out/sourceBucketPolicy.json.tmp',
  'trustRelationshipExample.json.tmp': 'out/trustRelationshipExample.json.tmp',
  'roleDefinitionDestinationExample.json.tmp': 'out/roleDefinitionDestinationExample.json.tmp',
  'sourceKeyPolicyStatement.json.tmp': 'out/sourceKeyPolicyStatement.json.tmp',
};
const facts = (sourcePolicy: SourcePolicyState, more: Partial<NextStepsFacts> = {}): NextStepsFacts => ({ sourcePolicy, sourceEvents: 'not-requested', files, ...more });
/** Step 1 of the rendered steps: from its number to step 2's. */
const step1 = (lines: string[]) => lines.slice(lines.findIndex((l) => l.startsWith('  1. ')), lines.findIndex((l) => l.startsWith('  2. ')));
const PUT = `aws s3api put-bucket-policy --bucket ${SOURCE_BUCKET} --policy file://out/sourceBucketPolicy.json.tmp`;

describe('deploy/commands/deploy/nextSteps', () => {
  describe('renderNextSteps: the source bucket policy as the deploy found it', () => {
    it('already in place (a rerun after the policy was applied): nothing to do, no put-bucket-policy', () => {
      const lines = step1(renderNextSteps(config(), facts('in-place')));
      expect(lines).to.deep.equal([`  1. the source bucket policy of ${SOURCE_BUCKET} already holds the ${BOTH} statements as rendered: nothing to do there.`]);
    });

    it('merged just now by --apply-source-policy', () => {
      expect(step1(renderNextSteps(config(), facts('applied')))).to.deep.equal([`  1. the source bucket policy is in place: --apply-source-policy merged the ${BOTH} statements into it.`]);
    });

    it('no policy yet: put-bucket-policy with the rendered file is safe', () => {
      const lines = step1(renderNextSteps(config(), facts('no-policy')));
      expect(lines[0]).to.equal(`  1. in this account (${SOURCE_ACCOUNT}), let the destination role read the source bucket. ${SOURCE_BUCKET} has no bucket policy yet:`);
      expect(lines[1]).to.equal(`       ${PUT}`);
    });

    it('a policy of its own without our statements: --apply-source-policy, never put-bucket-policy over it', () => {
      const text = step1(renderNextSteps(config(), facts('other-policy'))).join('\n');
      expect(text).to.include('put-bucket-policy would replace it: rerun with --apply-source-policy, which merges them by their Sids');
      expect(text).to.not.include('aws s3api put-bucket-policy');
    });

    it('unreadable: both ways, as a first deploy says them', () => {
      const text = step1(renderNextSteps(config(), facts('unknown'))).join('\n');
      expect(text).to.include(`If ${SOURCE_BUCKET} has no bucket policy yet:`).and.include(PUT).and.include('if it has one, put-bucket-policy would replace it: rerun with --apply-source-policy');
    });

    it('a source KMS key: the key policy merge stays in step 1 whatever the bucket policy', () => {
      const key = `arn:aws:kms:us-east-1:${SOURCE_ACCOUNT}:key/5678abcd-12ab-34cd-56ef-1234567890ab`;
      for (const state of ['in-place', 'no-policy', 'applied'] as const) {
        const text = step1(renderNextSteps(config({ S3_REPLICATE_SOURCE_KMS_KEY_ARN: key }), facts(state))).join('\n');
        expect(text, state).to.include(`aws kms put-key-policy --key-id ${key} --policy-name default --policy file://key-policy-merged.json`).and.include('out/sourceKeyPolicyStatement.json.tmp');
      }
    });
  });

  describe('renderNextSteps: the other steps', () => {
    it('names the destination role and the rendered files, never the external id', () => {
      const lines = renderNextSteps(config(), facts('no-policy'));
      expect(lines[0]).to.equal('next steps:');
      const text = lines.join('\n');
      expect(text).to.include('aws iam put-role-policy --role-name s3-push-writer --policy-name s3-push --policy-document file://out/roleDefinitionDestinationExample.json.tmp');
      expect(text).to.include('--policy-document file://out/trustRelationshipExample.json.tmp');
      expect(text).to.include('  3. try a day without copying: npm run invoke -- --dates <YYYY-MM-DD> --dry-run');
      expect(text).to.not.include(EXTERNAL_ID);
    });

    it('push on write: off, waiting for --enable-source-events, or on', () => {
      const step4 = (lines: string[]) => lines.filter((l) => l.startsWith('  4. '))[0];
      expect(step4(renderNextSteps(config(), facts('in-place')))).to.match(/^ {2}4\. push on write is off/);
      const on = config({ S3_REPLICATE_PUSH_ON_WRITE: 'true' });
      expect(step4(renderNextSteps(on, facts('in-place')))).to.match(/must send its events to EventBridge/);
      expect(step4(renderNextSteps(on, facts('in-place', { sourceEvents: 'enabled' })))).to.match(/are copied as they land/);
      expect(step4(renderNextSteps(on, facts('in-place', { sourceEvents: 'unchanged' })))).to.match(/are copied as they land/);
    });

    it('the alarms: nobody subscribed, an email to confirm, a topic of one\'s own (and both)', () => {
      const last = (overrides: Record<string, string>) => renderNextSteps(config(overrides), facts('in-place')).slice(5 - 1).filter((l) => /^ {2}[67]\. /.test(l));
      expect(last({})).to.have.length(1);
      expect(last({})[0]).to.match(/^ {2}6\. the alarms notify the stack's topic .*nobody is subscribed/);
      expect(last({ S3_REPLICATE_ALARM_EMAIL: 'ops@example.com' })[0]).to.match(/^ {2}6\. AWS sends a confirmation mail to ops@example\.com/);
      const topic = 'arn:aws:sns:us-east-1:123456789012:ops';
      const both = last({ S3_REPLICATE_ALARM_TOPIC_ARN: topic, S3_REPLICATE_ALARM_EMAIL: 'ops@example.com' });
      expect(both.map((l) => l.slice(0, 6))).to.deep.equal(['  6. t', '  7. A']);
      expect(both[0]).to.include(topic);
    });
  });

  describe('renderStackResult', () => {
    it('the outcome and the outputs aligned, sorted', () => {
      expect(renderStackResult('s', 'updated', { LongerName: 'b', Fn: 'a' })).to.deep.equal(['stack s: updated', 'outputs:', '  Fn          a', '  LongerName  b']);
      expect(renderStackResult('s', 'no-changes', {})).to.deep.equal(['stack s: no changes', 'outputs: (the stack reports none)']);
    });
  });

  describe('describePlan: what a merge does to the source bucket policy', () => {
    const sids = sourcePolicySids(STACK);
    const plan = (more: Partial<SourcePolicyPlan>): SourcePolicyPlan => ({ policy: undefined, changed: true, written: [sids.Read, sids.List], removed: [], keptLegacy: [], foreign: [], bytes: 1234, ...more });

    it('names the stack\'s Sids and the size against S3\'s limit', () => {
      expect(describePlan(plan({}), 'takes', ' (merged after the stack)')).to.deep.equal([`  its bucket policy takes this stack's ${sids.Read}, ${sids.List} statements (merged after the stack): 1234 of S3's 20480 bytes`]);
    });

    it('says which old statements it takes over, which of its own it takes out, and warns of the old ones it keeps', () => {
      const lines = describePlan(plan({
        removed: [{ Sid: 'S3PushReadAccess', Effect: 'Allow', Action: 's3:GetObject' }, { Sid: sids.Deny, Effect: 'Deny', Action: 's3:GetObject' }],
        keptLegacy: [{ sid: 'S3PushListAccess', why: 'it grants what this stack does not (Principal "*")' }],
      }), 'took', '');
      expect(lines.slice(1)).to.deep.equal([
        '    replaces S3PushReadAccess (this stack\'s, written by an earlier release) in the same write: no gap in access',
        `    takes out ${sids.Deny} (this stack's, no longer rendered)`,
        '    WARNING: keeps S3PushListAccess: it grants what this stack does not (Principal "*"); it is another stack\'s or was edited by hand, so remove it yourself once no one needs it',
      ]);
    });
  });

  describe('renderNextSteps: exact days', () => {
    it('warns loudly, between the IAM steps and the first run, that the partner\'s own files under a day are deleted', () => {
      const lines = renderNextSteps(config({ S3_REPLICATE_EXACT_DAYS: 'true', S3_REPLICATE_DEST_PREFIX: 'from-acme/' }), facts('in-place'));
      const at = lines.findIndex((l) => l.includes('EXACT DAYS ARE ON'));
      expect(at).to.be.greaterThan(lines.findIndex((l) => l.startsWith('  2. ')));
      expect(at).to.be.lessThan(lines.findIndex((l) => l.startsWith('  3. ')));
      const text = lines.join('\n');
      expect(text).to.include('/from-acme/<day prefix>').and.include('DELETED').and.include('files the partner writes there itself').and.include('--dry-run');
    });
    it('asks for a destination prefix of s3-push\'s own when there is none', () => {
      expect(renderNextSteps(config({ S3_REPLICATE_EXACT_DAYS: 'true' }), facts('in-place')).join('\n')).to.include('S3_REPLICATE_DEST_PREFIX is empty: set one');
    });
    it('says nothing of deletes without exact days', () => {
      expect(renderNextSteps(config(), facts('in-place')).join('\n')).to.not.include('DELETED');
    });
  });
});
