import { expect } from 'chai';
import { longKeyWarning } from '../../../rules/keyLength.ts';
import { MAX_KEY_BYTES } from '../../../rules/prefix.ts';

describe('rules/keyLength', () => {
  it('deploy\'s warning names the prefix\'s bytes (UTF-8) and the longest source key that still fits; none without a prefix', () => {
    expect(MAX_KEY_BYTES).to.equal(1024);
    expect(longKeyWarning('')).to.equal(undefined);
    expect(longKeyWarning('é/')).to.equal('WARNING: S3_REPLICATE_DEST_PREFIX is 3 bytes: a source key of more than 1021 bytes (UTF-8) would make a destination key over S3\'s 1024-byte limit; S3 refuses the copy of such an object (KeyTooLongError) on every run');
    expect(longKeyWarning('x', 'DESTINATION_PREFIX')).to.match(/^WARNING: DESTINATION_PREFIX is 1 bytes: a source key of more than 1023 bytes/);
  });
});
