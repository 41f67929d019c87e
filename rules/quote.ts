/**
 * Quoting input in messages and log lines, bounded. Anything an event, a work item or an endpoint
 * carries may be huge (a 250 KB field name, 5,000 unknown fields), and a message that quotes it
 * whole becomes a log line of that size. Every quote here is cut, with what was cut counted; and
 * {@link capLogLine} is the hard cap on one line, below CloudWatch Logs' limit on one event. Pure.
 */

/** Characters of one quoted value kept in a message. */
export const QUOTED_VALUE_CHARS = 120;

/** Values of a list quoted in a message; the rest are counted. */
export const QUOTED_LIST_ITEMS = 10;

/**
 * The most bytes of one log line. CloudWatch Logs stores a log event of at most 256 KB
 * (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html,
 * "Each log event can be no larger than 256 KB"; Lambda delivers each line of stdout as one event,
 * after a prefix of its own). A line is cut at 200 KiB, well below, so that the runtime's prefix and
 * any multi-byte characters never push it over.
 */
export const MAX_LOG_LINE_BYTES = 200 * 1024;

/** A value as JSON, cut at `maxChars` characters with the length of the whole said. */
export function quoteValue(value: string, maxChars = QUOTED_VALUE_CHARS): string {
  if (value.length <= maxChars) return JSON.stringify(value);
  // Not in the middle of a surrogate pair: half of one would print as U+FFFD.
  const end = /[\uD800-\uDBFF]/.test(value.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
  return `${JSON.stringify(value.slice(0, end))}… (${value.length.toLocaleString('en-US')} characters)`;
}

/** Values as a list of {@link quoteValue}, at most `maxItems` of them, the rest counted. */
export function quoteList(values: readonly string[], maxItems = QUOTED_LIST_ITEMS, maxChars = QUOTED_VALUE_CHARS): string {
  const shown = values.slice(0, maxItems).map((v) => quoteValue(v, maxChars)).join(', ');
  const rest = values.length - maxItems;
  return rest > 0 ? `${shown} and ${rest.toLocaleString('en-US')} more` : shown;
}

/** `text` cut to at most `maxBytes` bytes of UTF-8, on a character boundary. */
export function cutToBytes(text: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8: such a text fits without being counted.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, the next line returns the same text (this only saves counting)
  if (text.length * 3 <= maxBytes) return text;
  if (Buffer.byteLength(text) <= maxBytes) return text;
  // A partial UTF-8 sequence at the end would decode to U+FFFD: drop it.
  return Buffer.from(text).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
}

/** The bytes `text` takes inside a JSON string, its escapes counted, its quotes not. */
function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

/**
 * The longest start of `text` that takes at most `maxBytes` bytes inside a JSON string, cut on a
 * character boundary. A cut by raw bytes is not enough where the text is mostly escapes (a line
 * quoting a line: each `"` is `\\\"` again), and a guess corrected after the fact left such lines
 * with no excerpt at all.
 */
function cutToJsonBytes(text: string, maxBytes: number): string {
  let used = 0;
  let end = 0;
  for (const ch of text) {
    used += jsonBytes(ch);
    if (used > maxBytes) break;
    end += ch.length;
  }
  return text.slice(0, end);
}

/**
 * One log line within {@link MAX_LOG_LINE_BYTES}: `line` itself when it fits, otherwise a line of
 * its own that says so — `level`, `message` (cut), `logLineBytes` (the whole line's size),
 * `logLineCut` (how many bytes were left out) and `logLineExcerpt`, the longest start of the line
 * that fits — still one JSON object. `fields` are the level, message and context fields kept whole
 * (short by design); when they alone do not fit, the message gives way, and at last everything but
 * the level.
 */
export function capLogLine(line: string, fields: { level: string; message: string; [name: string]: unknown }, maxBytes = MAX_LOG_LINE_BYTES): string {
  const bytes = Buffer.byteLength(line);
  if (bytes <= maxBytes) return line;
  const head = { ...fields, message: cutToBytes(fields.message, 1024), logLineBytes: bytes };
  // The line around an empty excerpt, `logLineCut` written as `bytes`: the real cut has no more digits.
  const room = (): number => maxBytes - Buffer.byteLength(JSON.stringify({ ...head, logLineCut: bytes, logLineExcerpt: '' }));
  // The message gives way by what does not fit (by nothing when all fits).
  head.message = cutToJsonBytes(head.message, Math.max(0, jsonBytes(head.message) + room()));
  if (room() < 0) return JSON.stringify({ level: fields.level, logLineBytes: bytes });
  const excerpt = cutToJsonBytes(line, room());
  return JSON.stringify({ ...head, logLineCut: bytes - Buffer.byteLength(excerpt), logLineExcerpt: excerpt });
}
