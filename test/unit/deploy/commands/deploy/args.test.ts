import { expect } from 'chai';
import { parseDeployArgs } from '../../../../../deploy/commands/deploy/args.ts';
import { ConfigError } from '../../../../../deploy/cli/errors.ts';

describe('deploy/commands/deploy/args parseDeployArgs', () => {
  it('defaults to a plain deploy into the working directory', () => {
    expect(parseDeployArgs([])).to.deep.equal({ plan: false, outDir: undefined, applySourcePolicy: false, help: false });
  });

  it('reads --plan, --out DIR, --out=DIR and --apply-source-policy', () => {
    expect(parseDeployArgs(['--plan']).plan).to.equal(true);
    expect(parseDeployArgs(['--out', 'policies']).outDir).to.equal('policies');
    expect(parseDeployArgs(['--out=policies']).outDir).to.equal('policies');
    expect(parseDeployArgs(['--apply-source-policy', '--out', 'x'])).to.deep.include({ applySourcePolicy: true, outDir: 'x' });
  });

  const bad: [string[], string][] = [
    [['--force'], 'unknown argument "--force"'],
    [['--out'], '--out needs a directory'],
    [['--out', '--plan'], '--out needs a directory'],
    [['--plan', '--apply-source-policy'], 'use one of them'],
  ];
  for (const [argv, fragment] of bad) {
    it(`refuses ${argv.join(' ')} (exit 2)`, () => {
      expect(() => parseDeployArgs(argv)).to.throw(ConfigError, fragment).with.property('exitCode', 2);
    });
  }
});
