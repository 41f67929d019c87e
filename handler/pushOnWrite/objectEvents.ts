/**
 * Object events: what S3 says when an object lands, in the two shapes an operator can wire to the
 * function — EventBridge's `Object Created` event (the stack's rule sends these through the object
 * queue) and S3's own event notification (`{"Records": [...]}`, from a bucket notification to SQS or
 * Lambda, or pasted as a console test event). Parsed and validated into one typed list. Pure.
 *
 * Keys: S3's own notifications carry the key URL-encoded as a form value ("red flower.jpg" arrives
 * as "red+flower.jpg", a "+" as "%2B"), and are decoded here exactly so: `+` is a space, then the
 * percent escapes. Whether EventBridge's `detail.object.key` is encoded AWS does not document, and
 * the evidence conflicts (events published by users show keys as written; AWS's Powertools for
 * Python form-decodes it; LocalStack percent-encodes it): its decoded forms are kept beside it
 * ({@link ObjectEvent.decodedKeys}), and the handler classifies and looks up the key as written
 * first and decoded second, so a literal `+` or `%` in a real key still works.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
 */
import { isRecord, keyWithinLimit, rejecter, show as showValue } from '../parse.ts';
import { MAX_KEY_BYTES } from '../../rules/prefix.ts';

/** One object event, whatever shape it came in. */
export interface ObjectEvent {
  /** `eventbridge` (`detail-type` / `detail`) or `s3` (a notification record). */
  readonly shape: 'eventbridge' | 's3';
  /** The event's name: `Object Created`, `ObjectCreated:Put`, `Object Deleted`… */
  readonly name: string;
  /** True for an object created (put, copied, completed multipart, restored copy); other events are ignored. */
  readonly created: boolean;
  /**
   * True for an object deleted (EventBridge `Object Deleted`, a notification's `ObjectRemoved:*`,
   * a delete marker included); absent otherwise. Acted on only with EXACT_DAYS.
   */
  readonly deleted?: true;
  readonly bucket: string;
  /** The key, decoded. */
  readonly key: string;
  /**
   * For an EventBridge key that may be URL-encoded (it holds `+` or `%` escapes): its decoded forms,
   * form-decoded (`+` a space) first, then percent-decoded only; each differs from `key`. Used when
   * `key` as written does not fit the day pattern or does not exist.
   */
  readonly decodedKeys?: readonly string[];
  /** Size and ETag as the event reported them: logged beside the object as it is now, never used to copy. */
  readonly size?: number;
  readonly etag?: string;
  /** S3's ordering token of events for one key (hex); logged. */
  readonly sequencer?: string;
}

/** A bad value is shown in at most this many characters (a record may hold a whole key). */
const SHOWN_CHARS = 120;

const show = (value: unknown): string => showValue(value, SHOWN_CHARS);
const bad: (message: string) => never = rejecter('bad object event');

/** Which kind of object event document `doc` is: S3's test event, EventBridge's, or an S3 notification. */
export type ObjectDocumentShape = 'testEvent' | 'eventbridge' | 's3';

/**
 * The shape of an object event document (possibly a malformed one, which {@link parseObjectEvents}
 * then rejects): S3's `s3:TestEvent`, EventBridge's `"source": "aws.s3"`, or a `Records` list of
 * `"eventSource": "aws:s3"` records; undefined for anything else.
 */
export function objectDocumentShape(doc: unknown): ObjectDocumentShape | undefined {
  if (!isRecord(doc)) return undefined;
  if (doc.Event === 's3:TestEvent') return 'testEvent';
  if (doc.source === 'aws.s3') return 'eventbridge';
  const notification = Array.isArray(doc.Records) && doc.Records.length > 0 && doc.Records.every((r: unknown) => isRecord(r) && r.eventSource === 'aws:s3');
  return notification ? 's3' : undefined;
}

/** True when `doc` is an object event document of any shape ({@link objectDocumentShape}). */
export function isObjectEventDocument(doc: unknown): boolean {
  return objectDocumentShape(doc) !== undefined;
}

/** Decodes a key of an S3 event notification: form encoding, `+` for a space (S3's documented rule). */
export function decodeNotificationKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    return bad(`key ${show(encoded)} is not URL-encoded as S3 encodes notification keys (a "%" without two hex digits)`);
  }
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') bad(`${where} is ${show(value)}: expected a non-empty string`);
  return value;
}

function optionalSize(value: unknown, where: string): { size?: number } {
  if (value === undefined) return {};
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) bad(`${where} is ${show(value)}: expected a whole number of bytes`);
  return { size: value };
}

function optionalText(value: unknown, where: string, field: 'etag' | 'sequencer'): { etag?: string; sequencer?: string } {
  if (value === undefined) return {};
  if (typeof value !== 'string') bad(`${where} is ${show(value)}: expected a string`);
  return { [field]: value };
}

function checkKey(key: string, where: string): string {
  return keyWithinLimit(key, where, bad);
}

