/**
 * Which job an incoming event is for. One function reads every shape the function can receive and
 * answers one {@link Route}; the entry point then runs the job the route names. The tests go
 * through every shape in one table. Pure: nothing is copied or sent here.
 *
 * The shapes are told apart by fields that no other shape has, in this order:
 * - an SQS batch (`Records` of `"eventSource": "aws:sqs"`): each record whose body is an object
 *   event belongs to push on write, every other record is a work item of the fan-out;
 * - S3's `s3:TestEvent`, EventBridge's `"source": "aws.s3"`, or S3 notification `Records` of
 *   `"eventSource": "aws:s3"`: object events, parsed here;
 * - anything else is a copy or check event ({@link parseEvent}): a scheduled event, dates, a
 *   range, `{"check": true}`, or a bad event named in one message.
 */
import { parseEvent, type CheckEvent, type CopyEvent, type ParseEventOptions } from './events.ts';
import { EventValidationError } from './errors.ts';
import { isSqsEvent, type SqsRecordLike } from './fanOut/workItems.ts';
import { isObjectEventDocument, objectDocumentShape, parseObjectEvents, type ObjectEvent } from './pushOnWrite/objectEvents.ts';

/** Every event the function receives, classified (and, but for SQS bodies, parsed). */
export type Route =
  /** The EventBridge schedule's event: the scheduled day (LAG_DAYS before its time). */
  | { readonly kind: 'scheduled'; readonly copy: CopyEvent & { readonly trigger: 'schedule' } }
  /** `{"dates": [...]}` or `{"from", "to"}`: these days copied (or, with `dryRun`, planned). */
  | { readonly kind: 'days'; readonly copy: CopyEvent & { readonly trigger: 'dates' | 'range' } }
  /** `{"check": true}`: the preflight. */
  | { readonly kind: 'check'; readonly check: CheckEvent }
  /** An SQS batch of work items only (the work queue). */
  | { readonly kind: 'workBatch'; readonly records: readonly SqsRecordLike[] }
  /**
   * An SQS batch holding at least one object event (the object queue), with any other records of
   * the same batch, taken as work items.
   */
  | { readonly kind: 'objectBatch'; readonly objectRecords: readonly SqsRecordLike[]; readonly workRecords: readonly SqsRecordLike[] }
  /** EventBridge's `Object Created` (or another S3 event of its) given directly: one event. */
  | { readonly kind: 'eventBridgeObject'; readonly events: readonly ObjectEvent[] }
  /** S3's event notification `{"Records": [...]}` given directly: one event per record. */
  | { readonly kind: 's3Notification'; readonly events: readonly ObjectEvent[] }
  /** S3's `s3:TestEvent`, sent once when a notification is configured: nothing to copy. */
  | { readonly kind: 's3TestEvent'; readonly events: readonly [] }
  /** Not an event the function takes, or a malformed one: the message names the bad value. */
  | { readonly kind: 'invalid'; readonly error: EventValidationError };

/** What the routing needs of the handler's settings (and, for a copy event, {@link parseEvent}'s hint). */
export interface RouteOptions extends ParseEventOptions {
  /** LAG_DAYS: how many days before its time a scheduled event copies. */
  readonly lagDays: number;
  /** The most days a copy event may name (inline, or planned into the work queue). */
  readonly maxDays: number;
}

/** True when an SQS record's body is an object event (of either shape); other bodies are work items. */
export function isObjectEventRecord(record: SqsRecordLike): boolean {
  try {
    return isObjectEventDocument(JSON.parse(record.body));
  } catch {
    return false;
  }
}

/** Turns a validation error into the `invalid` route; any other error is a bug and is thrown. */
function invalidOr<T extends Route>(parse: () => T): T | Extract<Route, { kind: 'invalid' }> {
  try {
    return parse();
  } catch (err) {
    if (err instanceof EventValidationError) return { kind: 'invalid', error: err };
    throw err;
  }
}

/** Classifies `event` into its {@link Route}. Never throws for any JSON value. */
export function routeEvent(event: unknown, options: RouteOptions): Route {
  if (isSqsEvent(event)) {
    // One pass: a filter of the rest by `includes` was quadratic in the records of a directly invoked batch.
    const objectRecords: SqsRecordLike[] = [];
    const workRecords: SqsRecordLike[] = [];
    for (const r of event.Records) (isObjectEventRecord(r) ? objectRecords : workRecords).push(r);
    return objectRecords.length > 0 ? { kind: 'objectBatch', objectRecords, workRecords } : { kind: 'workBatch', records: workRecords };
  }
  switch (objectDocumentShape(event)) {
    case 'testEvent':
      return { kind: 's3TestEvent', events: [] };
    case 'eventbridge':
      return invalidOr(() => ({ kind: 'eventBridgeObject', events: parseObjectEvents(event) }));
    case 's3':
      return invalidOr(() => ({ kind: 's3Notification', events: parseObjectEvents(event) }));
    case undefined:
      break;
  }
  return invalidOr((): Route => {
    const parsed = parseEvent(event, options.lagDays, options);
    if (parsed.kind === 'check') return { kind: 'check', check: parsed };
    return parsed.trigger === 'schedule' ? { kind: 'scheduled', copy: { ...parsed, trigger: parsed.trigger } } : { kind: 'days', copy: { ...parsed, trigger: parsed.trigger } };
  });
}
