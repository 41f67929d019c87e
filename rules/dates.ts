/**
 * Calendar dates as `YYYY-MM-DD` strings (UTC, no time zone): parsing with a real calendar check,
 * inclusive ranges, and "N days before an instant". Pure: no SDK, no clock.
 */

/** A validated calendar date, `YYYY-MM-DD`. */
export type IsoDate = string & { readonly __isoDate: unique symbol };

/** The parts of a date, for prefix rendering. */
export interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** True for Gregorian leap years (divisible by 4, except centuries not divisible by 400). */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Number of days of a month (1–12) in a year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Returns the date when `value` is a real calendar date written `YYYY-MM-DD` (2024-02-29 is one,
 * 2023-02-29 and 2024-13-01 are not), else `undefined`. Years 0001–9999.
 */
export function parseIsoDate(value: unknown): IsoDate | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ISO_DATE.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return value as IsoDate;
}

/** Splits a validated date into numbers. */
export function dateParts(date: IsoDate): DateParts {
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

function toEpochDay(date: IsoDate): number {
  const { year, month, day } = dateParts(date);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return Math.floor(d.getTime() / DAY_MS);
}

function fromEpochDay(epochDay: number): IsoDate {
  const d = new Date(epochDay * DAY_MS);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  const m = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${y}-${m}-${dd}` as IsoDate;
}

/** The date `days` days after `date` (negative goes back). */
export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Number of days from `from` to `to` inclusive (1 when equal, ≤ 0 when `to` is before `from`). */
export function daysInclusive(from: IsoDate, to: IsoDate): number {
  return toEpochDay(to) - toEpochDay(from) + 1;
}

/** Every date from `from` to `to`, inclusive, in order. Empty when `to` is before `from`. */
export function dateRange(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = toEpochDay(from), end = toEpochDay(to); d <= end; d++) out.push(fromEpochDay(d));
  return out;
}

/** The UTC calendar date of an instant. */
export function utcDateOf(instant: Date): IsoDate {
  return fromEpochDay(Math.floor(instant.getTime() / DAY_MS));
}

/** Default LAG_DAYS: a scheduled run copies yesterday (UTC). */
export const DEFAULT_LAG_DAYS = 1;
/** The largest LAG_DAYS: ten years. */
export const MAX_LAG_DAYS = 3650;

/** The UTC date `lagDays` days before the instant (the day a scheduled run copies). */
export function daysBefore(instant: Date, lagDays: number): IsoDate {
  return addDays(utcDateOf(instant), -lagDays);
}
