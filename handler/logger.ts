import { capLogLine, cutToBytes } from '../rules/quote.ts';

/**
 * The handler's one structured logger: each entry is a single JSON line on stdout (CloudWatch
 * Logs keeps it as one event, and Logs Insights parses its fields). Secrets given at creation
 * (the external id) are masked in every line, whatever carried them there. A library logger
 * (Powertools Logger) would add the Lambda context too, but it cannot mask a value wherever it
 * appears: masking by value is why this one stays.
 */

export type LogLevel = 'INFO' | 'WARN' | 'ERROR';

export interface Logger {
  /** Writes `{level, message, ...fields}` as one line. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** Where lines go; the console by default, an array in tests. */
export type LineSink = (line: string) => void;

/** Lambda's log: stdout, one line per event (the logger's and the metrics' default). */
export const stdoutSink: LineSink = (line) => console.log(line);

/** What every line of one invocation carries. */
export interface LogContext {
  /** The Lambda request id (`context.awsRequestId`): ties each line to its invocation and to Lambda's START/END/REPORT lines. */
  readonly requestId?: string | undefined;
}

/** Masks every occurrence of each secret (also JSON-escaped) in a line with `***`. */
export function maskSecrets(secrets: readonly (string | undefined)[]): (line: string) => string {
  const masked = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return (line) => {
    let out = line;
    for (const s of masked) out = out.split(s).join('***').split(JSON.stringify(s).slice(1, -1)).join('***');
    return out;
  };
}

/** Creates a logger that masks every occurrence of each secret with `***` and adds the request id, when known, to each line. */
export function createLogger(secrets: readonly (string | undefined)[] = [], sink: LineSink = stdoutSink, context: LogContext = {}): Logger {
  const mask = maskSecrets(secrets);
  const requestId = context.requestId === undefined || context.requestId === '' ? {} : { requestId: context.requestId };
  return {
    log(level, message, fields = {}) {
      const timestamp = new Date().toISOString();
      const line = mask(JSON.stringify({ level, message, ...fields, ...requestId, timestamp }));
      // The hard cap of one line (rules/quote.ts): a line past it keeps its level, message, request
      // id and time, and says how much was cut.
      sink(capLogLine(line, { level, message: mask(message), ...requestId, timestamp }));
    },
  };
}

/**
 * Most bytes of a rejected event that go into its log line. CloudWatch Logs keeps at most 256 KB
 * of one event (a 5 MB event made a 5 MB line), and a few KB show what was sent.
 */
export const MAX_LOGGED_EVENT_BYTES = 4096;

/**
 * The fields that show a rejected event in a log line: `{event}` whole when its JSON is at most
 * {@link MAX_LOGGED_EVENT_BYTES}; otherwise `{eventExcerpt, eventBytes, eventBytesCut}`, the first
 * bytes of its JSON and how much was left out.
 */
export function eventForLog(event: unknown, maxBytes = MAX_LOGGED_EVENT_BYTES): Record<string, unknown> {
  let text: string;
  try {
    text = JSON.stringify(event) ?? String(event);
  } catch {
    text = String(event);
  }
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return { event };
  const excerpt = cutToBytes(text, maxBytes);
  return { eventExcerpt: excerpt, eventBytes: bytes, eventBytesCut: bytes - Buffer.byteLength(excerpt) };
}