/** The forms a possibly URL-encoded key decodes to, other than itself: form-decoded, then percent-decoded; each at most 1,024 bytes. */
export function decodedForms(key: string): string[] {
  if (!/[+%]/.test(key)) return [];
  const forms: string[] = [];
  for (const decode of [(k: string) => decodeURIComponent(k.replace(/\+/g, ' ')), decodeURIComponent]) {
    try {
      const form = decode(key);
      if (form !== key && !forms.includes(form) && Buffer.byteLength(form) <= MAX_KEY_BYTES) forms.push(form);
    } catch {
      // A `%` without two hex digits: not an encoded key, only the form as written.
    }
  }
  return forms;
}

function fromEventBridge(doc: Record<string, unknown>): ObjectEvent {
  const name = text(doc['detail-type'], '"detail-type"');
  const detail = doc.detail;
  if (!isRecord(detail)) bad(`"detail" is ${show(detail)}: expected {"bucket": {"name": …}, "object": {"key": …}}`);
  const bucket = isRecord(detail.bucket) ? text(detail.bucket.name, '"detail.bucket.name"') : bad(`"detail.bucket" is ${show(detail.bucket)}: expected {"name": "<bucket>"}`);
  const object = isRecord(detail.object) ? detail.object : bad(`"detail.object" is ${show(detail.object)}: expected {"key": "<key>", …}`);
  const key = checkKey(text(object.key, '"detail.object.key"'), '"detail.object.key"');
  const decodedKeys = decodedForms(key);
  return {
    shape: 'eventbridge',
    name,
    created: name === 'Object Created',
    ...(name === 'Object Deleted' ? { deleted: true as const } : {}),
    bucket,
    key,
    ...(decodedKeys.length > 0 ? { decodedKeys } : {}),
    ...optionalSize(object.size, '"detail.object.size"'),
    ...optionalText(object.etag, '"detail.object.etag"', 'etag'),
    ...optionalText(object.sequencer, '"detail.object.sequencer"', 'sequencer'),
  };
}

function fromRecord(record: Record<string, unknown>, i: number): ObjectEvent {
  const where = `"Records"[${i}]`;
  const name = text(record.eventName, `${where}.eventName`);
  const s3 = record.s3;
  if (!isRecord(s3)) bad(`${where}.s3 is ${show(s3)}: expected {"bucket": {"name": …}, "object": {"key": …}}`);
  const bucket = isRecord(s3.bucket) ? text(s3.bucket.name, `${where}.s3.bucket.name`) : bad(`${where}.s3.bucket is ${show(s3.bucket)}: expected {"name": "<bucket>"}`);
  const object = isRecord(s3.object) ? s3.object : bad(`${where}.s3.object is ${show(s3.object)}: expected {"key": "<URL-encoded key>", …}`);
  const key = checkKey(decodeNotificationKey(text(object.key, `${where}.s3.object.key`)), `${where}.s3.object.key`);
  return {
    shape: 's3',
    name,
    // "ObjectCreated:Put", "ObjectCreated:Copy", "ObjectCreated:CompleteMultipartUpload"…
    created: name.startsWith('ObjectCreated:'),
    // "ObjectRemoved:Delete", "ObjectRemoved:DeleteMarkerCreated".
    ...(name.startsWith('ObjectRemoved:') ? { deleted: true as const } : {}),
    bucket,
    key,
    ...optionalSize(object.size, `${where}.s3.object.size`),
    ...optionalText(object.eTag, `${where}.s3.object.eTag`, 'etag'),
    ...optionalText(object.sequencer, `${where}.s3.object.sequencer`, 'sequencer'),
  };
}

/**
 * Parses an object event document into its events: one for an EventBridge event, one per record of
 * an S3 notification, none for S3's `s3:TestEvent` (sent once when a notification is configured).
 * Throws {@link EventValidationError} naming the bad field; never returns a partial list.
 */
export function parseObjectEvents(doc: unknown): ObjectEvent[] {
  if (!isRecord(doc)) bad(`got ${show(doc)}: expected an EventBridge "Object Created" event or an S3 notification {"Records": [...]}`);
  // The shape is told by objectDocumentShape alone, as the router tells it.
  switch (objectDocumentShape(doc)) {
    case 'testEvent':
      return [];
    case 'eventbridge':
      return [fromEventBridge(doc)];
    case 's3':
      return (doc.Records as Record<string, unknown>[]).map(fromRecord);
    case undefined:
      break;
  }
  if (Array.isArray(doc.Records) && doc.Records.length > 0) {
    const i = doc.Records.findIndex((r: unknown) => !isRecord(r) || r.eventSource !== 'aws:s3');
    bad(`"Records"[${i}] is ${show(doc.Records[i])}: expected an S3 event record ("eventSource": "aws:s3")`);
  }
  return bad(`${show(doc)}: expected an EventBridge event with "source": "aws.s3", or an S3 notification {"Records": [{"eventSource": "aws:s3", …}]}`);
}
