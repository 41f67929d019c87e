import { expect } from 'chai';
import { addDays, dateRange, daysBefore, daysInclusive, isLeapYear, parseIsoDate, type IsoDate } from '../../../rules/dates.ts';

const d = (s: string): IsoDate => {
  const v = parseIsoDate(s);
  if (!v) throw new Error(`test date ${s} is invalid`);
  return v;
};

describe('rules/dates', () => {
  it('accepts real calendar dates, leap days included', () => {
    for (const s of ['2024-02-29', '2000-02-29', '2023-12-31', '2024-01-01', '0001-01-01', '9999-12-31']) {
      expect(parseIsoDate(s), s).to.equal(s);
    }
  });

  it('rejects days that do not exist and other shapes', () => {
    for (const s of ['2023-02-29', '1900-02-29', '2024-13-01', '2024-00-10', '2024-04-31', '2024-01-00', '2024-1-01', '2024-01-01T00:00:00Z', ' 2024-01-01', '20240101', '0000-01-01', '']) {
      expect(parseIsoDate(s), s).to.equal(undefined);
    }
    expect(parseIsoDate(20240101)).to.equal(undefined);
    expect(parseIsoDate(null)).to.equal(undefined);
  });

  it('knows the Gregorian leap-year rule', () => {
    expect([1900, 2000, 2023, 2024, 2100].map(isLeapYear)).to.deep.equal([false, true, false, true, false]);
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays(d('2024-02-28'), 1)).to.equal('2024-02-29');
    expect(addDays(d('2023-02-28'), 1)).to.equal('2023-03-01');
    expect(addDays(d('2024-01-01'), -1)).to.equal('2023-12-31');
  });

  it('lists an inclusive range in order', () => {
    expect(dateRange(d('2024-02-27'), d('2024-03-01'))).to.deep.equal(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    expect(dateRange(d('2024-01-05'), d('2024-01-05'))).to.deep.equal(['2024-01-05']);
    expect(dateRange(d('2024-01-05'), d('2024-01-04'))).to.deep.equal([]);
    expect(daysInclusive(d('2024-01-01'), d('2024-12-31'))).to.equal(366);
  });

  it('takes the UTC day N days before an instant', () => {
    expect(daysBefore(new Date('2024-03-01T06:00:00Z'), 1)).to.equal('2024-02-29');
    expect(daysBefore(new Date('2024-03-01T00:30:00+02:00'), 1)).to.equal('2024-02-28');
    expect(daysBefore(new Date('2024-03-01T23:59:59Z'), 0)).to.equal('2024-03-01');
  });
});
