import { expect } from 'chai';
import { parseDemoArgs } from '../../../../../deploy/commands/demo/args.ts';
import { configProblems as problems } from '../../../../helpers/errors.ts';

describe('deploy/commands/demo/args', () => {
  it('one partner by default; --partners 2 adds the second', () => {
    expect(parseDemoArgs([])).to.deep.equal({ keep: false, partners: 1 });
    expect(parseDemoArgs(['--partners', '2', '--keep'])).to.deep.equal({ keep: true, partners: 2 });
    expect(parseDemoArgs(['--partners=1'])).to.deep.equal({ keep: false, partners: 1 });
  });

  it('names a --partners value it does not take, exit 2', () => {
    expect(problems(() => parseDemoArgs(['--partners', '']))).to.deep.equal(['--partners needs a value: --partners N']);
    for (const bad of ['3', '0', 'two', '2.0']) expect(problems(() => parseDemoArgs(['--partners', bad]))).to.deep.equal([`--partners ${JSON.stringify(bad)}: expected 1 or 2`]);
  });
});
