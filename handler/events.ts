/**
 * The events the handler accepts (docs/contract.md), parsed and validated into a typed union before
 * anything is copied. Pure.
 */
import type { ScheduledEvent } from 'aws-lambda';
import { isRecord, rejecter, show as showValue } from './parse.ts';
import { dateRange, daysBefore, daysInclusive, parseIsoDate, type IsoDate } from '../rules/dates.ts';
import { quoteList } from '../rules/quote.ts';

/**
 * The most days one event may name. A day is listed and copied inside one invocation, and
 * Lambda stops at 15 minutes; larger backfills are split into several events (or fanned out by
 * the queue once continuations exist).
 */
export const MAX_DAYS_PER_EVENT = 366;

/**
 * The most days one event may plan into the work queue (WORK_QUEUE_URL): ten years. Planning
 * sends one small message per day, 10 per SendMessageBatch, so 3,660 days take 366 calls (a few
 * seconds); the limit only guards against a typo like "from": "1024-01-01".
 */
export const MAX_DAYS_PER_FAN_OUT = 3660;

/** Copy (or with dryRun, plan) these days. */
export interface CopyEvent {
  readonly kind: 'copy';
  /** What asked for it: the EventBridge schedule, a list of dates, or a range. */
  readonly trigger: 'schedule' | 'dates' | 'range';
  /** Distinct days in the order they are handled. */
  readonly dates: readonly IsoDate[];
  readonly dryRun: boolean;
  /** Present (true) when the event asked for `"fanOut": true`: plan it into the work queue even for one day. */
  readonly fanOut?: true;
}

/** Options of {@link parseEvent}. */
export interface ParseEventOptions {
  /** The most days the event may name. Default {@link MAX_DAYS_PER_EVENT}; the fan-out path passes {@link MAX_DAYS_PER_FAN_OUT}. */
  readonly maxDays?: number;
  /**
   * How the caller fans out a longer backfill, said when an event names more than `maxDays` days.
   * Default: the deployed function's way, `set WORK_QUEUE_URL`; `npm run invoke -- --local` says `--workers N`.
   */
  readonly fanOutHint?: string;
}

/** `{"check": true}` (optionally with `"date"`): the permission-chain preflight. */
export interface CheckEvent {
  readonly kind: 'check';
  /** The day whose prefix the preflight lists and reads from the source. Default: the scheduled day (LAG_DAYS before now). */
  readonly date?: IsoDate;
}

export type HandlerEvent = CopyEvent | CheckEvent;

/**
 * The fields of an EventBridge scheduled event (the envelope every EventBridge event has, and
 * `replay-name` on an event replayed from an archive), plus our `dryRun`:
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html
 */
export const SCHEDULED_EVENT_FIELDS = ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail', 'replay-name', 'dryRun'] as const;

const EXAMPLES = 'expected {"dates": ["2024-01-01", …]}, {"from": "2024-01-01", "to": "2024-01-31"}, an EventBridge "Scheduled Event" (each optionally with "dryRun": true; dates and ranges also with "fanOut": true), or {"check": true} (optionally with "date")';

/** A bad value is shown in at most this many characters: the message is read by whoever sent the event. */
const SHOWN_CHARS = 80;

const show = (value: unknown): string => showValue(value, SHOWN_CHARS);
const bad: (message: string) => never = rejecter('bad event');

/** An EventBridge schedule's event ({@link ScheduledEvent}); its `time` is checked before it is used. */
function isScheduledEvent(event: Record<string, unknown>): event is Record<string, unknown> & Pick<ScheduledEvent, 'detail-type'> {
  return event['detail-type'] === 'Scheduled Event';
}

function date(value: unknown, where: string): IsoDate {
  const d = parseIsoDate(value);
  if (d === undefined) {
    bad(`${where} is ${show(value)}: not a calendar date (expected YYYY-MM-DD, a day that exists, e.g. "2024-02-29")`);
  }
  return d;
}

function dryRunOf(event: Record<string, unknown>): boolean {
  const v = event.dryRun;
  if (v === undefined) return false;
  if (typeof v !== 'boolean') bad(`"dryRun" is ${show(v)}: expected true or false`);
  return v;
}

function fanOutOf(event: Record<string, unknown>): { fanOut?: true } {
  const v = event.fanOut;
  if (v === undefined || v === false) return {};
  if (v !== true) bad(`"fanOut" is ${show(v)}: expected true or false`);
  return { fanOut: true };
}

