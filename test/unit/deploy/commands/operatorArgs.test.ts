import { expect } from 'chai';
import { parseCheckArgs } from '../../../../deploy/commands/check/args.ts';
import { parseDestroyArgs } from '../../../../deploy/commands/destroy/args.ts';
import { ConfigError } from '../../../../deploy/cli/errors.ts';

function problems(f: () => unknown): readonly string[] {
  try {
    f();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).exitCode).to.equal(2);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('deploy/checkArgs', () => {
  it('parses --local, --stack NAME and --stack=NAME', () => {
    expect(parseCheckArgs([])).to.deep.equal({ local: false, stack: undefined, help: false });
    expect(parseCheckArgs(['--local'])).to.deep.equal({ local: true, stack: undefined, help: false });
    expect(parseCheckArgs(['--stack', 'a'])).to.deep.include({ stack: 'a' });
    expect(parseCheckArgs(['--stack=b'])).to.deep.include({ stack: 'b' });
  });

  it('names every bad argument', () => {
    expect(problems(() => parseCheckArgs(['--stak', 'x', '--stack']))).to.deep.equal([
      'unknown argument "--stak": expected --stack NAME or --local',
      'unknown argument "x": expected --stack NAME or --local',
      '--stack needs a stack name: --stack NAME',
    ]);
    expect(problems(() => parseCheckArgs(['--local', '--stack', 'a']))).to.deep.equal(['--local runs the check in this process, --stack names a deployed function: use one of them']);
  });
});

describe('deploy/destroyArgs', () => {
  it('parses --yes, -y and --stack', () => {
    expect(parseDestroyArgs([])).to.deep.equal({ yes: false, stack: undefined, help: false });
    expect(parseDestroyArgs(['-y', '--stack', 's'])).to.deep.equal({ yes: true, stack: 's', help: false });
  });

  it('names a bad argument', () => {
    expect(problems(() => parseDestroyArgs(['--force']))).to.deep.equal(['unknown argument "--force": expected --stack NAME or --yes']);
    expect(problems(() => parseDestroyArgs(['--stack', 'a', '--stack=b']))).to.deep.equal(['--stack is given twice']);
  });
});
