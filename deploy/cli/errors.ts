/**
 * Error classes of the operator commands. Each carries `cause` and `exitCode`: 2 when the operator
 * is at fault (environment, flags) and nothing was done, 1 when AWS or the deployment failed.
 */

/** Base class: a message meant for the operator, the wrapped cause, and the exit code. */
export class S3PushCommandError extends Error {
  /** 2 for a user fault (fix the input and rerun), 1 for a failure. */
  readonly exitCode: 1 | 2;

  constructor(message: string, exitCode: 1 | 2, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.exitCode = exitCode;
  }
}

/** The environment or the command line is wrong. Lists every problem at once; exit 2, no AWS call made. */
export class ConfigError extends S3PushCommandError {
  override name = 'ConfigError';
  /** One line per fault: `NAME is "value": expected …`. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], heading = 'the deploy environment is not valid') {
    super(`${heading}:\n  ${problems.join('\n  ')}`, 2);
    this.problems = problems;
  }
}

/** The deployment could not be done or failed (AWS refused, the stack failed or is stuck); exit 1. */
export class DeployError extends S3PushCommandError {
  override name = 'DeployError';
  /** The IAM action of the call that failed (e.g. `s3:CreateBucket`), when one AWS call failed. */
  readonly action: string | undefined;

  constructor(message: string, cause?: unknown, action?: string) {
    super(message, 1, cause);
    this.action = action;
  }
}

/** The name and message of an SDK (or any) error, e.g. `AccessDenied: User … is not authorized`. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const prefix = err.name && err.name !== 'Error' && !err.message.startsWith(err.name) ? `${err.name}: ` : '';
    return `${prefix}${err.message}`;
  }
  return String(err);
}
