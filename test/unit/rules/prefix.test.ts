import { expect } from 'chai';
import fc from 'fast-check';
import { dayKeys, dayPattern, dayPatterns, POLICY_YEARS, destinationDayPattern, destinationDayPrefix, destinationKey, destinationPrefixFormatProblems, isDestinationKey, prefixFormatProblems, renderPrefix, sourceKeyOf, staticLead } from '../../../rules/prefix.ts';
import { compareKeys } from '../../../handler/copy/plan.ts';
import { parseIsoDate, type IsoDate } from '../../../rules/dates.ts';

const d = (s: string): IsoDate => parseIsoDate(s)!;

describe('rules/prefix', () => {
  it('renders the default format zero-padded', () => {
    expect(renderPrefix('{YYYY}/{MM}/{DD}/', d('2024-02-09'))).to.equal('2024/02/09/');
  });

  it('renders tokens anywhere, repeated or not', () => {
    expect(renderPrefix('logs/year={YYYY}/month={MM}/day={DD}/', d('2024-12-31'))).to.equal('logs/year=2024/month=12/day=31/');
    expect(renderPrefix('events/{YYYY}{MM}{DD}-', d('0999-01-02'))).to.equal('events/09990102-');
    expect(renderPrefix('{YYYY}/{YYYY}-{MM}-{DD}/', d('2024-03-04'))).to.equal('2024/2024-03-04/');
  });

  it('accepts valid formats and names what is wrong with bad ones', () => {
    expect(prefixFormatProblems('{YYYY}/{MM}/{DD}/')).to.deep.equal([]);
    expect(prefixFormatProblems('{YYYY}/{MM}/{D}/').join()).to.match(/unknown token.*\{D\}/).and.match(/missing \{DD\}/);
    expect(prefixFormatProblems('{YYYY}/{MM}/').join()).to.match(/missing \{DD\}/);
    expect(prefixFormatProblems('{YYYY}/{MM}/{DD}/{')).to.deep.equal(['unbalanced "{" or "}"']);
    expect(prefixFormatProblems('/{YYYY}/{MM}/{DD}/').join()).to.match(/leading slash/);
  });

  it('without a destination format, prepends the destination prefix and keeps the key', () => {
    const layout = (destinationPrefix: string) => ({ prefixFormat: '{YYYY}/{MM}/{DD}/', destinationPrefix });
    expect(destinationKey(layout(''), '2024/01/01/a b+c%.txt')).to.equal('2024/01/01/a b+c%.txt');
    expect(destinationKey(layout('from-acme/'), '2024/01/01/x')).to.equal('from-acme/2024/01/01/x');
    expect(sourceKeyOf(layout('from-acme/'), 'from-acme/2024/01/01/x')).to.equal('2024/01/01/x');
    expect(destinationDayPrefix(layout('from-acme/'), d('2024-01-01'))).to.equal('from-acme/2024/01/01/');
    expect(destinationDayPattern(layout('from-acme/'))).to.equal('from-acme/????/??/??/');
    expect(isDestinationKey(layout('from-acme/'), 'from-acme/anything')).to.equal(true);
    expect(isDestinationKey(layout('from-acme/'), '2024/01/01/x')).to.equal(false);
  });

  it('a destination format moves the day prefix and keeps the rest, nested keys included', () => {
    const layout = { prefixFormat: 'events/{YYYY}/{MM}/{DD}/', destinationPrefix: '', destinationPrefixFormat: 'acme/dt={DD}-{MM}-{YYYY}/' };
    expect(destinationKey(layout, 'events/2024/07/01/a/b/c.parquet')).to.equal('acme/dt=01-07-2024/a/b/c.parquet');
    expect(destinationKey(layout, 'events/2024/07/01/')).to.equal('acme/dt=01-07-2024/');
    expect(sourceKeyOf(layout, 'acme/dt=01-07-2024/a/b/c.parquet')).to.equal('events/2024/07/01/a/b/c.parquet');
    // Under no day on its side: no mapping.
    expect(() => destinationKey(layout, 'events/2024/02/30/x')).to.throw(RangeError, /under no day/);
    expect(() => destinationKey(layout, 'other/x')).to.throw(RangeError);
    expect(sourceKeyOf(layout, 'acme/dt=2024-07-01/x')).to.equal(undefined);
    expect(sourceKeyOf(layout, 'events/2024/07/01/x')).to.equal(undefined);
    expect(isDestinationKey(layout, 'acme/dt=01-07-2024/x')).to.equal(true);
    expect(isDestinationKey(layout, 'acme/x')).to.equal(false);
    expect(destinationDayPattern(layout)).to.equal('acme/dt=??-??-????/');
  });

  it('dayKeys swaps the two prefixes of one day, both ways', () => {
    const keys = dayKeys({ prefixFormat: '{YYYY}/{MM}/{DD}/', destinationPrefix: '', destinationPrefixFormat: 'raw/{YYYY}{MM}{DD}/' }, d('2024-12-31'));
    expect(keys.sourcePrefix).to.equal('2024/12/31/');
    expect(keys.destinationPrefix).to.equal('raw/20241231/');
    expect(keys.toDestination('2024/12/31/x/y')).to.equal('raw/20241231/x/y');
    expect(keys.toSource('raw/20241231/x/y')).to.equal('2024/12/31/x/y');
    expect(keys.toSource('raw/20241230/x')).to.equal(undefined);
    expect(() => keys.toDestination('2024/12/30/x')).to.throw(RangeError, /not under the source prefix "2024\/12\/31\/"/);
  });

  it('maps every key of every day there and back, and keeps the order of a day\'s keys', () => {
    const formats = ['{YYYY}/{MM}/{DD}/', 'dt={DD}-{MM}-{YYYY}/', 'raw/{MM}{DD}{YYYY}_', 'a/{YYYY}/b/{DD}/c/{MM}/'];
    const rest = fc.string({ unit: fc.constantFrom('a', 'z', '/', '-', '=', '.', '0', '9', '\u00e9', '\u{1F600}', '\uFFFD'), maxLength: 8 });
    const date = fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((t) => t.toISOString().slice(0, 10) as IsoDate);
    fc.assert(fc.property(fc.constantFrom(...formats), fc.constantFrom(...formats), fc.constantFrom('', 'p/'), date, rest, rest, (src, dst, lead, day, a, b) => {
      const layout = dst === src ? { prefixFormat: src, destinationPrefix: lead } : { prefixFormat: src, destinationPrefix: '', destinationPrefixFormat: lead + dst };
      const keys = dayKeys(layout, day);
      const ka = keys.sourcePrefix + a;
      const kb = keys.sourcePrefix + b;
      expect(destinationKey(layout, ka)).to.equal(keys.toDestination(ka));
      expect(sourceKeyOf(layout, keys.toDestination(ka))).to.equal(ka);
      expect(keys.toSource(keys.toDestination(ka))).to.equal(ka);
      expect(Math.sign(compareKeys(keys.toDestination(ka), keys.toDestination(kb)))).to.equal(Math.sign(compareKeys(ka, kb)));
    }), { numRuns: 500 });
  });

  it('a destination format has each token exactly once, and the source format\'s rules', () => {
    expect(destinationPrefixFormatProblems('acme/dt={YYYY}-{MM}-{DD}/')).to.deep.equal([]);
    expect(destinationPrefixFormatProblems('{DD}{MM}{YYYY}')).to.deep.equal([]);
    expect(destinationPrefixFormatProblems('{YYYY}/{YYYY}{MM}{DD}/').join()).to.match(/\{YYYY\} more than once/);
    expect(destinationPrefixFormatProblems('{YYYY}/{MM}/').join()).to.match(/missing \{DD\}/);
    expect(destinationPrefixFormatProblems('/{YYYY}/{MM}/{DD}/').join()).to.match(/leading slash/);
  });

  it('staticLead is the fixed text before the first token', () => {
    expect(staticLead('{YYYY}/{MM}/{DD}/')).to.equal('');
    expect(staticLead('logs/app/{YYYY}/{MM}/{DD}/')).to.equal('logs/app/');
    expect(staticLead('dt={YYYY}-{MM}-{DD}/')).to.equal('dt=');
    expect(staticLead('no-token/')).to.equal('no-token/');
  });

  it('dayPattern renders each token as one IAM "?" per digit, the fixed text as it is', () => {
    expect(dayPattern('{YYYY}/{MM}/{DD}/')).to.equal('????/??/??/');
    expect(dayPattern('exports/daily/{YYYY}/{MM}/{DD}/')).to.equal('exports/daily/????/??/??/');
    expect(dayPattern('dt={YYYY}-{MM}-{DD}/')).to.equal('dt=????-??-??/');
    expect(dayPattern('{YYYY}{MM}{DD}')).to.equal('????????');
    expect(dayPattern('{YYYY}/{YYYY}{MM}{DD}/')).to.equal('????/????????/');
  });

  it('dayPattern + "*" matches, under IAM\'s glob rules, every key of every day and nothing shorter than a day', () => {
    // IAM's rule: "?" is exactly one character, "*" any run (none included).
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\/=-]/g, '\\$&').replace(/\?/g, '.').replace(/\*/g, '.*')}$`, 's');
    for (const format of ['{YYYY}/{MM}/{DD}/', 'exports/{YYYY}/{MM}/{DD}/', 'dt={YYYY}-{MM}-{DD}/h', '{DD}-{MM}-{YYYY}/']) {
      const re = glob(`${dayPattern(format)}*`);
      for (const date of ['2024-02-29', '1999-12-31', '2024-01-01'].map((d) => parseIsoDate(d) as IsoDate)) {
        const prefix = renderPrefix(format, date);
        expect(re.test(prefix), `${format} ${prefix}`).to.equal(true);
        expect(re.test(`${prefix}part-0001.json`), format).to.equal(true);
        // One character short of a day's prefix (the fixed lead alone, a month's prefix) is outside.
        expect(re.test(prefix.slice(0, -1)), `${format} ${prefix.slice(0, -1)}`).to.equal(false);
        expect(re.test(staticLead(format)), `${format} lead`).to.equal(false);
      }
      // A key without the fixed text where the format has it is outside.
      expect(re.test('private/secret.csv'), format).to.equal(false);
    }
    // "?" is any character, not a digit: a format with no fixed text admits any key of its length.
    expect(glob(`${dayPattern('{YYYY}{MM}{DD}')}*`).test('private/secret.csv')).to.equal(true);
  });

  it('dayPatterns writes out the year\'s century and the first digit of month and day: eight patterns, sorted', () => {
    expect(dayPatterns('{YYYY}/{MM}/{DD}/')).to.deep.equal(['20??/0?/0?/', '20??/0?/1?/', '20??/0?/2?/', '20??/0?/3?/', '20??/1?/0?/', '20??/1?/1?/', '20??/1?/2?/', '20??/1?/3?/']);
    expect(dayPatterns('dt={DD}-{MM}-{YYYY}/h')).to.have.length(8).and.include('dt=3?-1?-20??/h');
    // A token that comes again adds no pinned digit (and no doubling).
    expect(dayPatterns('{YYYY}/{YYYY}{MM}{DD}/')).to.deep.include('20??/????0?3?/').and.have.length(8);
  });

  it('dayPatterns + "*" match, under IAM\'s glob rules, every day of POLICY_YEARS and nothing shorter; no letters where digits go', () => {
    const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\/=-]/g, '\\$&').replace(/\?/g, '.').replace(/\*/g, '.*')}$`, 's');
    for (const format of ['{YYYY}/{MM}/{DD}/', 'events/{YYYY}/{MM}/{DD}/', 'dt={YYYY}-{MM}-{DD}/h', '{DD}-{MM}-{YYYY}/', '{YYYY}{MM}{DD}']) {
      const res = dayPatterns(format).map((p) => glob(`${p}*`));
      const matches = (key: string) => res.some((re) => re.test(key));
      // Every day of every month of the first and last year, and the first and last day of each year between.
      const days: string[] = [];
      for (let year = POLICY_YEARS.first; year <= POLICY_YEARS.last; year++) {
        for (let month = 1; month <= 12; month++) {
          for (const day of year === POLICY_YEARS.first || year === POLICY_YEARS.last ? Array.from({ length: 31 }, (_, i) => i + 1) : [1, 28, 29, 30, 31]) {
            const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
            if (parseIsoDate(iso) !== undefined) days.push(iso);
          }
        }
      }
      for (const iso of days) {
        const prefix = renderPrefix(format, parseIsoDate(iso) as IsoDate);
        if (!matches(`${prefix}part-0001.json`) || matches(prefix.slice(0, -1))) expect.fail(`${format} ${iso}`);
      }
      for (const iso of ['1999-12-31', '2100-01-01']) expect(matches(renderPrefix(format, parseIsoDate(iso) as IsoDate)), `${format} ${iso}`).to.equal(false);
    }
    const reach = dayPatterns('{YYYY}/{MM}/{DD}/').map((p) => glob(`${p}*`));
    for (const key of ['home/jo/hn/.ssh/id_rsa', 'prod/db/v1/dump.sql', 'logs/us/ny/app.log', '2024/2x/01/a', '2024/01/4x/a']) expect(reach.some((re) => re.test(key)), key).to.equal(false);
  });

  it('names every problem of a format in full', () => {
    expect(prefixFormatProblems('{YYYY}/{MM}/{DD}/{hh}/{}')).to.deep.equal(['unknown token(s) {hh}, {} (known: {YYYY} {MM} {DD})']);
    expect(prefixFormatProblems('{YYYY}/')).to.deep.equal(['missing {MM}, {DD}: each day needs its own prefix']);
    expect(prefixFormatProblems('/{YYYY}/{MM}/{DD}/')).to.deep.equal(['must not start with "/" (S3 keys have no leading slash)']);
    expect(prefixFormatProblems('{YYYY}/{MM}/{DD}/}')).to.deep.equal(['unbalanced "{" or "}"']);
    expect(prefixFormatProblems('x{YYYY}/{MM}/{DD}/y')).to.deep.equal([]);
    expect(prefixFormatProblems('{YYYY}{MM}{DD}')).to.deep.equal([]);
  });

  it('leaves text that is not a known token as it is', () => {
    expect(renderPrefix('{YYYY}/{X}/{MM}/{DD}/', d('2024-03-04'))).to.equal('2024/{X}/03/04/');
  });
});
