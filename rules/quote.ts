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
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  // A partial UTF-8 sequence at the end would decode to U+FFFD: drop it.
  return Buffer.from(text).subarray(0, maxBytes).toString('utf8').replace(/\uFFFD$/, '');
}

/**
 * One log line within {@link MAX_LOG_LINE_BYTES}: `line` itself when it fits, otherwise a line of
 * its own that says so — `level`, `message` (cut), `logLineBytes` (the whole line's size),
 * `logLineCut` (how many bytes were left out) and `logLineExcerpt`, the line's start — still one
 * JSON object. `fields` are the level, message and context fields kept whole (short by design).
 */
export function capLogLine(line: string, fields: { level: string; message: string; [name: string]: unknown }, maxBytes = MAX_LOG_LINE_BYTES): string {
  const bytes = Buffer.byteLength(line);
  if (bytes <= maxBytes) return line;
  const head = { ...fields, message: cutToBytes(fields.message, 1024), logLineBytes: bytes };
  // What is left for the excerpt: its JSON escaping may take up to 6 bytes per character.
  let room = maxBytes - Buffer.byteLength(JSON.stringify({ ...head, logLineCut: bytes, logLineExcerpt: '' }));
  for (;;) {
    const excerpt = cutToBytes(line, Math.max(0, room));
    const out = JSON.stringify({ ...head, logLineCut: bytes - Buffer.byteLength(excerpt), logLineExcerpt: excerpt });
    const over = Buffer.byteLength(out) - maxBytes;
    if (over <= 0) return out;
    if (excerpt !== '') room -= over;
    // No room for any excerpt: the message gives way, and at last everything but the level.
    else if (head.message !== '') head.message = cutToBytes(head.message, Math.max(0, Buffer.byteLength(head.message) - over - 6));
    else return JSON.stringify({ level: fields.level, logLineBytes: bytes });
  }
}
