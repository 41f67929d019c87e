import { expect } from 'chai';
import { parseDestroyArgs } from '../../../../../deploy/commands/destroy/args.ts';
import { configProblems as problems } from '../../../../helpers/errors.ts';

describe('deploy/commands/destroy/args', () => {
  it('parses --yes, -y and --stack', () => {
    expect(parseDestroyArgs([])).to.deep.equal({ yes: false, stack: undefined });
    expect(parseDestroyArgs(['-y', '--stack', 's'])).to.deep.equal({ yes: true, stack: 's' });
  });

  it('names a bad argument', () => {
    expect(problems(() => parseDestroyArgs(['--force']))).to.deep.equal(['unknown argument "--force": expected --stack NAME, --yes']);
    expect(problems(() => parseDestroyArgs(['--stack', 'a', '--stack=b']))).to.deep.equal(['--stack is given twice']);
  });
});
