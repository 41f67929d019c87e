import { expect } from 'chai';
import { ConfigError, describeError, S3PushError, UsageError } from '../../../rules/errors.ts';
import { DeployError } from '../../../deploy/cli/errors.ts';
import { CopyError, EventValidationError } from '../../../handler/errors.ts';

describe('rules/errors: one error model', () => {
  it('every error class of the handler and the commands is an S3PushError whose exit code follows from userFault', () => {
    const cases: [S3PushError, boolean][] = [
      [new ConfigError(['A is missing'], 'the environment is not valid'), true],
      [new UsageError(['unknown argument "--x"']), true],
      [new EventValidationError('bad event'), true],
      [new DeployError('stack failed'), false],
      [new CopyError('k', 'copy failed'), false],
    ];
    for (const [err, userFault] of cases) {
      expect(err).to.be.instanceOf(S3PushError);
      expect(err.userFault, err.name).to.equal(userFault);
      expect(err.exitCode, err.name).to.equal(userFault ? 2 : 1);
    }
  });

  it('a ConfigError and a UsageError list every problem under a heading', () => {
    const e = new UsageError(['a', 'b']);
    expect(e).to.be.instanceOf(ConfigError);
    expect(e.problems).to.deep.equal(['a', 'b']);
    expect(e.message).to.equal('the command line is not valid:\n  a\n  b');
  });

  it('describes our errors by their message, others with their name', () => {
    expect(describeError(new DeployError('the stack failed'))).to.equal('the stack failed');
    expect(describeError(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }))).to.equal('AccessDenied: User is not authorized');
    expect(describeError(Object.assign(new Error('AccessDenied: no'), { name: 'AccessDenied' }))).to.equal('AccessDenied: no');
    expect(describeError(new Error('plain'))).to.equal('plain');
    expect(describeError(42)).to.equal('42');
  });
});
