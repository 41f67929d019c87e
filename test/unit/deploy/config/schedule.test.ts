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
});
