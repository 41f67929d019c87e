/**
 * The handler's own error classes, on the one error model of rules/errors.ts (`S3PushError` with
 * `cause` and `userFault`; `ConfigError` for a bad environment). `userFault` is true when the
 * operator can fix it by changing the event or the environment (the Lambda should not be retried
 * as is), false when the system failed (S3, STS, the network) and a retry may succeed.
 */
import { S3PushError } from '../rules/errors.ts';
import type { Summary } from './summary.ts';

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
