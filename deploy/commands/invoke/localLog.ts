/**
 * The handler's log lines in `npm run invoke -- --local`: written to stderr as they come, except
 * that the handler's ERROR line for the error it then throws (a bad event, a bad environment) is
 * held back: the runner prints that error in its own format, and the operator would read it twice.
 * So is the handler's summary line of a run that failed with its summary (a day that could not be
 * listed, a copy that failed, the time budget spent): the command prints that summary on stdout,
 * and the runner the error, so the failure is said once on stderr. Any other line — a summary of a
 * run that succeeded, a failure of one copy — goes through unchanged. Pure.
 */
import { describeError } from '../../../rules/errors.ts';
import { SUMMARY_LOG_MESSAGE } from '../../../rules/names.ts';

export interface LocalLog {
  /** The handler logger's sink. */
  readonly sink: (line: string) => void;
  /** Call once the handler has returned (no error) or thrown `err`: writes the held line unless it only repeats `err`. */
  readonly settle: (err?: unknown) => void;
}

function errorMessageOf(line: string): string | undefined {
  try {
    const entry = JSON.parse(line) as { level?: unknown; message?: unknown };
    return entry.level === 'ERROR' && typeof entry.message === 'string' ? entry.message : undefined;
  } catch {
    return undefined;
  }
}

/** The errors a run throws with its summary (ReplicationFailedError, TimeBudgetError, ObjectEventsFailedError), which the command prints on stdout. */
function carriesSummary(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'summary' in err && typeof err.summary === 'object' && err.summary !== null;
}

/** A sink that writes through `write`, holding the last ERROR line until the next line or {@link LocalLog.settle}. */
export function localLog(write: (line: string) => void): LocalLog {
  let held: { line: string; message: string } | undefined;
  const flush = (): void => {
    if (held) write(held.line);
    held = undefined;
  };
  return {
    sink: (line) => {
      flush();
      const message = errorMessageOf(line);
      if (message === undefined) write(line);
      else held = { line, message };
    },
    settle: (err) => {
      if (held && err !== undefined && (held.message === describeError(err) || (held.message === SUMMARY_LOG_MESSAGE && carriesSummary(err)))) held = undefined;
      flush();
    },
  };
}
