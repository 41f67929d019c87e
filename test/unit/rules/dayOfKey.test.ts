import { expect } from 'chai';
import fc from 'fast-check';
import { dayOfKey, prefixFormatProblems, renderPrefix } from '../../../rules/prefix.ts';
import { addDays, parseIsoDate, type IsoDate } from '../../../rules/dates.ts';

const d = (s: string): IsoDate => parseIsoDate(s)!;

// Every shape of PREFIX_FORMAT the handler accepts: fixed text anywhere, the three tokens in any
// order, repeated or adjacent, with characters that mean something in a regular expression.
const FORMATS = [
  '{YYYY}/{MM}/{DD}/',
  'logs/year={YYYY}/month={MM}/day={DD}/',
  'exports/daily/{YYYY}-{MM}-{DD}/',
  'events/{YYYY}{MM}{DD}-',
  '{YYYY}/{YYYY}-{MM}-{DD}/',
  '{DD}.{MM}.{YYYY}/',
  'a.b+c(d)[e]^$|?*\\/{YYYY}/{MM}/{DD}',
];

describe('rules/prefix dayOfKey (key to date)', () => {
  for (const format of FORMATS) {
    it(`finds the day of a key under ${JSON.stringify(format)}`, () => {
      expect(prefixFormatProblems(format)).to.deep.equal([]);
      for (const date of ['2024-02-29', '0001-01-01', '9999-12-31', '2023-10-05'].map(d)) {
        const prefix = renderPrefix(format, date);
        expect(dayOfKey(format, `${prefix}part-0001.csv`)).to.deep.equal({ kind: 'day', date, prefix });
        // The day's prefix itself (a folder marker) lies under it too, as the daily listing sees it.
        expect(dayOfKey(format, prefix)).to.deep.equal({ kind: 'day', date, prefix });
      }
    });
  }

  it('is the inverse of renderPrefix for generated formats, dates and rests', () => {
    const fixed = fc.stringMatching(/^[A-Za-z0-9/_.=-]{0,6}$/);
    const token = fc.constantFrom('{YYYY}', '{MM}', '{DD}');
    const format = fc.tuple(fc.array(fc.tuple(fixed, token), { minLength: 0, maxLength: 3 }), fc.shuffledSubarray(['{YYYY}', '{MM}', '{DD}'], { minLength: 3, maxLength: 3 }), fixed)
      .map(([extra, all, tail]) => `${extra.map(([f, t]) => f + t).join('')}${all.map((t, i) => (i === 0 ? t : `/${t}`)).join('')}${tail}`)
      .filter((f) => prefixFormatProblems(f).length === 0);
    const date = fc.integer({ min: 0, max: 3_000_000 }).map((n) => addDays(d('0001-01-01'), n));
    fc.assert(fc.property(format, date, fc.string({ unit: 'grapheme', maxLength: 20 }), (f, day, rest) => {
      const prefix = renderPrefix(f, day);
      const found = dayOfKey(f, prefix + rest);
      // A repeated {YYYY} whose rest re-reads as another date cannot happen: the match is anchored at the start.
      expect(found).to.deep.equal({ kind: 'day', date: day, prefix });
    }), { numRuns: 300 });
  });

  it('says "no calendar date" for the format\'s shape around digits that are no day', () => {
    for (const key of ['2023/02/29/a', '2024/13/01/a', '2024/00/10/a', '2024/04/31/a', '0000/01/01/a']) {
      expect(dayOfKey('{YYYY}/{MM}/{DD}/', key), key).to.deep.equal({ kind: 'noCalendarDate' });
    }
    // A repeated token that disagrees with itself names no one day.
    expect(dayOfKey('{YYYY}/{YYYY}-{MM}-{DD}/', '2024/2025-01-01/a')).to.deep.equal({ kind: 'noCalendarDate' });
  });

  it('says "outside the pattern" for any other key', () => {
    const cases: [string, string][] = [
      ['{YYYY}/{MM}/{DD}/', 'other/2024/01/01/a'],
      ['{YYYY}/{MM}/{DD}/', '2024/1/01/a'],
      ['{YYYY}/{MM}/{DD}/', '2024/01/01'],
      ['{YYYY}/{MM}/{DD}/', '2024-01-01/a'],
      ['{YYYY}/{MM}/{DD}/', '２０２４/01/01/a'],
      ['exports/daily/{YYYY}-{MM}-{DD}/', 'exports/daily/2024/01/01/a'],
      ['exports/daily/{YYYY}-{MM}-{DD}/', 'Exports/daily/2024-01-01/a'],
      // "." and "+" in the format are themselves, not "any character" or "one or more".
      ['a.b+c/{YYYY}/{MM}/{DD}/', 'axbbc/2024/01/01/a'],
      ['events/{YYYY}{MM}{DD}-', 'events/2024010-1'],
      ['{YYYY}/{MM}/{DD}/', ''],
    ];
    for (const [format, key] of cases) expect(dayOfKey(format, key), `${format} ${key}`).to.deep.equal({ kind: 'outsidePattern' });
  });
});
