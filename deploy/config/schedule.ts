/**
 * EventBridge schedule expressions, checked the way EventBridge checks them, so that a typo fails
 * before any AWS call instead of halfway through a stack create. Pure.
 *
 * `rate(value unit)`: a positive whole number; the unit singular for 1 (`rate(1 day)`) and plural
 * otherwise (`rate(5 minutes)`), as EventBridge demands.
 * `cron(minutes hours day-of-month month day-of-week year)`: six fields; exactly one of
 * day-of-month and day-of-week is `?`.
 */

interface FieldRule {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Extra single-item forms this field accepts (`?`, `L`, `15W`, `5L`, `3#2`). */
  readonly extra?: RegExp;
}

/** Month names cron accepts, JAN = 1. */
export const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Day-of-week names cron accepts, SUN = 1 (EventBridge's numbering). */
export const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldRule[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, extra: /^(\?|L|LW|([1-9]|[12]\d|3[01])W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, extra: /^(\?|L|([1-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5]))$/ },
  { name: 'year', min: 1970, max: 2199 },
];

function value(token: string, rule: FieldRule): number | undefined {
  if (/^\d+$/.test(token)) {
    const n = Number(token);
    return n >= rule.min && n <= rule.max ? n : undefined;
  }
  const i = rule.names?.indexOf(token) ?? -1;
  return i >= 0 ? rule.min + i : undefined;
}

function fieldProblem(field: string, rule: FieldRule): string | undefined {
  const bad = `${rule.name} "${field}"`;
  if (rule.extra?.test(field)) return undefined;
  for (const item of field.split(',')) {
    const m = /^(\*|[A-Z0-9]+(?:-[A-Z0-9]+)?)(?:\/(\d+))?$/.exec(item);
    if (!m) return `${bad} is not a value, a range, a list, or */n`;
    const [, range, step] = m;
    if (step !== undefined && (Number(step) < 1 || Number(step) > rule.max)) return `${bad} has the step ${step}`;
    if (range === '*') continue;
    const [from, to] = range!.split('-');
    if (value(from!, rule) === undefined || (to !== undefined && value(to, rule) === undefined)) {
      return `${bad} is out of range (${rule.min}-${rule.max}${rule.names ? ` or ${rule.names[0]}-${rule.names[rule.names.length - 1]}` : ''})`;
    }
  }
  return undefined;
}

/** What is wrong with a schedule expression, or undefined when EventBridge accepts it. */
export function scheduleProblem(expression: string): string | undefined {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) {
    const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(rate[1]!);
    if (!m) return 'expected rate(<n> minute(s)|hour(s)|day(s)), e.g. rate(1 day) or rate(12 hours)';
    const n = Number(m[1]);
    if (!Number.isSafeInteger(n) || n < 1) return 'the rate must be a whole number of at least 1';
    const plural = m[2]!.endsWith('s');
    if (n === 1 && plural) return `EventBridge wants the singular for 1: rate(1 ${m[2]!.slice(0, -1)})`;
    if (n > 1 && !plural) return `EventBridge wants the plural above 1: rate(${n} ${m[2]}s)`;
    return undefined;
  }
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return 'expected rate(...) or cron(...), e.g. cron(0 6 * * ? *) for 06:00 UTC every day';
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) return `cron takes 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  for (const [i, rule] of FIELDS.entries()) {
    const field = fields[i]!.toUpperCase();
    if (field === '?' && rule.name !== 'day-of-month' && rule.name !== 'day-of-week') return `${rule.name} cannot be "?"`;
    const problem = fieldProblem(field, rule);
    if (problem) return problem;
  }
  const [dom, dow] = [fields[2], fields[4]];
  if ((dom === '?') === (dow === '?')) return 'exactly one of day-of-month and day-of-week must be "?", e.g. cron(0 6 * * ? *)';
  return undefined;
}