function onlyKeys(event: Record<string, unknown>, allowed: readonly string[]): void {
  // Object.keys, so a "__proto__" key of JSON.parse is seen as well.
  const extra = Object.keys(event).filter((k) => !allowed.includes(k));
  if (extra.length > 0) bad(`unknown field(s) ${quoteList(extra)}; allowed here: ${allowed.map((k) => JSON.stringify(k)).join(', ')}`);
}

function tooMany(count: number, maxDays: number, fanOutHint = 'set WORK_QUEUE_URL'): never {
  const fix = maxDays < MAX_DAYS_PER_FAN_OUT
    ? `split the backfill into several events, or fan it out through the work queue (${fanOutHint}; up to ${MAX_DAYS_PER_FAN_OUT} days)`
    : 'split the backfill into several events';
  bad(`${count} days requested; at most ${maxDays} days per event: ${fix}`);
}

/**
 * Parses and validates an event. `lagDays` is the handler's LAG_DAYS, used for scheduled events.
 * Throws {@link EventValidationError} naming the bad value; never returns a partial result.
 */
export function parseEvent(event: unknown, lagDays: number, options: ParseEventOptions = {}): HandlerEvent {
  const maxDays = options.maxDays ?? MAX_DAYS_PER_EVENT;
  if (!isRecord(event)) bad(`got ${show(event)}; ${EXAMPLES}`);

  if (isScheduledEvent(event)) {
    // EventBridge's own fields, and dryRun: anything else (a "check", "dates" or "fanOut" added to
    // a scheduled event) would otherwise be ignored without a word.
    onlyKeys(event, SCHEDULED_EVENT_FIELDS);
    const time = event.time;
    // V8 parses "2024-02-30T…" as March 1st: check the calendar date before trusting Date.
    const instant = typeof time === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(time) && parseIsoDate(time.slice(0, 10)) ? new Date(time) : undefined;
    if (!instant || Number.isNaN(instant.getTime())) bad(`scheduled event "time" is ${show(time)}: expected an ISO 8601 timestamp like "2024-01-02T06:00:00Z"`);
    return { kind: 'copy', trigger: 'schedule', dates: [daysBefore(instant, lagDays)], dryRun: dryRunOf(event) };
  }

  if ('check' in event) {
    onlyKeys(event, ['check', 'date']);
    if (event.check !== true) bad(`"check" is ${show(event.check)}: expected true`);
    return event.date === undefined ? { kind: 'check' } : { kind: 'check', date: date(event.date, '"date"') };
  }

  const hasDates = 'dates' in event;
  const hasRange = 'from' in event || 'to' in event;
  if (hasDates && hasRange) bad('give either "dates" or "from"/"to", not both');

  if (hasDates) {
    onlyKeys(event, ['dates', 'dryRun', 'fanOut']);
    const list = event.dates;
    if (!Array.isArray(list) || list.length === 0) bad(`"dates" is ${show(list)}: expected a non-empty list like ["2024-01-01", "2024-01-02"]`);
    const dates = list.map((d, i) => date(d, `"dates"[${i}]`));
    const distinct = [...new Set(dates)];
    if (distinct.length > maxDays) tooMany(distinct.length, maxDays, options.fanOutHint);
    return { kind: 'copy', trigger: 'dates', dates: distinct, dryRun: dryRunOf(event), ...fanOutOf(event) };
  }

  if (hasRange) {
    onlyKeys(event, ['from', 'to', 'dryRun', 'fanOut']);
    if (!('from' in event)) bad('"to" without "from": a range needs both, e.g. {"from": "2024-01-01", "to": "2024-01-31"}');
    if (!('to' in event)) bad('"from" without "to": a range needs both, e.g. {"from": "2024-01-01", "to": "2024-01-31"}');
    const from = date(event.from, '"from"');
    const to = date(event.to, '"to"');
    const days = daysInclusive(from, to);
    if (days < 1) bad(`"from" ${from} is after "to" ${to}: the range is inclusive and must go forward`);
    if (days > maxDays) tooMany(days, maxDays, options.fanOutHint);
    return { kind: 'copy', trigger: 'range', dates: dateRange(from, to), dryRun: dryRunOf(event), ...fanOutOf(event) };
  }

  bad(`no "dates", "from"/"to", "check" or scheduled "time" in ${show(event)}; ${EXAMPLES}`);
}
