/**
 * The event of `npm run invoke`, before anything is invoked: the `--event` file read within
 * Lambda's payload limit and parsed, then what kind of event it is. Every event the handler accepts
 * goes on to it — a copy event (days, a range, a scheduled event), `{"check": true}`, an object event
 * (EventBridge `Object Created`, or an S3 notification `{"Records": [...]}`) or an SQS batch (work
 * items, object records) — checked first with the handler's own parsers where that can be done
 * without AWS, so that a bad event is refused (exit 2) before any call, locally or deployed.
 */
import { open } from 'node:fs/promises';
import { ConfigError, describeError } from '../../../rules/errors.ts';
import { MAX_DAYS_PER_EVENT, type ParseEventOptions } from '../../../handler/events.ts';
import { routeEvent, type Route } from '../../../handler/router.ts';

/**
 * The largest event Lambda takes: 6 MB for a synchronous invocation, 1 MB for an asynchronous one
 * (https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html). A local run takes the same events
 * as the deployed function, so the `--event` file is read up to the first of them and no further.
 */
export const MAX_SYNC_EVENT_BYTES = 6 * 1024 * 1024;
/** The largest event of `--async` (InvocationType Event), see {@link MAX_SYNC_EVENT_BYTES}. */
export const MAX_ASYNC_EVENT_BYTES = 1024 * 1024;

const NOT_USABLE = 'the event is not usable';

/**
 * Reads and parses the `--event` file; at most `maxBytes` are read (a bigger file is refused by
 * its size, without reading it whole). Throws a {@link ConfigError} (exit 2) naming the file.
 */
export async function readEventFile(path: string, maxBytes = MAX_SYNC_EVENT_BYTES): Promise<unknown> {
  let text: string;
  try {
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(maxBytes + 1);
      let length = 0;
      for (let read = -1; read !== 0 && length <= maxBytes;) {
        ({ bytesRead: read } = await file.read(buffer, length, buffer.length - length, null));
        length += read;
      }
      if (length > maxBytes) {
        throw new ConfigError([`--event ${path}: larger than ${maxBytes} bytes, the most Lambda takes as one event (6 MB invoked and waited for, 1 MB with --async)`], NOT_USABLE);
      }
      text = buffer.subarray(0, length).toString('utf8');
    } finally {
      await file.close();
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError([`--event ${path}: cannot read it (${describeError(err)})`], NOT_USABLE);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`--event ${path}: not valid JSON (${describeError(err)})`], NOT_USABLE);
  }
}

/**
 * What an event is, as the handler will take it: `copy` (days, a range, a scheduled event),
 * `check`, `objects` (an object event given directly) or `sqsBatch` (records of the work queue or
 * the object queue, each validated by the handler, which answers its failures in
 * `batchItemFailures`).
 */
export type InvokeEventKind = 'copy' | 'check' | 'objects' | 'sqsBatch';

/** What each of the handler's routes is to invoke. */
const KIND_OF_ROUTE: Readonly<Record<Exclude<Route['kind'], 'invalid'>, InvokeEventKind>> = {
  scheduled: 'copy',
  days: 'copy',
  check: 'check',
  workBatch: 'sqsBatch',
  objectBatch: 'sqsBatch',
  eventBridgeObject: 'objects',
  s3Notification: 'objects',
  s3TestEvent: 'objects',
};

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks `event` with the handler's own router and says what it is; throws a {@link ConfigError}
 * or the handler's EventValidationError (both exit 2) for an event the handler would refuse. A copy
 * event is checked as the handler's parser checks it with `options` (the day limit, and how to fan
 * out a longer backfill); an object event as the push on write parses it. An SQS batch's records
 * are the handler's to judge one by one. Pure.
 */
export function checkInvokeEvent(event: unknown, lagDays: number, options: ParseEventOptions = {}): InvokeEventKind {
  if (!isJsonObject(event)) {
    throw new ConfigError([
      `the event is ${JSON.stringify(event)?.slice(0, 80) ?? String(event)}: expected a JSON object — a copy event ({"dates": [...]}, {"from", "to"}, a scheduled event), {"check": true}, ` +
        'an object event (EventBridge "Object Created", or an S3 notification {"Records": [...]}) or an SQS batch',
    ], NOT_USABLE);
  }
  const route = routeEvent(event, { ...options, lagDays, maxDays: options.maxDays ?? MAX_DAYS_PER_EVENT });
  if (route.kind === 'invalid') throw route.error;
  const kind = KIND_OF_ROUTE[route.kind];
  if ((kind === 'objects' || kind === 'sqsBatch') && event.dryRun !== undefined) {
    // The handler has no dry run for these: it would copy the objects for real.
    throw new ConfigError(['--dry-run (or "dryRun") applies to copy events: an object event or an SQS batch is copied for real; to see what a day would copy, run npm run invoke -- --dates <YYYY-MM-DD> --dry-run'], NOT_USABLE);
  }
  return kind;
}
