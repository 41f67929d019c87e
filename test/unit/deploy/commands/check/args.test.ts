import { expect } from 'chai';
import { parseCheckArgs } from '../../../../../deploy/commands/check/args.ts';
import { configProblems as problems } from '../../../../helpers/errors.ts';

describe('deploy/commands/check/args', () => {
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
