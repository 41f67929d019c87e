import { expect } from 'chai';
import { cronFires, dayDeadlineHours, DEADLINE_MARGIN_HOURS, longestGapHours, MAX_DEADLINE_HOURS } from '../../../../deploy/config/scheduleGap.ts';
import { parseDeployConfig } from '../../../../deploy/config/config.ts';
import { stackParameters } from '../../../../deploy/cloudformation/stackParameters.ts';
import { deployEnv } from '../../../helpers/fixtures.ts';

const START = new Date('2025-01-01T00:00:00Z');
const day = (iso: string) => Date.parse(`${iso}Z`);
const fires = (expression: string, days: number) => [...cronFires(expression, START, days)].map((t) => new Date(t).toISOString().slice(0, 16));

describe('schedule gap: the deadline alarm follows the schedule', () => {
  describe('fires of a cron expression over a year (UTC, EventBridge syntax)', () => {
    it('a daily schedule fires once a day at its time', () => {
      const all = [...cronFires('cron(0 6 * * ? *)', START, 365)];
      expect(all).to.have.length(365);
      expect(all[0]).to.equal(day('2025-01-01T06:00'));
      expect(all.every((t, i) => i === 0 || t - all[i - 1]! === 86_400_000)).to.equal(true);
    });

    it('MON-FRI skips the weekend (1 = SUN … 7 = SAT)', () => {
      expect(fires('cron(30 6 ? * MON-FRI *)', 7)).to.deep.equal(['2025-01-01T06:30', '2025-01-02T06:30', '2025-01-03T06:30', '2025-01-06T06:30', '2025-01-07T06:30']);
      expect(fires('cron(0 6 ? * 1 *)', 14)).to.deep.equal(['2025-01-05T06:00', '2025-01-12T06:00']);
    });

    it('lists, ranges, steps and a range that wraps past the end of the field', () => {
      expect(fires('cron(0 */8 * * ? *)', 1)).to.deep.equal(['2025-01-01T00:00', '2025-01-01T08:00', '2025-01-01T16:00']);
      expect(fires('cron(15,45 22-1 * * ? *)', 1)).to.deep.equal(['2025-01-01T00:15', '2025-01-01T00:45', '2025-01-01T01:15', '2025-01-01T01:45', '2025-01-01T22:15', '2025-01-01T22:45', '2025-01-01T23:15', '2025-01-01T23:45']);
      expect(fires('cron(0 5/10 * * ? *)', 1)).to.deep.equal(['2025-01-01T05:00', '2025-01-01T15:00']);
      expect(fires('cron(0 6 ? * FRI-MON *)', 7)).to.deep.equal(['2025-01-03T06:00', '2025-01-04T06:00', '2025-01-05T06:00', '2025-01-06T06:00']);
    });

    it('L, LW and W in the day of month; nL and # in the day of week', () => {
      expect(fires('cron(0 0 L * ? *)', 90)).to.deep.equal(['2025-01-31T00:00', '2025-02-28T00:00', '2025-03-31T00:00']);
      // 2025-05-31 is a Saturday: the last weekday is Friday the 30th.
      expect(fires('cron(0 0 LW 5 ? *)', 365)).to.deep.equal(['2025-05-30T00:00']);
      // 2025-02-15 is a Saturday (nearest weekday Friday 14th); 2025-02-01 too, but W never leaves the month: Monday 3rd.
      expect(fires('cron(0 0 15W 2 ? *)', 365)).to.deep.equal(['2025-02-14T00:00']);
      expect(fires('cron(0 0 1W 2 ? *)', 365)).to.deep.equal(['2025-02-03T00:00']);
      expect(fires('cron(0 12 ? 1 6L *)', 365)).to.deep.equal(['2025-01-31T12:00']);
      expect(fires('cron(0 12 ? 9 2#1 *)', 365)).to.deep.equal(['2025-09-01T12:00']);
      expect(fires('cron(0 0 29 2 ? *)', 731)).to.deep.equal([]);
      expect(fires('cron(0 0 29 2 ? *)', 1200)).to.deep.equal(['2028-02-29T00:00']);
    });

    it('the year field and month names', () => {
      expect(fires('cron(0 0 1 JAN,JUL ? 2025)', 731)).to.deep.equal(['2025-01-01T00:00', '2025-07-01T00:00']);
    });
  });

  describe('the longest gap and the deadline', () => {
    const cases: [string, number][] = [
      ['cron(0 6 * * ? *)', 24],
      ['cron(0 6 ? * MON-FRI *)', 72],
      ['cron(0 22 ? * MON-FRI *)', 72],
      ['cron(0 */6 * * ? *)', 6],
      ['cron(0 6,18 * * ? *)', 12],
      ['cron(0 1,23 * * ? *)', 22],
      ['rate(1 day)', 24],
      ['rate(2 days)', 48],
      ['rate(12 hours)', 12],
      ['rate(30 minutes)', 0.5],
    ];
    for (const [expression, gap] of cases) {
      it(`${expression}: ${gap} hours between two runs`, () => {
        expect(longestGapHours(expression, START)).to.equal(gap);
        expect(dayDeadlineHours(expression, START)).to.deep.equal({ hours: Math.ceil(gap) + DEADLINE_MARGIN_HOURS });
      });
    }

    it('a daily schedule keeps the 26 hours of before', () => {
      expect(dayDeadlineHours('cron(0 6 * * ? *)', new Date())).to.deep.equal({ hours: 26 });
    });

    it('refuses a schedule whose gap is beyond CloudWatch\'s 7-day evaluation range, saying how often it must run', () => {
      for (const expression of ['cron(0 6 ? * MON *)', 'cron(0 6 1 * ? *)', 'cron(0 6 ? * 2#1 *)', 'rate(7 days)']) {
        const result = dayDeadlineHours(expression, START);
        expect(result, expression).to.have.property('problem').that.includes(`${MAX_DEADLINE_HOURS} hours`).and.includes(`every ${MAX_DEADLINE_HOURS - DEADLINE_MARGIN_HOURS} hours`);
      }
      expect(dayDeadlineHours('rate(6 days)', START)).to.deep.equal({ hours: 146 });
    });

    it('refuses a schedule that no longer fires, or stops firing, or starts only later', () => {
      expect(dayDeadlineHours('cron(0 6 * * ? 2020)', START)).to.have.property('problem').that.includes('does not fire');
      // Daily through 2025, then never: the rest of the window (to 2027-01-02) is the gap.
      expect(dayDeadlineHours('cron(0 6 * * ? 2025)', START)).to.have.property('problem').that.includes('between two runs is 366.8 days');
      // Daily from 2026 only: the alarm, counting from the deploy, would wait a year for the first run.
      expect(dayDeadlineHours('cron(0 6 * * ? 2026-2199)', START)).to.have.property('problem').that.includes('between two runs is 365.3 days');
    });

    it('counts from the deploy: the wait for the first run is a gap too', () => {
      expect(longestGapHours('cron(0 6 * * ? *)', new Date('2025-01-01T07:00:00Z'))).to.equal(24);
      expect(longestGapHours('cron(0 6 * * ? *)', new Date('2025-01-01T05:00:00Z'))).to.equal(24);
      expect(longestGapHours('cron(0 6 ? * MON-FRI *)', new Date('2025-01-03T07:00:00Z'))).to.equal(72);
    });
  });

  describe('deploy passes the deadline to the stack', () => {
    it('as DayDeadlineHours, from S3_REPLICATE_SCHEDULE', () => {
      const config = parseDeployConfig({ ...deployEnv(), S3_REPLICATE_SCHEDULE: 'cron(0 6 ? * MON-FRI *)' }, { now: START });
      expect(config.dayDeadlineHours).to.equal(74);
      expect(stackParameters(config, { bucket: 'b', key: 'k' }).DayDeadlineHours).to.equal('74');
      expect(parseDeployConfig(deployEnv()).dayDeadlineHours).to.equal(26);
    });
  });
});
