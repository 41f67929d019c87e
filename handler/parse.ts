/**
 * What every parser of outside input shares (the copy and check events, work items, object
 * events): telling a JSON object from anything else, showing a bad value in a message without
 * letting it grow the message, and one error per kind of input. Pure.
 */
import { MAX_KEY_BYTES } from '../rules/prefix.ts';
import { EventValidationError } from './errors.ts';

/** True for a plain JSON object: not null, not an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `value` as JSON (or its string form when it has none), cut to `maxChars` characters with `...`
 * at the end: a bad value is named in the message, a huge one does not become the message.
 */
export function show(value: unknown, maxChars: number): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > maxChars ? `${text.slice(0, maxChars - 3)}...` : text;
}

/** The thrower of one kind of input: `rejecter('bad work item')(message)` throws "bad work item: message". */
export function rejecter(what: string): (message: string) => never {
  return (message) => {
    throw new EventValidationError(`${what}: ${message}`);
  };
}

/** `key` when it fits S3's key length ({@link MAX_KEY_BYTES}); otherwise `bad` names `where` and its length. */
export function keyWithinLimit(key: string, where: string, bad: (message: string) => never): string {
  const bytes = Buffer.byteLength(key);
  if (bytes > MAX_KEY_BYTES) bad(`${where} is ${bytes} bytes: S3 keys have at most ${MAX_KEY_BYTES}`);
  return key;
}
