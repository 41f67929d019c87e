import { expect } from 'chai';
import { isRecord, keyWithinLimit, rejecter, show } from '../../../handler/parse.ts';
import { EventValidationError } from '../../../handler/errors.ts';
import { MAX_KEY_BYTES } from '../../../rules/prefix.ts';

describe('handler/parse (what every parser of outside input shares)', () => {
  it('tells a JSON object from null, arrays and scalars', () => {
    expect(isRecord({})).to.equal(true);
    expect(isRecord({ a: 1 })).to.equal(true);
    for (const other of [null, undefined, [], [{}], 'x', 1, true]) expect(isRecord(other), JSON.stringify(other)).to.equal(false);
  });

  it('shows a value as JSON, cut to the length asked with "..." at the end', () => {
    expect(show({ a: 'b' }, 20)).to.equal('{"a":"b"}');
    expect(show(undefined, 20)).to.equal('undefined');
    expect(show('x'.repeat(18), 20)).to.equal(`"${'x'.repeat(18)}"`);
    expect(show('x'.repeat(19), 20)).to.equal(`"${'x'.repeat(16)}...`);
    expect(show('x'.repeat(5000), 120)).to.have.length(120);
  });

  it('throws one EventValidationError per kind of input, naming the kind', () => {
    const bad = rejecter('bad thing');
    expect(() => bad('"x" is 1')).to.throw(EventValidationError, /^bad thing: "x" is 1$/);
  });

  it('takes a key of S3\'s longest (1,024 bytes of UTF-8) and refuses one byte more, counting bytes, not characters', () => {
    const bad = rejecter('bad key');
    expect(MAX_KEY_BYTES).to.equal(1024);
    const longest = 'é'.repeat(512);
    expect(keyWithinLimit(longest, '"key"', bad)).to.equal(longest);
    expect(() => keyWithinLimit(`${longest}a`, '"key"', bad)).to.throw(EventValidationError, '"key" is 1025 bytes: S3 keys have at most 1024');
    expect(() => keyWithinLimit('é'.repeat(513), '"key"', bad)).to.throw(EventValidationError, '1026 bytes');
  });
});
