import { expect } from 'chai';
import { parseDeployConfig } from '../../../deploy/config/config.ts';
import { stackParameters } from '../../../deploy/cloudformation/stackParameters.ts';
import { MAX_EVENT_PATTERN_CHARS, objectCreatedPattern } from '../../../deploy/config/eventPattern.ts';
import { eventKeyPrefixForms } from '../../../rules/prefix.ts';
import { deployEnv } from '../../helpers/fixtures.ts';
import { resolvedResources } from '../../helpers/stackPolicies.ts';

// AWS does not document whether EventBridge's detail.object.key is URL-encoded: the push-on-write
// rule must let through a key under the format's lead in every form it may come in.
describe('templates/pushS3Template.yml: the push-on-write rule matches the lead as written and URL-encoded', () => {
  const patternFor = (format: string) => {
    const config = parseDeployConfig({ ...deployEnv(), S3_REPLICATE_PREFIX_FORMAT: format, S3_REPLICATE_PUSH_ON_WRITE: 'true' });
    const parameters = stackParameters(config, { bucket: 'artifacts', key: 'k' });
    const rule = resolvedResources(parameters).ObjectCreatedRule!.Properties as { EventPattern: Record<string, unknown> };
    return { config, parameters, pattern: rule.EventPattern };
  };

  const cases: [string, string[]][] = [
    ['{YYYY}/{MM}/{DD}/', []],
    ['events/{YYYY}/{MM}/{DD}/', ['events/', 'events%2F']],
    ['events/dt={YYYY}-{MM}-{DD}/', ['events/dt=', 'events/dt%3D', 'events%2Fdt%3D']],
    ['dt={YYYY}{MM}{DD}/', ['dt=', 'dt%3D']],
    ['raw_{YYYY}{MM}{DD}/', ['raw_']],
  ];
  for (const [format, prefixes] of cases) {
    it(`${format}: ${prefixes.length === 0 ? 'no key filter (no lead)' : prefixes.join(' | ')}`, () => {
      const { config, pattern } = patternFor(format);
      const key = (pattern.detail as { object?: { key: { prefix: string }[] } }).object?.key.map((k) => k.prefix) ?? [];
      expect(key).to.deep.equal(prefixes);
      // The pattern deploy measures is the one the template renders.
      expect(pattern).to.deep.equal(objectCreatedPattern(config.sourceBucket, config.sourceKeyPrefix));
    });
  }

  it('with exact days the rule also takes Object Deleted events, as deploy measures it', () => {
    const config = parseDeployConfig({ ...deployEnv(), S3_REPLICATE_PREFIX_FORMAT: 'events/{YYYY}/{MM}/{DD}/', S3_REPLICATE_PUSH_ON_WRITE: 'true', S3_REPLICATE_EXACT_DAYS: 'true' });
    const rule = resolvedResources(stackParameters(config, { bucket: 'artifacts', key: 'k' })).ObjectCreatedRule!.Properties as { EventPattern: Record<string, unknown> };
    expect(rule.EventPattern['detail-type']).to.deep.equal(['Object Created', 'Object Deleted']);
    expect(rule.EventPattern).to.deep.equal(objectCreatedPattern(config.sourceBucket, config.sourceKeyPrefix, true));
    expect(patternFor('events/{YYYY}/{MM}/{DD}/').pattern['detail-type']).to.deep.equal(['Object Created']);
  });

  it('each form decodes back to the lead', () => {
    const forms = eventKeyPrefixForms('a/b=c/d=');
    expect(decodeURIComponent(forms.encoded)).to.equal('a/b=c/d=');
    expect(decodeURIComponent(forms.slashEncoded)).to.equal('a/b=c/d=');
    expect(forms).to.deep.equal({ asWritten: 'a/b=c/d=', encoded: 'a/b%3Dc/d%3D', slashEncoded: 'a%2Fb%3Dc%2Fd%3D' });
  });

  it(`refuses, before any AWS call, a lead whose forms make a pattern over EventBridge's ${MAX_EVENT_PATTERN_CHARS} characters`, () => {
    const long = `${'a=/'.repeat(150)}{YYYY}/{MM}/{DD}/`;
    expect(() => parseDeployConfig({ ...deployEnv(), S3_REPLICATE_PREFIX_FORMAT: long, S3_REPLICATE_PUSH_ON_WRITE: 'true' }))
      .to.throw(/S3_REPLICATE_PREFIX_FORMAT is .*event pattern of \d+ characters; EventBridge takes at most 2048/);
    // Without push on write there is no rule, and nothing to refuse.
    expect(() => parseDeployConfig({ ...deployEnv(), S3_REPLICATE_PREFIX_FORMAT: long })).to.not.throw();
    const fits = `${'a=/'.repeat(60)}{YYYY}/{MM}/{DD}/`;
    const { pattern } = patternFor(fits);
    expect(JSON.stringify(pattern).length).to.be.at.most(MAX_EVENT_PATTERN_CHARS);
  });
});
