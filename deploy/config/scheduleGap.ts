/**
 * How long the deadline alarm must wait for a scheduled day: the longest gap between two fires of
 * an EventBridge schedule expression, found by enumerating its fires. Pure; the expression must
 * already be valid (`scheduleProblem` returned nothing).
 *
 * EventBridge evaluates rule schedules in UTC. Cron fields follow its documented syntax: `*`, `,`,
 * `-`, `/`, `?`, `L` (day of month and day of week), `W` (day of month), `#` (day of week), with
 * day-of-week 1 = SUN … 7 = SAT.
 */

import { DAYS, MONTHS } from './schedule.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Two years of fires: every month length, a leap day and a year boundary are inside the window. */
export const ENUMERATED_DAYS = 731;


function number(token: string, names: readonly string[] | undefined, first: number): number {
  const i = names?.indexOf(token) ?? -1;
  return i >= 0 ? first + i : Number(token);
}

/** The values of a plain field (no L, W or #): lists, ranges (wrapping past max), `*` and steps. */
function values(field: string, min: number, max: number, names?: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const item of field.split(',')) {
    const [range, stepText] = item.split('/') as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    let from = min;
    let to = max;
    if (range !== '*') {
      const [a, b] = range.split('-') as [string, string | undefined];
      from = number(a, names, min);
      // `a/n` runs from a to the field's end; a bare value is one value.
      to = b !== undefined ? number(b, names, min) : stepText !== undefined ? max : from;
    }
    const span = to >= from ? to - from : to - from + (max - min + 1);
    for (let offset = 0; offset <= span; offset += step) out.add(((from - min + offset) % (max - min + 1)) + min);
  }
  return out;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

/** The weekday (Mon–Fri) nearest to `day` within its month, as Quartz's and EventBridge's `W` means. */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const d = Math.min(day, last);
  const wd = weekdayOf(year, month, d);
  if (wd === 7) return d === 1 ? d + 2 : d - 1;
  if (wd === 1) return d === last ? d - 2 : d + 1;
  return d;
}

/** Whether a day of a month matches the day-of-month field (parsed once, asked for every day). */
function dayOfMonthMatcher(field: string): (year: number, month: number, day: number) => boolean {
  if (field === 'L') return (year, month, day) => day === daysInMonth(year, month);
  if (field === 'LW') return (year, month, day) => day === nearestWeekday(year, month, daysInMonth(year, month));
  const w = /^(\d+)W$/.exec(field);
  if (w) return (year, month, day) => day === nearestWeekday(year, month, Number(w[1]));
  const days = values(field, 1, 31);
  return (_year, _month, day) => days.has(day);
}

/** Whether a day matches the day-of-week field (parsed once, asked for every day). */
function dayOfWeekMatcher(field: string): (year: number, month: number, day: number) => boolean {
  if (field === 'L') return (year, month, day) => weekdayOf(year, month, day) === 7;
  const lastOf = /^(\w+)L$/.exec(field);
  if (lastOf) {
    const weekday = number(lastOf[1]!, DAYS, 1);
    return (year, month, day) => weekdayOf(year, month, day) === weekday && day + 7 > daysInMonth(year, month);
  }
  const nth = /^(\w+)#([1-5])$/.exec(field);
  if (nth) {
    const [weekday, n] = [number(nth[1]!, DAYS, 1), Number(nth[2])];
    return (year, month, day) => weekdayOf(year, month, day) === weekday && Math.ceil(day / 7) === n;
  }
  const weekdays = values(field, 1, 7, DAYS);
  return (year, month, day) => weekdays.has(weekdayOf(year, month, day));
}

/** Every fire of a cron expression from `start` for `days` days, in order (epoch milliseconds). */
export function* cronFires(expression: string, start: Date, days = ENUMERATED_DAYS): Generator<number> {
  const fields = /^cron\((.*)\)$/.exec(expression)![1]!.trim().toUpperCase().split(/\s+/);
  const [minutesField, hoursField, domField, monthField, dowField, yearField] = fields as [string, string, string, string, string, string];
  const minutes = [...values(minutesField, 0, 59)].sort((a, b) => a - b);
  const hours = [...values(hoursField, 0, 23)].sort((a, b) => a - b);
  const months = values(monthField, 1, 12, MONTHS);
  const years = values(yearField, 1970, 2199);
  const dayMatches = domField === '?' ? dayOfWeekMatcher(dowField) : dayOfMonthMatcher(domField);
  const first = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  for (let d = 0; d < days; d++) {
    const date = new Date(first + d * DAY_MS);
    const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
    if (!years.has(year) || !months.has(month)) continue;
    if (!dayMatches(year, month, day)) continue;
    for (const hour of hours) for (const minute of minutes) yield first + d * DAY_MS + hour * HOUR_MS + minute * 60_000;
  }
}

/**
 * The longest time without a fire, in hours, from `start` (the deploy: the alarm counts from then)
 * over the enumerated window, its end included (a schedule that stops firing has a gap as long as
 * the rest of the window); undefined when it does not fire in the window at all.
 */
export function longestGapHours(expression: string, start: Date): number | undefined {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) return Number(rate[1]) * { minute: 1 / 60, hour: 1, day: 24 }[rate[2] as 'minute' | 'hour' | 'day'];
  const from = start.getTime();
  let previous: number | undefined;
  let longest = 0;
  let last = from;
  for (const fire of cronFires(expression, start)) {
    if (fire < from) continue;
    longest = Math.max(longest, fire - (previous ?? from));
    previous = fire;
    last = fire;
  }
  if (previous === undefined) return undefined;
  const end = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()) + ENUMERATED_DAYS * DAY_MS;
  return Math.max(longest, end - last) / HOUR_MS;
}

/** Hours added to the longest gap: time for the day's run (up to 15 minutes) and its metric to arrive. */
export const DEADLINE_MARGIN_HOURS = 2;
/**
 * CloudWatch's longest evaluation range for a period of an hour or more: Period × EvaluationPeriods
 * ≤ 604,800 s (PutMetricAlarm, Period), so at most 168 hourly periods.
 */
export const MAX_DEADLINE_HOURS = 168;

/** The deadline alarm's hours for a schedule, or why none fits. */
export function dayDeadlineHours(expression: string, start: Date): { hours: number } | { problem: string } {
  const gap = longestGapHours(expression, start);
  if (gap === undefined) return { problem: `it does not fire in the ${ENUMERATED_DAYS} days from ${start.toISOString().slice(0, 10)}, so the "day not completed" alarm would fire all along` };
  const hours = Math.ceil(gap) + DEADLINE_MARGIN_HOURS;
  if (hours > MAX_DEADLINE_HOURS) {
    return { problem: `its longest gap between two runs is ${formatHours(gap)}; the "day not completed" alarm can wait at most ${MAX_DEADLINE_HOURS} hours (CloudWatch's 7-day evaluation range) including a ${DEADLINE_MARGIN_HOURS}-hour margin: run at least every ${MAX_DEADLINE_HOURS - DEADLINE_MARGIN_HOURS} hours` };
  }
  return { hours };
}

function formatHours(hours: number): string {
  return hours >= 48 ? `${(hours / 24).toFixed(1).replace(/\.0$/, '')} days` : `${Math.round(hours * 100) / 100} hours`;
}
