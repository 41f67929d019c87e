import { expect } from 'chai';
import { scheduleProblem } from '../../../../deploy/config/schedule.ts';

describe('deploy/config/schedule scheduleProblem', () => {
  const valid = [
    'cron(0 6 * * ? *)',
    'cron(15 10 ? * 6L 2030-2035)',
    'cron(0/15 * * * ? *)',
    'cron(0 8 1 * ? *)',
    'cron(0 18 ? * MON-FRI *)',
    'cron(0 9 L * ? *)',
    'cron(0 9 15W * ? *)',
    'cron(0 9 ? * 2#1 *)',
    'cron(5,35 14 * JAN,JUL ? *)',
    'rate(1 minute)',
    'rate(5 minutes)',
    'rate(1 hour)',
    'rate(12 hours)',
    'rate(1 day)',
    'rate(7 days)',
  ];
  for (const expression of valid) {
    it(`accepts ${expression}`, () => expect(scheduleProblem(expression)).to.equal(undefined));
  }
  const invalid: [string, string][] = [
    ['daily', 'expected rate(...) or cron(...)'],
    ['cron(0 6 * * *)', 'cron takes 6 fields'],
    ['cron(0 6 * * * *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(0 6 ? * ? *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(60 6 * * ? *)', 'minutes "60" is out of range'],
    ['cron(0 24 * * ? *)', 'hours "24" is out of range'],
    ['cron(0 6 32 * ? *)', 'day-of-month "32" is out of range'],
    ['cron(0 6 * 13 ? *)', 'month "13" is out of range'],
    ['cron(0 6 ? * 8 *)', 'day-of-week "8" is out of range'],
    ['cron(0 6 * * ? 1969)', 'year "1969" is out of range'],
    ['cron(? 6 * * ? *)', 'minutes cannot be "?"'],
    ['cron(0 6 * FOO ? *)', 'month "FOO"'],
    ['cron(0/0 6 * * ? *)', 'has the step 0'],
    ['rate(0 minutes)', 'at least 1'],
    ['rate(1 days)', 'singular for 1: rate(1 day)'],
    ['rate(2 hour)', 'plural above 1: rate(2 hours)'],
    ['rate(5 weeks)', 'expected rate(<n> minute(s)|hour(s)|day(s))'],
    ['rate(-5 minutes)', 'expected rate('],
  ];
  for (const [expression, fragment] of invalid) {
    it(`rejects ${expression}`, () => expect(scheduleProblem(expression)).to.include(fragment));
  }

  /** A cron expression with one field replaced (the others a valid daily schedule). */
  const cron = (index: number, field: string): string => {
    const fields = ['0', '6', '*', '*', '?', '*'];
    if (index === 4) fields[2] = '?';
    fields[index] = field;
    if (index === 2 && field === '?') fields[4] = 'MON';
    return `cron(${fields.join(' ')})`;
  };

  it('accepts each cron field at both ends of its range, and refuses one past either end', () => {
    const bounds: [number, string, number, number][] = [[0, 'minutes', 0, 59], [1, 'hours', 0, 23], [2, 'day-of-month', 1, 31], [3, 'month', 1, 12], [4, 'day-of-week', 1, 7], [5, 'year', 1970, 2199]];
    for (const [i, name, min, max] of bounds) {
      expect(scheduleProblem(cron(i, String(min))), `${name} ${min}`).to.equal(undefined);
      expect(scheduleProblem(cron(i, String(max))), `${name} ${max}`).to.equal(undefined);
      expect(scheduleProblem(cron(i, `${min}-${max}`)), `${name} ${min}-${max}`).to.equal(undefined);
      expect(scheduleProblem(cron(i, String(max + 1))), `${name} ${max + 1}`).to.match(new RegExp(`^${name} "${max + 1}" is out of range \\(${min}-${max}`));
      if (min > 0) expect(scheduleProblem(cron(i, String(min - 1))), `${name} ${min - 1}`).to.match(new RegExp(`^${name} "${min - 1}" is out of range`));
      expect(scheduleProblem(cron(i, `${min}-${max + 1}`)), `${name} ${min}-${max + 1}`).to.match(/is out of range/);
    }
  });

  it('takes month and weekday names in their own field only, in any case', () => {
    for (const m of ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC', 'jan', 'Dec', 'JAN-DEC']) expect(scheduleProblem(cron(3, m)), m).to.equal(undefined);
    for (const d of ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'sun', 'MON-FRI', 'SAT,SUN']) expect(scheduleProblem(cron(4, d)), d).to.equal(undefined);
    expect(scheduleProblem(cron(3, 'MON'))).to.equal('month "MON" is out of range (1-12 or JAN-DEC)');
    expect(scheduleProblem(cron(4, 'JAN'))).to.equal('day-of-week "JAN" is out of range (1-7 or SUN-SAT)');
    expect(scheduleProblem(cron(1, 'JAN'))).to.equal('hours "JAN" is out of range (0-23)');
    expect(scheduleProblem(cron(4, 'FOO-FRI'))).to.match(/^day-of-week "FOO-FRI" is out of range/);
    expect(scheduleProblem(cron(4, 'MON-FOO'))).to.match(/^day-of-week "MON-FOO" is out of range/);
  });

  it('allows steps from 1 to the field maximum, on * or a start value', () => {
    for (const f of ['*/1', '*/59', '0/30', '5-50/5']) expect(scheduleProblem(cron(0, f)), f).to.equal(undefined);
    expect(scheduleProblem(cron(0, '*/60'))).to.equal('minutes "*/60" has the step 60');
    expect(scheduleProblem(cron(1, '*/24'))).to.equal('hours "*/24" has the step 24');
    expect(scheduleProblem(cron(0, '*/'))).to.equal('minutes "*/" is not a value, a range, a list, or */n');
  });

  it('checks every item of a list, and the shape of each item', () => {
    expect(scheduleProblem(cron(0, '0,15,30,45'))).to.equal(undefined);
    expect(scheduleProblem(cron(0, '0,60'))).to.match(/^minutes "0,60" is out of range/);
    for (const f of ['1-2-3', '5x', '', '1,,2', '-5', '**']) expect(scheduleProblem(cron(0, f)), f).to.match(/is not a value, a range, a list, or \*\/n|out of range|cron takes 6 fields/);
  });

  it('knows the special day forms: L, LW, nW in day-of-month; L, nL, n#k in day-of-week', () => {
    for (const f of ['L', 'LW', '1W', '15W', '31W']) expect(scheduleProblem(cron(2, f)), f).to.equal(undefined);
    for (const f of ['0W', '32W', 'W', 'L5', '5L']) expect(scheduleProblem(cron(2, f)), f).to.not.equal(undefined);
    for (const f of ['L', '6L', 'FRIL', '2#1', 'MON#5', '7#5']) expect(scheduleProblem(cron(4, f)), f).to.equal(undefined);
    for (const f of ['8L', '2#6', '2#0', '0#1', 'LW', '5W']) expect(scheduleProblem(cron(4, f)), f).to.not.equal(undefined);
  });

  it('allows "?" only in day-of-month or day-of-week', () => {
    expect(scheduleProblem(cron(2, '?'))).to.equal(undefined);
    for (const [i, name] of [[1, 'hours'], [3, 'month'], [5, 'year']] as const) expect(scheduleProblem(cron(i, '?'))).to.equal(`${name} cannot be "?"`);
  });

  it('reads the whole expression only: nothing before rate( or cron(, nothing after the closing parenthesis', () => {
    for (const e of ['xrate(1 day)', 'rate(1 day) ', 'rate(1 day)x', ' cron(0 6 * * ? *)', 'cron(0 6 * * ? *)x', 'rate(1 dayz)', 'rate(x1 day)', 'rate(1  day)']) {
      expect(scheduleProblem(e), e).to.not.equal(undefined);
    }
    expect(scheduleProblem('cron( 0  6 * * ? * )')).to.equal(undefined);
    expect(scheduleProblem('rate(1 dayz)')).to.equal('expected rate(<n> minute(s)|hour(s)|day(s)), e.g. rate(1 day) or rate(12 hours)');
    expect(scheduleProblem('cron(0 6 * * ? * *)')).to.equal('cron takes 6 fields (minutes hours day-of-month month day-of-week year), got 7');
  });

  it('refuses a rate too large to be a whole number', () => {
    expect(scheduleProblem('rate(99999999999999999999 minutes)')).to.equal('the rate must be a whole number of at least 1');
    expect(scheduleProblem('rate(10 days)')).to.equal(undefined);
  });
});
