import { expect } from 'chai';
import fc from 'fast-check';
import { destinationKeyProblem, longKeyWarning } from '../../../rules/keyLength.ts';
import { MAX_KEY_BYTES } from '../../../rules/prefix.ts';

describe('rules/keyLength', () => {
  it('S3\'s limit: 1,024 bytes of UTF-8 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html)', () => {
    expect(MAX_KEY_BYTES).to.equal(1024);
  });

  it('a destination key fits up to 1,024 bytes of UTF-8, counted in bytes, not characters', () => {
    expect(destinationKeyProblem('a'.repeat(1024))).to.equal(undefined);
    expect(destinationKeyProblem('a'.repeat(1025))).to.equal('its destination key would be 1025 bytes of UTF-8, over S3\'s limit of 1024 (S3 refuses such a copy with KeyTooLongError on every run)');
    // 512 characters of 2 bytes fit; one more byte does not. 4-byte characters are 2 UTF-16 units.
    expect(destinationKeyProblem('é'.repeat(512))).to.equal(undefined);
    expect(destinationKeyProblem(`${'é'.repeat(512)}x`)).to.match(/ 1025 bytes /);
    expect(destinationKeyProblem('€'.repeat(341))).to.equal(undefined);
    expect(destinationKeyProblem('€'.repeat(342))).to.match(/ 1026 bytes /);
    expect(destinationKeyProblem('😀'.repeat(256))).to.equal(undefined);
    expect(destinationKeyProblem(`${'😀'.repeat(256)}x`)).to.match(/ 1025 bytes /);
  });

  it('agrees with Buffer.byteLength for any key (the shortcut for short keys included)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 1200 }), (key) => {
      expect(destinationKeyProblem(key) === undefined).to.equal(Buffer.byteLength(key) <= MAX_KEY_BYTES);
    }), { numRuns: 2000 });
  });

  it('deploy\'s warning names what makes destination keys longer, and the longest source key that still fits; none when they are not longer', () => {
    const prefixFormat = '{YYYY}/{MM}/{DD}/';
    expect(longKeyWarning({ prefixFormat, destinationPrefix: '' })).to.equal(undefined);
    expect(longKeyWarning({ prefixFormat, destinationPrefix: 'é/' })).to.equal('WARNING: S3_REPLICATE_DEST_PREFIX is 3 bytes: a source key of more than 1021 bytes (UTF-8) would make a destination key over S3\'s 1024-byte limit; such objects are not copied: each run reports them as tooLong (the day\'s summary, the ObjectsTooLong metric, the day marker\'s leftOut)');
    // A destination day layout: only what it adds to the source's day prefix counts.
    expect(longKeyWarning({ prefixFormat, destinationPrefix: '', destinationPrefixFormat: 'acme/dt={YYYY}-{MM}-{DD}/' })).to.match(/^WARNING: S3_REPLICATE_DEST_PREFIX_FORMAT makes each destination key 8 bytes longer than its source key: a source key of more than 1016 bytes/);
    expect(longKeyWarning({ prefixFormat: 'events/{YYYY}/{MM}/{DD}/', destinationPrefix: '', destinationPrefixFormat: '{YYYY}{MM}{DD}/' })).to.equal(undefined);
  });
});
