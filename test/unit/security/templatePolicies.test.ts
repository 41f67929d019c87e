import { expect } from 'chai';
import { loadTemplate } from '../../../deploy/cloudformation/template.ts';
import { fakePhysicalIds, resolvedResources } from '../../helpers/stackPolicies.ts';
import { lintPolicy, type PolicyKind } from '../../helpers/policyLint.ts';
import type { PolicyDocument } from '../../helpers/iamSimulator.ts';
import { EXTERNAL_ID } from '../../helpers/fixtures.ts';

// Walks every IAM policy in the template — wherever it sits — resolved with several parameter
// sets, through the least-privilege lint. Resource "*" is allowed only for wildcard-only actions,
// and the template needs none: every statement names its resource.
const PARAMETER_SETS: Record<string, Record<string, string>> = {
  defaults: {},
  'external id, KMS key, key prefix': {
    ExternalId: EXTERNAL_ID,
    KmsKeyArn: 'arn:aws:kms:us-east-1:210987654321:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    SourceKeyPrefix: 'exports/daily/',
    PrefixFormat: 'exports/daily/{YYYY}-{MM}-{DD}/',
  },
  'push on write': { PushOnWrite: 'true', SourceKeyPrefix: 'exports/', PrefixFormat: 'exports/{YYYY}/{MM}/{DD}/' },
};

interface FoundPolicy {
  where: string;
  kind: PolicyKind;
  doc: PolicyDocument;
}

/** Every policy document in the resolved resources, by where it is and what kind it is. */
function policiesIn(resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>): FoundPolicy[] {
  const found: FoundPolicy[] = [];
  const walk = (value: unknown, path: string, type: string) => {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, type));
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k === 'AssumeRolePolicyDocument') found.push({ where: `${path}.${k}`, kind: 'trust', doc: v as PolicyDocument });
        else if (k === 'PolicyDocument') found.push({ where: `${path}.${k}`, kind: type === 'AWS::IAM::Role' || type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy' ? 'identity' : 'resource', doc: v as PolicyDocument });
        else walk(v, `${path}.${k}`, type);
      }
    }
  };
  for (const [name, r] of Object.entries(resources)) walk(r.Properties, name, r.Type);
  return found;
}

describe('security: every IAM policy in the template', () => {
  for (const [label, parameters] of Object.entries(PARAMETER_SETS)) {
    describe(`resolved with ${label}`, () => {
      const resources = resolvedResources(parameters);
      const policies = policiesIn(resources);

      it('finds the execution role trust policy and its permissions (the walk is not empty)', () => {
        expect(policies.map((p) => `${p.kind} ${p.where}`)).to.include.members([
          'trust ExecutionRole.AssumeRolePolicyDocument',
          'identity ExecutionRole.Policies[0].PolicyDocument',
        ]);
      });

      it('passes the least-privilege lint: exact actions, exact resources, exact principals, no deny', async () => {
        const problems = (await Promise.all(policies.map((p) => lintPolicy(p.where, p.doc, p.kind)))).flat();
        expect(problems).to.deep.equal([]);
      });

      it('lets a Lambda permission be used only by its own schedule rule', () => {
        const permissions = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Permission');
        expect(permissions).to.have.length.greaterThan(0);
        for (const [name, p] of permissions) {
          expect(p.Properties?.Principal, name).to.equal('events.amazonaws.com');
          expect(p.Properties?.SourceArn, name).to.equal(fakePhysicalIds(loadTemplate().template)['ScheduleRule.Arn']);
        }
      });

      it('never puts the external id into a policy (it travels only to the function environment)', () => {
        expect(JSON.stringify(policies)).to.not.include(EXTERNAL_ID);
      });
    });
  }
});
