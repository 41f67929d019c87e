import { expect } from 'chai';
import { addDays, dateParts, dateRange, daysBefore, daysInMonth, daysInclusive, isLeapYear, parseIsoDate, utcDateOf, type IsoDate } from '../../../rules/dates.ts';

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

  it('is not fooled by a value that only turns into a date string: a list, a String object', () => {
    expect(parseIsoDate(['2024-01-01'])).to.equal(undefined);
    expect(parseIsoDate(new String('2024-01-01'))).to.equal(undefined);
    expect(parseIsoDate({ toString: () => '2024-01-01' })).to.equal(undefined);
  });

  it('gives April, June, September and November 30 days, February 28 or 29, the others 31', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2023, m))).to.deep.equal([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect(daysInMonth(2024, 2)).to.equal(29);
    for (const s of ['2024-06-31', '2024-09-31', '2024-11-31']) expect(parseIsoDate(s), s).to.equal(undefined);
    for (const s of ['2024-06-30', '2024-07-31', '2024-08-31', '2024-12-31']) expect(parseIsoDate(s), s).to.equal(s);
  });

  it('splits a date into numbers', () => {
    expect(dateParts(d('0987-06-05'))).to.deep.equal({ year: 987, month: 6, day: 5 });
  });

  it('writes four-digit years and two-digit months and days, also for the first years', () => {
    expect(addDays(d('0001-01-01'), 1)).to.equal('0001-01-02');
    expect(addDays(d('0999-12-31'), 1)).to.equal('1000-01-01');
    expect(addDays(d('2024-09-30'), 1)).to.equal('2024-10-01');
  });

  it('counts the days of a range inclusively, and none backwards', () => {
    expect(daysInclusive(d('2024-01-01'), d('2024-01-01'))).to.equal(1);
    expect(daysInclusive(d('2024-01-02'), d('2024-01-01'))).to.equal(0);
    expect(daysInclusive(d('2023-01-01'), d('2024-01-02'))).to.equal(367);
  });

  it('takes the UTC date of an instant, from its first to its last millisecond', () => {
    expect(utcDateOf(new Date('2024-02-29T00:00:00.000Z'))).to.equal('2024-02-29');
    expect(utcDateOf(new Date('2024-02-29T23:59:59.999Z'))).to.equal('2024-02-29');
    expect(utcDateOf(new Date('2024-02-29T12:00:00Z'))).to.equal('2024-02-29');
  });
});
