import { expect } from 'chai';
import { parseDestroyArgs } from '../../../../../deploy/commands/destroy/args.ts';
import { configProblems as problems } from '../../../../helpers/errors.ts';

describe('deploy/commands/destroy/args', () => {
  it('parses --yes, -y, --stack, --keep-source-policy and --plan', () => {
    expect(parseDestroyArgs([])).to.deep.equal({ yes: false, stack: undefined, keepSourcePolicy: false, plan: false });
    expect(parseDestroyArgs(['-y', '--stack', 's'])).to.deep.equal({ yes: true, stack: 's', keepSourcePolicy: false, plan: false });
    expect(parseDestroyArgs(['--keep-source-policy', '--plan'])).to.deep.include({ keepSourcePolicy: true, plan: true });
  });

  it('names a bad argument', () => {
    expect(problems(() => parseDestroyArgs(['--force']))).to.deep.equal(['unknown argument "--force": expected --stack NAME, --yes, --keep-source-policy, --plan']);
    expect(problems(() => parseDestroyArgs(['--stack', 'a', '--stack=b']))).to.deep.equal(['--stack is given twice']);
  });
});
