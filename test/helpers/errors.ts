/** What the tests expect of the project's own errors. */
import { expect } from 'chai';
import { ConfigError } from '../../deploy/cli/errors.ts';

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
