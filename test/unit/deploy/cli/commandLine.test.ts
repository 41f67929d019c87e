import { expect } from 'chai';
import { numberListFlag, parseCommandLine, synopsisOf, usageOf, USAGE_WIDTH, wantsHelp, wholeNumberFlag, wrapText, type CommandSpec } from '../../../../deploy/cli/commandLine.ts';

const FLAGS = {
  out: { type: 'string', value: 'DIR', help: 'where' },
  nice: { type: 'string', value: 'N', help: 'how nice' },
  plan: { type: 'boolean', help: 'plan only' },
  yes: { type: 'boolean', short: 'y', help: 'do not ask' },
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

describe('deploy/cli/commandLine usageOf: the usage written from the flags', () => {
  const SPEC = {
    name: 'thing',
    summary: 'Does the thing to every day of the range, which takes a summary long enough to be wrapped over more than one line of the usage.',
    flags: {
      out: { type: 'string', value: 'DIR', help: 'where the files go (default: here)' },
      yes: { type: 'boolean', short: 'y', help: 'do not ask; a help text long enough that it must be wrapped into a second line under its own column, not under the flag' },
    },
    notes: ['Exit 0 when done.'],
  } as const satisfies CommandSpec;

  it('names each flag once in the synopsis and once in the list, with its help, wrapped under its column', () => {
    const usage = usageOf(SPEC);
    const lines = usage.split('\n');
    expect(lines[0]).to.equal('usage: npm run thing [-- [--out DIR] [--yes]]');
    expect(usage.match(/--out DIR/g)).to.have.length(2);
    expect(lines).to.include('  --out DIR  where the files go (default: here)');
    const yes = lines.findIndex((l) => l.startsWith('  -y, --yes'));
    expect(lines[yes]).to.match(/^ {2}-y, --yes {2}do not ask; a help text/);
    expect(lines[yes + 1]).to.match(/^ {13}\S/);
    expect(lines.at(-1)).to.equal('Exit 0 when done.');
    for (const line of lines) expect(line.length, line).to.be.at.most(USAGE_WIDTH);
  });

  it('changes when a flag\'s help changes: the help has no second copy', () => {
    const changed = { ...SPEC, flags: { ...SPEC.flags, out: { ...SPEC.flags.out, help: 'somewhere else' } } };
    expect(usageOf(changed)).to.include('  --out DIR  somewhere else').and.not.include('where the files go');
  });

  it('wraps the synopsis between flags, never inside one', () => {
    const flags = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`flag-number-${i}`, { type: 'string' as const, value: 'VALUE', help: 'x' }]));
    const synopsis = synopsisOf({ name: 'long', summary: '', flags, notes: [] });
    expect(synopsis.length).to.be.greaterThan(1);
    for (const line of synopsis) {
      expect(line.length, line).to.be.at.most(USAGE_WIDTH);
      expect(line.trimEnd(), 'a line ends after a whole flag').to.match(/(\[--|VALUE\]+)$/);
    }
    expect(synopsis.join(' ').match(/\[--flag-number-\d+ VALUE\]/g)).to.have.length(12);
  });

  it('a script run its own way: its invocation, no npm `--`, a small indent after a long one', () => {
    const flags = { keys: { type: 'string' as const, value: 'N', help: 'keys' }, mode: { type: 'string' as const, value: 'MODE', help: 'mode' } };
    const invocation = `node --expose-gc --max-old-space-size=64 --import tsx scripts/${'x'.repeat(60)}.ts`;
    expect(synopsisOf({ name: 'm', invocation: 'npx tsx scripts/m.ts', summary: '', flags, notes: [] })).to.deep.equal(['usage: npx tsx scripts/m.ts [--keys N] [--mode MODE]']);
    expect(synopsisOf({ name: 'm', invocation, summary: '', flags, notes: [] })).to.deep.equal([`usage: ${invocation}`, '    [--keys N] [--mode MODE]']);
  });

  it('a command without flags: the synopsis alone', () => {
    expect(usageOf({ name: 'demo', summary: 'Plays it.', flags: {}, notes: [] })).to.equal('usage: npm run demo\n  Plays it.');
  });

  it('wrapText keeps a word longer than the width whole', () => {
    expect(wrapText('a verylongword b', 5)).to.deep.equal(['a', 'verylongword', 'b']);
  });
});
