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

/**
 * The source object is archived (S3 Glacier Flexible Retrieval, Deep Archive, or an
 * Intelligent-Tiering archive tier) and cannot be read until restored: S3 answers CopyObject and
 * UploadPartCopy with InvalidObjectState. Not a failure of the run: it is counted as `archived`.
 */
export class ArchivedObjectError extends CopyError {
  override name = 'ArchivedObjectError';
  /** The storage class, or the Intelligent-Tiering access tier, as far as S3 said. */
  readonly storageClass: string;

  constructor(key: string, storageClass: string, message: string, cause?: unknown) {
    super(key, message, cause);
    this.storageClass = storageClass;
  }
}

/**
 * A multipart copy stopped between parts because the invocation's time budget ran low; its upload
 * was aborted. The object is not finished: the day's continuation starts at it again.
 */
export class CopyInterruptedError extends CopyError {
  override name = 'CopyInterruptedError';
}

/**
 * The archive state S3 reported in an error: `InvalidObjectState` (its body names StorageClass and
 * AccessTier) or the older `ObjectNotInActiveTierError`; undefined for any other error.
 */
export function archivedStateOf(err: unknown): string | undefined {
  for (let e = err, i = 0; e !== undefined && e !== null && i < 8; e = (e as { cause?: unknown }).cause, i++) {
    const x = e as { name?: unknown; StorageClass?: unknown; AccessTier?: unknown };
    if (x.name === 'InvalidObjectState' || x.name === 'ObjectNotInActiveTierError') {
      const tier = typeof x.AccessTier === 'string' ? x.AccessTier : undefined;
      const cls = typeof x.StorageClass === 'string' ? x.StorageClass : undefined;
      return tier && cls ? `${cls} (${tier})` : cls ?? tier ?? 'archived';
    }
  }
  return undefined;
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
