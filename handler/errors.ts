/**
 * The handler's error classes. Each carries `cause` (the error it wraps, if any) and `userFault`:
 * true when the operator can fix it by changing the event or the environment (the Lambda should not
 * be retried as is), false when the system failed (S3, STS, the network) and a retry may succeed.
 */
import type { Summary } from './summary.ts';

/** Base class: a message meant for the operator, the wrapped `cause`, and who is at fault. */
export class S3PushError extends Error {
  /** True when a change to the event or the environment fixes it; false for system failures. */
  readonly userFault: boolean;

  constructor(message: string, options: { cause?: unknown; userFault: boolean }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.userFault = options.userFault;
  }
}

/** A handler environment variable is missing or malformed. Lists every bad variable at once. */
export class ConfigError extends S3PushError {
  override name = 'ConfigError';
  /** One line per bad variable: `NAME: what was wrong and what is expected`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid handler environment:\n  ${problems.join('\n  ')}`, { userFault: true });
    this.problems = problems;
  }
}

/** The event is not one the handler accepts, or names a date that does not exist. Nothing is copied. */
export class EventValidationError extends S3PushError {
  override name = 'EventValidationError';

  constructor(message: string) {
    super(message, { userFault: true });
  }
}

/** Copying one object failed after the SDK's retries. */
export class CopyError extends S3PushError {
  override name = 'CopyError';
  /** The source key that could not be copied. */
  readonly key: string;

  constructor(key: string, message: string, cause?: unknown) {
    super(message, { cause, userFault: false });
    this.key = key;
  }
}

/** Listing a prefix or assuming the destination role failed: the day cannot be planned. */
export class AwsCallError extends S3PushError {
  override name = 'AwsCallError';

  constructor(message: string, cause?: unknown) {
    super(message, { cause, userFault: false });
  }
}

/** A run that copied but did not finish well; thrown by the handler after the summary is logged. */
export class RunIncompleteError extends S3PushError {
  /** The summary that was logged, so a caller can still print it. */
  readonly summary: Summary;

  constructor(message: string, summary: Summary) {
    super(message, { userFault: false });
    this.summary = summary;
  }
}

/** At least one object failed. */
export class ReplicationFailedError extends RunIncompleteError {
  override name = 'ReplicationFailedError';
}

/** The time budget ran out before every day was handled; rerunning the same event resumes the work. */
export class TimeBudgetError extends RunIncompleteError {
  override name = 'TimeBudgetError';
}

/**
 * The message of any thrown value, with the SDK error name when there is one (e.g.
 * `AccessDenied: …`); our own errors already say what happened.
 */
export function describeError(err: unknown): string {
  if (err instanceof S3PushError) return err.message;
  if (err instanceof Error) {
    const name = err.name && err.name !== 'Error' && !err.message.startsWith(err.name) ? `${err.name}: ` : '';
    return `${name}${err.message}`;
  }
  return String(err);
}
