import { expect } from 'chai';
import { parseCheckArgs } from '../../../../../deploy/commands/check/args.ts';
import { configProblems as problems } from '../../../../helpers/errors.ts';

describe('deploy/commands/check/args', () => {
  it('parses --local, --stack NAME and --stack=NAME', () => {
    expect(parseCheckArgs([])).to.deep.equal({ local: false, stack: undefined, date: undefined });
    expect(parseCheckArgs(['--local'])).to.deep.equal({ local: true, stack: undefined, date: undefined });
    expect(parseCheckArgs(['--local', '--date', '2024-02-29'])).to.deep.equal({ local: true, stack: undefined, date: '2024-02-29' });
    expect(parseCheckArgs(['--stack', 'a'])).to.deep.include({ stack: 'a' });
    expect(parseCheckArgs(['--stack=b'])).to.deep.include({ stack: 'b' });
  });

  it('names every bad argument', () => {
    expect(problems(() => parseCheckArgs(['--stak', 'x', '--stack']))).to.deep.equal([
      'unknown argument "--stak": expected --stack NAME, --local, --date YYYY-MM-DD',
      'unknown argument "x": expected --stack NAME, --local, --date YYYY-MM-DD',
      '--stack needs a value: --stack NAME',
    ]);
    expect(problems(() => parseCheckArgs(['--stack', '--local']))).to.deep.equal(['--stack needs a value: --stack NAME']);
    expect(problems(() => parseCheckArgs(['--local=yes']))).to.deep.equal(['--local takes no value (got "yes")']);
    expect(problems(() => parseCheckArgs(['--local', '--stack', 'a']))).to.deep.equal(['--local runs the check in this process, --stack names a deployed function: use one of them']);
    expect(problems(() => parseCheckArgs(['--date', '2024-02-30']))).to.deep.equal(['--date is "2024-02-30": expected a calendar day, YYYY-MM-DD']);
  });
});
