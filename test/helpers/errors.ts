/**
 * Errors in the tests: the one factory of AWS errors as the SDK throws them (for
 * aws-sdk-client-mock's `rejects`), and what the tests expect of the project's own errors.
 */
import { expect } from 'chai';
import { ConfigError } from '../../rules/errors.ts';

/**
 * An error as the SDK throws it for an AWS error response: `name` is the error code, `$fault`
 * follows the HTTP status (5xx: server), which is in `$metadata` — e.g.
 * `awsError('AccessDenied', 403, 'Access Denied')`. The message defaults to the code.
 */
export function awsError(name: string, httpStatusCode: number, message: string = name): Error {
  return Object.assign(new Error(message), { name, $fault: httpStatusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode } });
}

/** CloudFormation's answer to DescribeStacks (and others) for a stack that does not exist. */
export function stackMissing(stackName: string): Error {
  return awsError('ValidationError', 400, `Stack with id ${stackName} does not exist`);
}

/**
 * CloudFormation's two ways of saying an update changes nothing: the StatusReason of a FAILED change
 * set, and the ValidationError message of an update with nothing to do.
 */
export const NO_CHANGE_MESSAGES = [
  "The submitted information didn't contain changes. Submit different information to create a change set.",
  'No updates are to be performed.',
] as const;

/** The problems of the ConfigError (exit code 2) that `f` throws; fails the test if it throws none. */
export function configProblems(f: () => unknown): readonly string[] {
  try {
    f();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).exitCode).to.equal(2);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}
