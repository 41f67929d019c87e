import { expect } from 'chai';
import { dayPattern, destinationKey, prefixFormatProblems, renderPrefix, staticLead } from '../../../rules/prefix.ts';
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

  it('prepends the destination prefix and keeps the key', () => {
    expect(destinationKey('', '2024/01/01/a b+c%.txt')).to.equal('2024/01/01/a b+c%.txt');
    expect(destinationKey('from-acme/', '2024/01/01/x')).to.equal('from-acme/2024/01/01/x');
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
