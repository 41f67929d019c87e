import { expect } from 'chai';
import fc from 'fast-check';
import { capLogLine, cutToBytes, MAX_LOG_LINE_BYTES, quoteList, quoteValue } from '../../../rules/quote.ts';

describe('rules/quote', () => {
  it('quotes a value whole up to 120 characters, cut after that with its length said', () => {
    expect(quoteValue('a')).to.equal('"a"');
    expect(quoteValue('x'.repeat(120))).to.equal(JSON.stringify('x'.repeat(120)));
    expect(quoteValue('x'.repeat(200_000))).to.equal(`${JSON.stringify('x'.repeat(120))}… (200,000 characters)`);
    expect(quoteValue('abcdef', 3)).to.equal('"abc"… (6 characters)');
    // Never half of a surrogate pair.
    expect(quoteValue('ab😀cd', 3)).to.equal('"ab"… (6 characters)');
    // A pair before the cut is kept whole, and the cut is where it should be.
    expect(quoteValue('😀abcdef', 4)).to.equal('"😀ab"… (8 characters)');
  });

  it('quotes a list of at most 10 values, the rest counted', () => {
    expect(quoteList([])).to.equal('');
    expect(quoteList(['a', 'b'])).to.equal('"a", "b"');
    const many = Array.from({ length: 5000 }, (_, i) => `f${i}`);
    expect(quoteList(many)).to.equal(`${many.slice(0, 10).map((f) => `"${f}"`).join(', ')} and 4,990 more`);
    expect(quoteList(many.slice(0, 10))).to.not.include('more');
    expect(quoteList(['x'.repeat(300)], 10, 5)).to.equal('"xxxxx"… (300 characters)');
  });

  it('cuts text to bytes on a character boundary', () => {
    expect(cutToBytes('abc', 2)).to.equal('ab');
    expect(cutToBytes('é€😀', 4)).to.equal('é');
    expect(cutToBytes('é€😀', 5)).to.equal('é€');
    expect(cutToBytes('short', 100)).to.equal('short');
    // A text that fits is whole, even one that ends in U+FFFD; only a cut's broken end is dropped.
    expect(cutToBytes('abcd\uFFFD', 7)).to.equal('abcd\uFFFD');
    expect(cutToBytes('abcd\uFFFD', 8)).to.equal('abcd\uFFFD');
    expect(cutToBytes('\uFFFDaé', 5)).to.equal('\uFFFDa');
  });

  it('leaves a line that fits as it is; cuts one that does not into a JSON line within the cap, saying what was cut', () => {
    const small = JSON.stringify({ level: 'INFO', message: 'ok' });
    expect(capLogLine(small, { level: 'INFO', message: 'ok' })).to.equal(small);
    const huge = JSON.stringify({ level: 'ERROR', message: `unknown field(s) ${'"'.repeat(300_000)}` });
    const out = capLogLine(huge, { level: 'ERROR', message: `unknown field(s) ${'"'.repeat(300_000)}`, requestId: 'r1' });
    expect(Buffer.byteLength(out)).to.be.at.most(MAX_LOG_LINE_BYTES);
    const parsed = JSON.parse(out) as Record<string, unknown>;
    expect(parsed).to.include({ level: 'ERROR', requestId: 'r1', logLineBytes: Buffer.byteLength(huge) });
    expect(huge.startsWith(parsed.logLineExcerpt as string)).to.equal(true);
    expect(parsed.logLineCut).to.equal(Buffer.byteLength(huge) - Buffer.byteLength(parsed.logLineExcerpt as string));
    expect(Buffer.byteLength(parsed.message as string)).to.be.at.most(1024);
  });

  it('leaves a line of exactly the cap as it is', () => {
    const line = JSON.stringify({ level: 'INFO', message: 'x'.repeat(100) });
    expect(capLogLine(line, { level: 'INFO', message: 'x'.repeat(100) }, Buffer.byteLength(line))).to.equal(line);
  });

  it('excerpts a line of escapes as far as the cap allows, not nothing', () => {
    // A line quoting a line: every `"` of it takes 4 bytes in the excerpt.
    const line = JSON.stringify({ level: 'ERROR', message: JSON.stringify({ q: '"'.repeat(5000) }) });
    const out = capLogLine(line, { level: 'ERROR', message: 'unknown field(s)' }, 4096);
    expect(Buffer.byteLength(out)).to.be.at.most(4096);
    const parsed = JSON.parse(out) as { logLineExcerpt: string };
    expect(line.startsWith(parsed.logLineExcerpt)).to.equal(true);
    expect(parsed.logLineExcerpt.length).to.be.greaterThan(900);
  });

  it('fills the cap exactly with a line that needs no escapes', () => {
    const line = 'x'.repeat(5000);
    const out = capLogLine(line, { level: 'INFO', message: 'long' }, 1000);
    expect(Buffer.byteLength(out)).to.equal(1000);
    expect((JSON.parse(out) as { logLineCut: number }).logLineCut).to.be.within(1000, 9999);
  });

  it('cuts the message when the fields alone do not fit, then keeps only the level', () => {
    const line = 'x'.repeat(5000);
    const message = 'm'.repeat(900);
    const out = JSON.parse(capLogLine(line, { level: 'WARN', message }, 300)) as { level: string; message: string; logLineExcerpt: string; logLineBytes: number };
    expect(out.level).to.equal('WARN');
    expect(message.startsWith(out.message)).to.equal(true);
    expect(out.message.length).to.be.within(1, 299);
    expect(out.logLineExcerpt).to.equal('');
    expect(out.logLineBytes).to.equal(5000);
    expect(capLogLine(line, { level: 'WARN', message, requestId: 'r'.repeat(400) }, 300)).to.equal(JSON.stringify({ level: 'WARN', logLineBytes: 5000 }));
  });

  it('holds the cap for any line (fast-check: escapes, multi-byte characters, control characters)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '"', '\\', '\u0001', 'é', '€', '😀', '\n'), minLength: 0, maxLength: 3000 }), fc.integer({ min: 60, max: 4000 }), (text, cap) => {
        const line = JSON.stringify({ level: 'WARN', message: text, field: text });
        const out = capLogLine(line, { level: 'WARN', message: text.slice(0, 50) }, cap);
        expect(Buffer.byteLength(out)).to.be.at.most(cap);
        expect(() => JSON.parse(out) as unknown).to.not.throw();
        if (out === line) return;
        // The excerpt is the line's longest start that fits: one more character would not.
        const parsed = JSON.parse(out) as { logLineExcerpt?: string; logLineCut?: number };
        if (parsed.logLineExcerpt === undefined || parsed.logLineExcerpt === line) return;
        expect(line.startsWith(parsed.logLineExcerpt)).to.equal(true);
        expect(parsed.logLineCut).to.equal(Buffer.byteLength(line) - Buffer.byteLength(parsed.logLineExcerpt));
        const next = String.fromCodePoint(line.codePointAt(parsed.logLineExcerpt.length)!);
        const longer = JSON.stringify({ ...parsed, logLineCut: Buffer.byteLength(line), logLineExcerpt: parsed.logLineExcerpt + next });
        expect(Buffer.byteLength(longer)).to.be.greaterThan(cap);
      }),
      { numRuns: 300, seed: 22 },
    );
  });
});
