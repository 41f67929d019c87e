import { expect } from 'chai';
import { BenchUsageError, parseBenchArgs } from '../../../bench/options.ts';

describe('bench/options parseBenchArgs', () => {
  it('defaults: 3 rounds of 2,500 small and 50 large objects, the 1/4/16/64 curve, deploy', () => {
    expect(parseBenchArgs([])).to.deep.equal({
      quick: false, rounds: 3, smallCount: 2500, largeCount: 50, curve: [1, 4, 16, 64], curveRounds: 2,
      deploy: true, only: undefined, out: 'bench/results/latest.json', install: true, nice: 0,
    });
  });

  it('--quick: one small round, no curve, no deploy, results out of the committed file', () => {
    const o = parseBenchArgs(['--quick']);
    expect(o).to.include({ quick: true, rounds: 1, smallCount: 150, largeCount: 3, deploy: false, out: '.bench/quick.json' });
    expect(o.curve).to.deep.equal([]);
  });

  it('flags override the defaults, also after --quick', () => {
    const o = parseBenchArgs(['--quick', '--rounds', '2', '--small', '100', '--large', '0', '--curve', '2,8', '--curve-rounds', '1', '--only', 's3-push,aws-sync', '--out', 'x.json', '--no-install', '--nice', '-10']);
    expect(o).to.deep.include({ rounds: 2, smallCount: 100, largeCount: 0, curve: [2, 8], curveRounds: 1, only: ['s3-push', 'aws-sync'], out: 'x.json', install: false, nice: -10 });
    expect(parseBenchArgs(['--curve', 'none']).curve).to.deep.equal([]);
    expect(parseBenchArgs(['--no-deploy']).deploy).to.equal(false);
  });

  it('names the bad flag and what it expects', () => {
    expect(() => parseBenchArgs(['--rounds', '0'])).to.throw(BenchUsageError, '--rounds is "0": expected a whole number from 1 to 50');
    expect(() => parseBenchArgs(['--rounds'])).to.throw(BenchUsageError, '--rounds is missing its value');
    expect(() => parseBenchArgs(['--curve', '0,4'])).to.throw(BenchUsageError, /--curve is "0,4": expected COPY_CONCURRENCY values from 1 to 256/);
    expect(() => parseBenchArgs(['--only', '--quick'])).to.throw(BenchUsageError, /--only is missing its value/);
    expect(() => parseBenchArgs(['--fast'])).to.throw(BenchUsageError, 'unknown flag "--fast"');
    expect(() => parseBenchArgs(['--nice', '-21'])).to.throw(BenchUsageError, '--nice is "-21": expected a niceness from -20 to 19');
  });
});
