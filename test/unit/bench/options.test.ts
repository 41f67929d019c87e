import { expect } from 'chai';
import { AWS_LATENCY_MODEL } from '../../../bench/latencyModel.ts';
import { MB_PER_VCPU } from '../../../bench/memoryTable.ts';
import { loadTemplate } from '../../../deploy/cloudformation/template.ts';
import { DEFAULT_LATENCY_SEED, LAMBDA_CPU_QUOTA, parseBenchArgs, SAVED_RESULTS, TOOL_IDS } from '../../../bench/options.ts';
import { UsageError } from '../../../rules/errors.ts';

function problems(argv: string[]): readonly string[] {
  try {
    parseBenchArgs(argv);
  } catch (err) {
    expect(err).to.be.instanceOf(UsageError);
    return (err as UsageError).problems;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
}

describe('bench/options parseBenchArgs', () => {
  it('defaults: 3 rounds of 2,500 small and 50 large objects, the 1/4/16/64 curve, deploy, results out of git', () => {
    expect(parseBenchArgs([])).to.deep.equal({
      quick: false, rounds: 3, smallCount: 2500, largeCount: 50, curve: [1, 4, 16, 64], curveRounds: 2,
      deploy: true, only: undefined, out: '.bench/latest.json', save: false, render: false, install: true, nice: 0,
      cpuQuota: undefined, latency: undefined, latencySeed: DEFAULT_LATENCY_SEED, cpuProfDir: undefined,
    });
  });

  it('--cpu-prof DIR profiles the runs into DIR, never the committed results', () => {
    expect(parseBenchArgs(['--cpu-prof', '.bench/prof', '--only', 's3-push'])).to.deep.include({ cpuProfDir: '.bench/prof', save: false, out: '.bench/latest.json' });
    expect(problems(['--save', '--cpu-prof', 'p'])).to.deep.equal(["--cpu-prof samples every s3-push run, which costs it CPU: its figures are not for the committed results; use --cpu-prof without --save"]);
    expect(problems(['--cpu-prof='])).to.deep.equal(['--cpu-prof needs a value: --cpu-prof DIR']);
  });

  it('--lambda: 0.58 CPU (1,024 of the 1,769 MB that buy a vCPU) and the aws latency model; each flag also alone, and wins beside it', () => {
    expect(LAMBDA_CPU_QUOTA).to.equal(Number((1024 / 1769).toFixed(2)));
    // The function the template deploys by default: a change of its memory moves --lambda with it.
    expect(LAMBDA_CPU_QUOTA, 'the template\'s default MemorySize ÷ MB per vCPU').to.equal(Number((Number(loadTemplate().template.Parameters.MemorySize?.Default) / MB_PER_VCPU).toFixed(2)));
    expect(parseBenchArgs(['--lambda'])).to.deep.include({ cpuQuota: 0.58, latency: AWS_LATENCY_MODEL, latencySeed: 24 });
    expect(parseBenchArgs(['--cpu-quota', '1.5'])).to.deep.include({ cpuQuota: 1.5, latency: undefined });
    const alone = parseBenchArgs(['--latency', 'CopyObject=10,default=5', '--latency-seed', '9']);
    expect(alone.cpuQuota).to.equal(undefined);
    expect(alone.latency).to.deep.include({ name: 'CopyObject=10,default=5', byOperation: { CopyObject: 10 }, defaultMs: 5 });
    expect(alone.latencySeed).to.equal(9);
    expect(parseBenchArgs(['--lambda', '--cpu-quota', '2'])).to.deep.include({ cpuQuota: 2, latency: AWS_LATENCY_MODEL });
    expect(parseBenchArgs(['--lambda', '--latency', 'CopyObject=5']).latency?.byOperation).to.deep.equal({ CopyObject: 5 });
  });

  it('names a bad quota, model or seed', () => {
    expect(problems(['--cpu-quota', '0'])).to.deep.equal(['--cpu-quota "0": expected a number of CPUs from 0.05 to 64 (e.g. 0.58 for a 1,024 MB Lambda)']);
    expect(problems(['--cpu-quota', 'half'])[0]).to.match(/^--cpu-quota "half": expected a number of CPUs/);
    expect(problems(['--cpu-quota', '65'])[0]).to.match(/^--cpu-quota "65"/);
    expect(problems(['--latency', 'CopyObject'])[0]).to.match(/^--latency "CopyObject": "CopyObject" is not Operation=ms/);
    expect(problems(['--latency-seed', '-1'])).to.deep.equal(['--latency-seed "-1": expected a whole number from 0 to 4294967295']);
    expect(problems(['--lambda=yes'])).to.deep.equal(['--lambda takes no value (got "yes")']);
  });

  it('--quick: one small round, no curve, no deploy, results out of the committed file', () => {
    const o = parseBenchArgs(['--quick']);
    expect(o).to.include({ quick: true, rounds: 1, smallCount: 150, largeCount: 3, deploy: false, out: '.bench/quick.json' });
    expect(o.curve).to.deep.equal([]);
  });

  it('writes the committed results only with --save', () => {
    expect(parseBenchArgs(['--save']).out).to.equal(SAVED_RESULTS);
    expect(SAVED_RESULTS).to.equal('bench/results/latest.json');
    expect(parseBenchArgs(['--quick', '--save']).out).to.equal(SAVED_RESULTS);
    expect(problems(['--save', '--out', 'x.json'])).to.deep.equal(['--save writes the committed results, --out names another file: use one of them']);
    // Each profile has its own file, so the page can show them side by side.
    expect(parseBenchArgs(['--save', '--lambda']).out).to.equal('bench/results/lambda-0.58.json');
    expect(parseBenchArgs(['--save', '--lambda', '--cpu-quota', '1']).out).to.equal('bench/results/lambda-1.00.json');
    expect(parseBenchArgs(['--save', '--cpu-quota', '1']).out).to.equal('bench/results/custom.json');
    expect(parseBenchArgs(['--save', '--latency', 'CopyObject=1']).out).to.equal('bench/results/custom.json');
    expect(parseBenchArgs(['--save']).save).to.equal(true);
    expect(parseBenchArgs([]).save).to.equal(false);
  });

  it('--render measures nothing and refuses any other flag, naming it', () => {
    expect(parseBenchArgs(['--render'])).to.include({ render: true, save: false });
    expect(problems(['--render', '--save', '--rounds', '2'])).to.deep.equal(['--render measures nothing and takes no other flag: drop --save --rounds']);
  });

  it('flags override the defaults, also after --quick; --nice takes a negative number', () => {
    const o = parseBenchArgs(['--quick', '--rounds', '2', '--small', '100', '--large', '0', '--curve', '2,8', '--curve-rounds', '1', '--only', 's3-push,aws-sync', '--out', 'x.json', '--no-install', '--nice', '-10']);
    expect(o).to.deep.include({ rounds: 2, smallCount: 100, largeCount: 0, curve: [2, 8], curveRounds: 1, only: ['s3-push', 'aws-sync'], out: 'x.json', install: false, nice: -10 });
    expect(parseBenchArgs(['--nice=-5']).nice).to.equal(-5);
    expect(parseBenchArgs(['--curve', 'none']).curve).to.deep.equal([]);
    expect(parseBenchArgs(['--no-deploy']).deploy).to.equal(false);
  });

  it('refuses unknown tool ids, naming them', () => {
    expect(problems(['--only', 'foo'])).to.deep.equal([`--only "foo": unknown tool id(s) "foo": expected some of ${TOOL_IDS.join(', ')}`]);
    expect(problems(['--only', 's3-push,rclon,x'])[0]).to.match(/unknown tool id\(s\) "rclon", "x"/);
    expect(parseBenchArgs(['--only', TOOL_IDS.join(',')]).only).to.deep.equal([...TOOL_IDS]);
  });

  it('names every bad flag and what it expects, at once', () => {
    expect(problems(['--rounds', '0', '--rounds'])).to.deep.equal(['--rounds is given twice', '--rounds "0": expected a whole number from 1 to 50']);
    expect(problems(['--rounds'])).to.deep.equal(['--rounds needs a value: --rounds N']);
    expect(problems(['--curve', '0,4'])).to.deep.equal(['--curve "0,4": expected whole numbers from 1 to 256 separated by commas']);
    expect(problems(['--only', '--quick'])).to.deep.equal(['--only needs a value: --only IDS']);
    expect(problems(['--fast'])[0]).to.match(/^unknown argument "--fast": expected --quick, --rounds N, /);
    expect(problems(['--nice', '-21', '--small', 'abc'])).to.deep.equal(['--small "abc": expected a whole number from 0 to 100000', '--nice "-21": expected a whole number from -20 to 19']);
  });
});
