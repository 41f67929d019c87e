import { expect } from 'chai';
import { parseDeployArgs } from '../../../../../deploy/commands/deploy/args.ts';
import { ConfigError } from '../../../../../rules/errors.ts';

describe('deploy/commands/deploy/args parseDeployArgs', () => {
  it('defaults to a plain deploy into the working directory', () => {
    expect(parseDeployArgs([])).to.deep.equal({ plan: false, outDir: undefined, applySourcePolicy: false, enableSourceEvents: false });
  });

  it('reads --plan, --out DIR, --out=DIR and --apply-source-policy', () => {
    expect(parseDeployArgs(['--plan']).plan).to.equal(true);
    expect(parseDeployArgs(['--out', 'policies']).outDir).to.equal('policies');
    expect(parseDeployArgs(['--out=policies']).outDir).to.equal('policies');
    expect(parseDeployArgs(['--apply-source-policy', '--out', 'x'])).to.deep.include({ applySourcePolicy: true, outDir: 'x' });
  });

  it('reads --enable-source-events', () => {
    expect(parseDeployArgs(['--enable-source-events']).enableSourceEvents).to.equal(true);
    expect(parseDeployArgs([]).enableSourceEvents).to.equal(false);
  });

  const bad: [string[], string][] = [
    [['--force'], 'unknown argument "--force"'],
    [['--out'], '--out needs a value: --out DIR'],
    [['--out', '--plan'], '--out needs a value: --out DIR'],
    [['--out='], '--out needs a value: --out DIR'],
    [['--out', 'a', '--out', 'b'], '--out is given twice'],
    [['--plan', '--apply-source-policy'], 'use one of them'],
    [['--plan', '--enable-source-events'], '--enable-source-events writes the bucket\'s notification configuration: use one of them'],
    [['--enable-source-event'], 'unknown argument "--enable-source-event"'],
  ];
  for (const [argv, fragment] of bad) {
    it(`refuses ${argv.join(' ')} (exit 2)`, () => {
      expect(() => parseDeployArgs(argv)).to.throw(ConfigError, fragment).with.property('exitCode', 2);
    });
  }
});
