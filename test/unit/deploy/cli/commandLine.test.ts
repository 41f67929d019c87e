import { expect } from 'chai';
import { numberListFlag, parseCommandLine, wantsHelp, wholeNumberFlag } from '../../../../deploy/cli/commandLine.ts';

const FLAGS = {
  out: { type: 'string', value: 'DIR' },
  nice: { type: 'string', value: 'N' },
  plan: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
} as const;

describe('deploy/cli/commandLine parseCommandLine', () => {
  it('reads switches, --flag value, --flag=value, short aliases, and defaults the rest', () => {
    expect(parseCommandLine([], FLAGS)).to.deep.equal({ values: { out: undefined, nice: undefined, plan: false, yes: false }, positionals: [], problems: [] });
    expect(parseCommandLine(['--out', 'd', '--plan', '-y'], FLAGS).values).to.deep.equal({ out: 'd', nice: undefined, plan: true, yes: true });
    expect(parseCommandLine(['--out=a=b'], FLAGS).values.out).to.equal('a=b');
  });

  it('takes a negative number as a value: --nice -10', () => {
    const r = parseCommandLine(['--nice', '-10', '--plan'], FLAGS);
    expect(r.problems).to.deep.equal([]);
    expect(r.values).to.deep.include({ nice: '-10', plan: true });
  });

  it('reports every syntax problem at once, naming each argument', () => {
    const r = parseCommandLine(['--frobnicate', 'stray', '--out', '--plan', '--plan=1', '--yes', '-y', '--nice'], FLAGS);
    expect(r.problems).to.deep.equal([
      'unknown argument "--frobnicate": expected --out DIR, --nice N, --plan, --yes',
      'unknown argument "stray": expected --out DIR, --nice N, --plan, --yes',
      '--out needs a value: --out DIR',
      '--plan is given twice',
      '--yes is given twice',
      '--nice needs a value: --nice N',
    ]);
    // The flag after a valueless one is still read as a flag.
    expect(r.values.plan).to.equal(true);
    expect(parseCommandLine(['--plan=yes'], FLAGS).problems).to.deep.equal(['--plan takes no value (got "yes")']);
  });

  it('keeps positionals only when the command takes them', () => {
    expect(parseCommandLine(['a', '--plan', '--', '--out'], FLAGS, { positionals: true })).to.deep.include({ positionals: ['a', '--out'], problems: [] });
  });

  it('sees --help or -h before any --', () => {
    expect(wantsHelp(['--plan', '--help'])).to.equal(true);
    expect(wantsHelp(['-h'])).to.equal(true);
    expect(wantsHelp(['--', '--help'])).to.equal(false);
    expect(wantsHelp(['--helpful'])).to.equal(false);
  });
});

describe('deploy/cli/commandLine number flags', () => {
  it('reads a whole number within its range, or names the flag and the range', () => {
    const problems: string[] = [];
    expect(wholeNumberFlag('--n', undefined, 1, 5, problems)).to.equal(undefined);
    expect(wholeNumberFlag('--n', '5', 1, 5, problems)).to.equal(5);
    expect(wholeNumberFlag('--nice', '-20', -20, 19, problems)).to.equal(-20);
    expect(problems).to.deep.equal([]);
    for (const bad of ['abc', '6', '0', '1.5', '', '1e3', '0x10']) expect(wholeNumberFlag('--n', bad, 1, 5, problems)).to.equal(undefined);
    expect(problems).to.have.length(7);
    expect(problems[0]).to.equal('--n "abc": expected a whole number from 1 to 5');
  });

  it('reads a list of whole numbers, or names the flag', () => {
    const problems: string[] = [];
    expect(numberListFlag('--c', '1,4, 16', 1, 256, problems)).to.deep.equal([1, 4, 16]);
    expect(numberListFlag('--c', '1,,4', 1, 256, problems)).to.equal(undefined);
    expect(numberListFlag('--c', '0', 1, 256, problems)).to.equal(undefined);
    expect(numberListFlag('--c', 'a', 1, 256, problems)).to.equal(undefined);
    expect(problems).to.deep.equal([
      '--c "1,,4": expected whole numbers from 1 to 256 separated by commas',
      '--c "0": expected whole numbers from 1 to 256 separated by commas',
      '--c "a": expected whole numbers from 1 to 256 separated by commas',
    ]);
  });
});
