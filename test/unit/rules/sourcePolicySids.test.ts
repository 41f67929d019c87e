import { expect } from 'chai';
import fc from 'fast-check';
import { LEGACY_SOURCE_POLICY_SIDS, MAX_SOURCE_SID_CHARS, SOURCE_STATEMENT_KINDS, sourcePolicySid, sourcePolicySids } from '../../../rules/sourcePolicySids.ts';
import { STACK_NAME_PATTERN } from '../../../deploy/config/config.ts';

const stackName = fc.stringMatching(STACK_NAME_PATTERN);
const region = fc.constantFrom('us-east-1', 'eu-west-1', 'us-gov-west-1', 'cn-north-1', 'ap-southeast-4');

describe('rules/sourcePolicySids', () => {
  it('is the stack\'s, the same at every deploy: the letters and digits of its name and 8 hex of its region and name (a change here orphans deployed statements)', () => {
    expect(sourcePolicySids({ stackName: 'replicate-to-partner-landing-zone', region: 'us-east-1' })).to.deep.equal({
      Read: 'S3PushReadreplicatetopartnerlandingzone4ce741ee',
      List: 'S3PushListreplicatetopartnerlandingzone4ce741ee',
      Deny: 'S3PushDenyreplicatetopartnerlandingzone4ce741ee',
    });
  });

  it('keeps 32 letters and digits of the longest stack name CloudFormation accepts', () => {
    const sid = sourcePolicySid({ stackName: `a-${'b'.repeat(126)}`, region: 'us-east-1' }, 'Read');
    expect(sid).to.match(new RegExp(`^S3PushReada${'b'.repeat(31)}[0-9a-f]{8}$`));
    expect(sid).to.have.length(MAX_SOURCE_SID_CHARS);
  });

  it('keeps to IAM\'s Sid rule (ASCII letters and digits) and to 50 characters, for every stack name CloudFormation accepts', () => {
    // "The Sid element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers
    // (0-9)" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html).
    const SID_PATTERN = /^[A-Za-z0-9]+$/;
    expect(MAX_SOURCE_SID_CHARS).to.equal(50);
    fc.assert(fc.property(stackName, region, fc.constantFrom(...SOURCE_STATEMENT_KINDS), (name, r, kind) => {
      const sid = sourcePolicySid({ stackName: name, region: r }, kind);
      return SID_PATTERN.test(sid) && sid.length <= MAX_SOURCE_SID_CHARS && sid.startsWith(`S3Push${kind}`);
    }));
  });

  it('tells apart stacks whose readable parts are the same: hyphens dropped, names cut, the same name in another region', () => {
    const long = 'replicate-to-a-partner-with-a-very-long-bucket-name';
    const pairs: [string, string, string, string][] = [
      ['acme-push', 'us-east-1', 'acmepush', 'us-east-1'],
      [`${long}-one`, 'us-east-1', `${long}-two`, 'us-east-1'],
      ['replicate-to-acme', 'us-east-1', 'replicate-to-acme', 'eu-west-1'],
    ];
    for (const [a, ra, b, rb] of pairs) {
      expect(sourcePolicySid({ stackName: a, region: ra }, 'Read')).to.not.equal(sourcePolicySid({ stackName: b, region: rb }, 'Read'));
    }
    fc.assert(fc.property(stackName, stackName, region, (a, b, r) => a === b || sourcePolicySid({ stackName: a, region: r }, 'List') !== sourcePolicySid({ stackName: b, region: r }, 'List')));
  });

  it('never spells an older release\'s fixed Sid, nor another kind\'s', () => {
    fc.assert(fc.property(stackName, region, (name, r) => {
      const sids = Object.values(sourcePolicySids({ stackName: name, region: r }));
      return new Set(sids).size === 3 && sids.every((s) => !LEGACY_SOURCE_POLICY_SIDS.includes(s));
    }));
  });
});
