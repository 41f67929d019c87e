import { expect } from 'chai';
import { executeCommand, exitCodeOf, formatFailure, isNodeVersionSupportWarning, type CommandDefinition } from '../../../../deploy/cli/runCommand.ts';
import { DeployError } from '../../../../deploy/cli/errors.ts';
import { ConfigError, S3PushError, UsageError } from '../../../../rules/errors.ts';

function io(env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env } };
}

function command(run: () => Promise<number | void>, parse: (argv: readonly string[]) => unknown = () => ({})): CommandDefinition<unknown> {
  return { name: 'thing', usage: 'usage: npm run thing [--x]', parse, run };
}

describe('deploy/cli/runCommand', () => {
  it('--help prints the usage and runs nothing: exit 0', async () => {
    let ran = false;
    const o = io();
    const code = await executeCommand(command(() => { ran = true; return Promise.resolve(); }, () => { throw new UsageError(['unknown argument "--bad"']); }), ['--bad', '--help'], o.io);
    expect({ code, ran, out: o.out, err: o.err }).to.deep.equal({ code: 0, ran: false, out: ['usage: npm run thing [--x]'], err: [] });
  });

  it('a command-line error: every problem, then the usage, exit 2, nothing run', async () => {
    let ran = false;
    const o = io();
    const code = await executeCommand(command(() => { ran = true; return Promise.resolve(); }, () => { throw new UsageError(['unknown argument "--frobnicate"', '--out needs a value']); }), ['--frobnicate'], o.io);
    expect(code).to.equal(2);
    expect(ran).to.equal(false);
    expect(o.err).to.deep.equal(['thing failed: the command line is not valid:\n  unknown argument "--frobnicate"\n  --out needs a value', '\nusage: npm run thing [--x]']);
  });

  it('an environment error: exit 2, no usage', async () => {
    const o = io();
    const code = await executeCommand(command(() => Promise.reject(new ConfigError(['AWS_ACCOUNT is missing'], 'the deploy environment is not valid'))), [], o.io);
    expect(code).to.equal(2);
    expect(o.err).to.deep.equal(['thing failed: the deploy environment is not valid:\n  AWS_ACCOUNT is missing']);
  });

  it('a failure: exit 1, the message without a class name, the cause once', async () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { name: 'Error', code: 'ECONNREFUSED' });
    const o = io();
    expect(await executeCommand(command(() => Promise.reject(new DeployError('uploading failed', new Error('Access Denied')))), [], o.io)).to.equal(1);
    expect(o.err).to.deep.equal(['thing failed: uploading failed', '  cause: Access Denied']);
    const p = io();
    // The cause's text already in the message is not printed a second time.
    expect(await executeCommand(command(() => Promise.reject(new DeployError(`STS GetCallerIdentity failed: ${cause.message}`, cause))), [], p.io)).to.equal(1);
    expect(p.err).to.deep.equal(['thing failed: STS GetCallerIdentity failed: connect ECONNREFUSED 127.0.0.1:9']);
  });

  it('an unexpected error: exit 1, its name and message, the stack only with DEBUG', async () => {
    const o = io();
    expect(await executeCommand(command(() => Promise.reject(new TypeError('x is not a function'))), [], o.io)).to.equal(1);
    expect(o.err).to.deep.equal(['thing failed: TypeError: x is not a function']);
    const d = io({ DEBUG: '1' });
    await executeCommand(command(() => Promise.reject(new TypeError('x is not a function'))), [], d.io);
    expect(d.err[1]).to.match(/^TypeError: x is not a function\n\s+at /);
  });

  it('the command\'s own exit code, 0 by default', async () => {
    expect(await executeCommand(command(() => Promise.resolve(1)), [], io().io)).to.equal(1);
    expect(await executeCommand(command(() => Promise.resolve()), [], io().io)).to.equal(0);
  });

  it('exit code from who is at fault', () => {
    expect(exitCodeOf(new S3PushError('x', { userFault: true }))).to.equal(2);
    expect(exitCodeOf(new S3PushError('x', { userFault: false }))).to.equal(1);
    expect(exitCodeOf(new Error('x'))).to.equal(1);
    expect(exitCodeOf('a string')).to.equal(1);
    expect(formatFailure('x', 'a string', false)).to.deep.equal(['x failed: a string']);
  });

  it('drops only the AWS SDK\'s NodeVersionSupportWarning', () => {
    expect(isNodeVersionSupportWarning('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions published after …')).to.equal(true);
    expect(isNodeVersionSupportWarning(Object.assign(new Error('NodeVersionSupportWarning: The AWS SDK …'), { name: 'Warning' }))).to.equal(true);
    expect(isNodeVersionSupportWarning('some other warning about NodeVersionSupportWarning')).to.equal(false);
    expect(isNodeVersionSupportWarning(Object.assign(new Error('buffer() is deprecated'), { name: 'DeprecationWarning' }))).to.equal(false);
    expect(isNodeVersionSupportWarning('ExperimentalWarning: fetch')).to.equal(false);
  });
});
