/**
 * Fan-out work items: the small JSON documents on the work queue, one day (or the rest of one)
 * each, and the SQS event that delivers them. Validated on receipt like any event. Pure.
 */
import type { SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { parseIsoDate, type IsoDate } from '../../rules/dates.ts';
import { isRecord, keyWithinLimit, rejecter, show as showValue } from '../parse.ts';
import { renderPrefix } from '../../rules/prefix.ts';
import { quoteList } from '../../rules/quote.ts';

/** Copy one day, or the part of it after `startAfter`. */
export interface WorkItem {
  readonly date: IsoDate;
  /** Resume after this source key (exclusive): the `lastKey` of the invocation that stopped. Absent: the whole day. */
  readonly startAfter?: string;
  /** Present (true) for a dry run: plan and count, copy nothing. */
  readonly dryRun?: true;
  /**
   * Objects of this day that failed in the earlier parts of its chain (before `startAfter`). The
   * rest of a day is handed on past a failed object; the last part of the day then fails, so the
   * day ends in the dead-letter queue with everything else copied. Absent: none.
   */
  readonly failedBefore?: number;
  /** The first of those failed keys, for whoever reads the dead-letter queue. Only with `failedBefore`. */
  readonly firstFailedKey?: string;
  /**
   * Archived objects of this day left out in the earlier parts of its chain (not failures): the
   * part that completes the day writes no day-complete marker when there were any. Absent: none.
   */
  readonly archivedBefore?: number;
  /** Present (true) for the rest of a scheduled day: its completion is the `ScheduledDayCompleted` metric. */
  readonly scheduled?: true;
  /**
   * Extras (destination-only objects) the earlier parts of the day counted, before `startAfter`'s
   * destination key: the part that ends the day adds its own and knows the day's. Absent: none.
   */
  readonly extraBefore?: number;
  /**
   * Present (true) for the rest of a day's delete pass (EXACT_DAYS): the day's copies are done and
   * its extras may be deleted (the part that began the pass settled that), so nothing is copied;
   * the pass goes on after `deleteAfter`. `extraBefore` is then the day's whole count.
   */
  readonly deleting?: true;
  /** With `deleting`: the last key the pass is done with, in source form (under the day's prefix). Absent: from the day's start. */
  readonly deleteAfter?: string;
  /** With `deleting`: extras the pass deleted so far; they count towards EXACT_DAYS_MAX_DELETES. Absent: none. */
  readonly deletedBefore?: number;
  /**
   * Present (true) for a day a scheduled run reconciles after its own (LOOKBACK_DAYS), or its
   * rest: what it copies arrived late (`lateCopied`, `ObjectsCopiedLate`). Never with `scheduled`.
   */
  readonly lookback?: true;
}

/** One record of an SQS event as Lambda delivers it ({@link SQSRecord}), only the fields the handler reads. */
export type SqsRecordLike = Readonly<Pick<SQSRecord, 'messageId' | 'body' | 'eventSource'>> & {
  readonly attributes?: Readonly<Partial<Pick<SQSRecordAttributes, 'ApproximateReceiveCount'>>>;
};

/** An SQS event (`SQSEvent`): `Records` from the event source mapping. */
export interface SqsEventLike {
  readonly Records: readonly SqsRecordLike[];
}

/**
 * True for an event from the SQS event source mapping: a non-empty `Records` list whose every
 * record says `eventSource: "aws:sqs"` and has a string `messageId` and `body`.
 */
export function isSqsEvent(event: unknown): event is SqsEventLike {
  if (!isRecord(event) || !Array.isArray(event.Records) || event.Records.length === 0) return false;
  return event.Records.every((r: unknown) => isRecord(r) && r.eventSource === 'aws:sqs' && typeof r.messageId === 'string' && typeof r.body === 'string');
}

/** A bad value is shown in at most this many characters (a body may hold a whole key). */
const SHOWN_CHARS = 120;

const show = (value: unknown): string => showValue(value, SHOWN_CHARS);
const bad: (message: string) => never = rejecter('bad work item');

/**
 * Parses a work item from a message body and validates it against the handler's PREFIX_FORMAT:
 * the date must exist, and `startAfter` must be a key under that day's prefix (a key outside it
 * would make the listing skip the whole day, or another day's keys). Throws
 * {@link EventValidationError} naming the bad value.
 */
export function parseWorkItem(body: string, prefixFormat: string): WorkItem {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    bad(`body ${show(body)} is not JSON; expected {"date": "2024-01-01", "startAfter"?: "<key>", "dryRun"?: true}`);
  }
  if (!isRecord(doc)) bad(`body ${show(body)}: expected a JSON object {"date": "2024-01-01", "startAfter"?: "<key>", "dryRun"?: true}`);
  const fields = ['date', 'startAfter', 'dryRun', 'failedBefore', 'firstFailedKey', 'archivedBefore', 'scheduled', 'extraBefore', 'deleting', 'deleteAfter', 'deletedBefore', 'lookback'];
  const extra = Object.keys(doc).filter((k) => !fields.includes(k));
  if (extra.length > 0) bad(`unknown field(s) ${quoteList(extra)}; allowed: ${fields.map((k) => JSON.stringify(k)).join(', ')}`);

  const date = parseIsoDate(doc.date);
  if (date === undefined) bad(`"date" is ${show(doc.date)}: expected a calendar date YYYY-MM-DD`);

  const item: { -readonly [K in keyof WorkItem]: WorkItem[K] } = { date };
  const prefix = renderPrefix(prefixFormat, date);
  const keyOfDay = (name: string, key: unknown): string => {
    if (typeof key !== 'string' || key.length === 0) bad(`"${name}" is ${show(key)}: expected a non-empty source key`);
    // A key longer than S3 allows cannot come from a listing.
    keyWithinLimit(key, `"${name}"`, bad);
    if (!key.startsWith(prefix)) bad(`"${name}" ${show(key)} is not under ${date}'s prefix ${JSON.stringify(prefix)}`);
    return key;
  };
  if (doc.startAfter !== undefined) item.startAfter = keyOfDay('startAfter', doc.startAfter);
  if (doc.dryRun !== undefined && doc.dryRun !== false) {
    if (doc.dryRun !== true) bad(`"dryRun" is ${show(doc.dryRun)}: expected true or false`);
    item.dryRun = true;
  }
  if (doc.failedBefore !== undefined) {
    const n = doc.failedBefore;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) bad(`"failedBefore" is ${show(n)}: expected a whole number of failed objects, at least 1`);
    if (item.startAfter === undefined) bad('"failedBefore" without "startAfter": only the rest of a day has earlier parts');
    item.failedBefore = n;
    if (doc.firstFailedKey !== undefined) item.firstFailedKey = keyOfDay('firstFailedKey', doc.firstFailedKey);
  } else if (doc.firstFailedKey !== undefined) {
    bad('"firstFailedKey" without "failedBefore"');
  }
  if (doc.archivedBefore !== undefined) {
    const n = doc.archivedBefore;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) bad(`"archivedBefore" is ${show(n)}: expected a whole number of archived objects, at least 1`);
    if (item.startAfter === undefined) bad('"archivedBefore" without "startAfter": only the rest of a day has earlier parts');
    item.archivedBefore = n;
  }
  if (doc.scheduled !== undefined && doc.scheduled !== false) {
    if (doc.scheduled !== true) bad(`"scheduled" is ${show(doc.scheduled)}: expected true or false`);
    item.scheduled = true;
  }
  const count = (name: string, value: unknown, what: string): number => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) bad(`"${name}" is ${show(value)}: expected a whole number of ${what}, at least 1`);
    if (item.startAfter === undefined) bad(`"${name}" without "startAfter": only the rest of a day has earlier parts`);
    return value;
  };
  if (doc.extraBefore !== undefined) item.extraBefore = count('extraBefore', doc.extraBefore, 'extras');
  if (doc.deleting !== undefined && doc.deleting !== false) {
    if (doc.deleting !== true) bad(`"deleting" is ${show(doc.deleting)}: expected true or false`);
    if (item.startAfter === undefined) bad('"deleting" without "startAfter": only the rest of a day has earlier parts');
    // A dry run deletes nothing, so it never hands a delete pass on.
    if (item.dryRun) bad('"deleting" with "dryRun": a dry run deletes nothing');
    item.deleting = true;
  }
  if (doc.deleteAfter !== undefined || doc.deletedBefore !== undefined) {
    if (!item.deleting) bad(`${doc.deleteAfter === undefined ? '"deletedBefore"' : '"deleteAfter"'} without "deleting"`);
    if (doc.deleteAfter !== undefined) item.deleteAfter = keyOfDay('deleteAfter', doc.deleteAfter);
    if (doc.deletedBefore !== undefined) item.deletedBefore = count('deletedBefore', doc.deletedBefore, 'deleted extras');
  }
  if (doc.lookback !== undefined && doc.lookback !== false) {
    if (doc.lookback !== true) bad(`"lookback" is ${show(doc.lookback)}: expected true or false`);
    // A day is the scheduled run's own or one it looks back on, never both.
    if (item.scheduled) bad('"lookback" with "scheduled": a day is the scheduled run\'s own or one before it, not both');
    item.lookback = true;
  }
  return item;
}

/** The message body of a work item: compact JSON, optional fields only when set. */
export function serializeWorkItem(item: WorkItem): string {
  return JSON.stringify({
    date: item.date,
    ...(item.startAfter === undefined ? {} : { startAfter: item.startAfter }),
    ...(item.dryRun ? { dryRun: true } : {}),
    ...(item.failedBefore ? { failedBefore: item.failedBefore } : {}),
    ...(item.failedBefore && item.firstFailedKey !== undefined ? { firstFailedKey: item.firstFailedKey } : {}),
    ...(item.archivedBefore ? { archivedBefore: item.archivedBefore } : {}),
    ...(item.scheduled ? { scheduled: true } : {}),
    ...(item.extraBefore ? { extraBefore: item.extraBefore } : {}),
    ...(item.deleting ? { deleting: true } : {}),
    ...(item.deleting && item.deleteAfter !== undefined ? { deleteAfter: item.deleteAfter } : {}),
    ...(item.deleting && item.deletedBefore ? { deletedBefore: item.deletedBefore } : {}),
    ...(item.lookback ? { lookback: true } : {}),
  });
}
