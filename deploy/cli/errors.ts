/**
 * The commands' own error class. The error model itself (`S3PushError`, `ConfigError`,
 * `UsageError`, `describeError`) is in rules/errors.ts; the tests on SDK errors in rules/awsErrors.ts.
 */
import { S3PushError } from '../../rules/errors.ts';

/** The deployment could not be done or failed (AWS refused, the stack failed or is stuck); exit 1. */
export class DeployError extends S3PushError {
  override name = 'DeployError';
  /** The IAM action of the call that failed (e.g. `s3:CreateBucket`), when one AWS call failed. */
  readonly action: string | undefined;

  constructor(message: string, cause?: unknown, action?: string) {
    super(message, { cause, userFault: false });
    this.action = action;
  }
}
