/**
 * The one error model of s3-push, shared by the handler and the commands. Every error we throw is
 * an {@link S3PushError}: a message meant for the operator, the `cause` it wraps, and `userFault` —
 * true when the operator fixes it by changing their input (environment, flags, event), false when
 * the system failed (AWS, the network, a stack) and a retry may succeed. A command's exit code
 * follows from it (2 or 1); the handler logs it, so that Lambda's retries are not blamed on input.
 */

/** Base class: a message meant for the operator, the wrapped `cause`, and who is at fault. */
export class S3PushError extends Error {
  /** True when a change to the input (environment, flags, event) fixes it; false for system failures. */
  readonly userFault: boolean;

  constructor(message: string, options: { cause?: unknown; userFault: boolean }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.userFault = options.userFault;
  }

  /** The exit code of a command that stops on this error: 2 when the user can fix it, 1 otherwise. */
  get exitCode(): 1 | 2 {
    return this.userFault ? 2 : 1;
  }
}

/**
 * The environment (or other configuration) is missing or malformed. Lists every problem at once;
 * thrown before any AWS call, so nothing was done.
 */
export class ConfigError extends S3PushError {
  override name = 'ConfigError';
  /** One line per fault: `NAME is "value": expected …`. */
  readonly problems: readonly string[];

  /** `heading` says what is not valid, e.g. `the deploy environment is not valid`. */
  constructor(problems: readonly string[], heading: string) {
    super(`${heading}:\n  ${problems.join('\n  ')}`, { userFault: true });
    this.problems = problems;
  }
}

/**
 * The command line is wrong (an unknown flag, a missing or bad value, flags that exclude each
 * other). Every problem at once; the command prints its usage after it.
 */
export class UsageError extends ConfigError {
  override name = 'UsageError';

  constructor(problems: readonly string[]) {
    super(problems, 'the command line is not valid');
  }
}

/**
 * The message of any thrown value. Our own errors already say what happened; for others (SDK
 * errors, Node's system errors) the error's name leads when the message does not already start
 * with it, e.g. `AccessDenied: User … is not authorized`.
 */
export function describeError(err: unknown): string {
  if (err instanceof S3PushError) return err.message;
  if (err instanceof Error) {
    const name = err.name && err.name !== 'Error' && !err.message.startsWith(err.name) ? `${err.name}: ` : '';
    return `${name}${err.message}`;
  }
  return String(err);
}
