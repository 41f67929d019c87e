/**
 * The handler's one structured logger: each entry is a single JSON line on stdout (CloudWatch
 * Logs keeps it as one event, and Logs Insights parses its fields). Secrets given at creation
 * (the external id) are masked in every line, whatever carried them there.
 */

export type LogLevel = 'INFO' | 'ERROR';

export interface Logger {
  /** Writes `{level, message, ...fields}` as one line. */
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** Where lines go; the console by default, an array in tests. */
export type LineSink = (line: string) => void;

/** Creates a logger that masks every occurrence of each secret with `***`. */
export function createLogger(secrets: readonly (string | undefined)[] = [], sink: LineSink = (line) => console.log(line)): Logger {
  const masked = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return {
    log(level, message, fields = {}) {
      let line = JSON.stringify({ level, message, ...fields, timestamp: new Date().toISOString() });
      for (const s of masked) line = line.split(s).join('***').split(JSON.stringify(s).slice(1, -1)).join('***');
      sink(line);
    },
  };
}
