import { expect } from 'chai';
import { runCommand as run } from '../../../helpers/runCommand.ts';

// Every command goes through the one runner: --help prints its usage (exit 0), an unknown flag
// exits 2 naming it (with the usage), before anything runs; errors print in one format,
// `<command> failed: <message>`, without class names, a cause only once, and the usage only after
// a command-line error. Nothing here reaches AWS or starts a server: the endpoint is a closed
// port, and moto is a command that does not exist.
const NO_AWS = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1', MOTO_SERVER: 's3-push-no-such-moto-server' };
// [what runs, its name in error lines, how its usage starts]
const COMMANDS: [string, string, string][] = [
  ...['deploy', 'invoke', 'check', 'destroy', 'demo', 'status'].map((c): [string, string, string] => [c, c, `usage: npm run ${c}`]),
  ['bench/benchMain.ts', 'bench', 'usage: npm run bench'],
  ['scripts/build.ts', 'build', 'usage: npm run build'],
  ['scripts/docs.ts', 'docs', 'usage: npm run docs'],
  ['scripts/cfnLint.ts', 'cfn-lint', 'usage: npm run cfn-lint'],
  ['scripts/mutationTable.ts', 'mutation:table', 'usage: npm run mutation:table'],
  ['scripts/deployCalls.ts', 'deployCalls', 'usage: node --import tsx scripts/deployCalls.ts'],
  ['scripts/fanOutWorkers.ts', 'fanOutWorkers', 'usage: npx tsx scripts/fanOutWorkers.ts'],
  ['scripts/measureHandler.ts', 'measureHandler', 'usage: npx tsx scripts/measureHandler.ts'],
  ['scripts/measureCopyEngine.ts', 'measureCopyEngine', 'usage: npx tsx scripts/measureCopyEngine.ts'],
  ['scripts/measureDayRss.ts', 'measureDayRss', 'usage: npx tsx scripts/measureDayRss.ts'],
  ['scripts/measureFixedCost.ts', 'measureFixedCost', 'usage: npx tsx scripts/measureFixedCost.ts'],
  ['scripts/pushLatency.ts', 'pushLatency', 'usage: npx tsx scripts/pushLatency.ts'],
  ['scripts/measureDayMemory.ts', 'measureDayMemory', 'usage: node --expose-gc --max-old-space-size=64 --import tsx scripts/measureDayMemory.ts'],
];

describe('every command: --help, unknown flags, one error format', function () {
  this.timeout(180_000);

  for (const [command, name, usage] of COMMANDS) {
    it(`${name}: --help prints the usage and exits 0; --frobnicate exits 2 naming it`, async () => {
      const [help, unknown] = await Promise.all([
        run(command, ['--help'], { baseEnv: 'minimal', env: NO_AWS }),
        run(command, ['--frobnicate'], { baseEnv: 'minimal', env: NO_AWS }),
      ]);
      expect(help.code, help.stderr).to.equal(0);
      expect(help.stdout.startsWith(usage), help.stdout).to.equal(true);
      expect(help.stderr).to.equal('');
      expect(unknown.code, unknown.stderr + unknown.stdout).to.equal(2);
      expect(unknown.stderr).to.match(new RegExp(`^${name} failed: the command line is not valid:\n  unknown argument "--frobnicate"`));
      expect(unknown.stderr, 'the usage after a command-line error').to.include(usage);
      expect(unknown.stdout).to.equal('');
    });
  }

  it('scripts and bench check their numbers and tool ids before anything runs', async () => {
    const [measure, fanOut, bench, latency] = await Promise.all([
      run('scripts/measureHandler.ts', ['--objects', 'abc', '--concurrency', '1,x'], { baseEnv: 'minimal', env: NO_AWS }),
      run('scripts/fanOutWorkers.ts', ['--objects', 'abc', '--workers', '0'], { baseEnv: 'minimal', env: NO_AWS }),
      run('bench/benchMain.ts', ['--only', 'foo,s3-push,bar', '--no-install'], { baseEnv: 'minimal', env: NO_AWS }),
      run('scripts/pushLatency.ts', ['--objects', 'abc', '--rate', '0', '--window-ms', '-5'], { baseEnv: 'minimal', env: NO_AWS }),
    ]);
    expect(latency.code, latency.stderr).to.equal(2);
    expect(latency.stderr).to.match(/^pushLatency failed: the command line is not valid:\n {2}--objects "abc": expected a whole number from 1 to 100000\n {2}--rate "0": expected a whole number from 1 to 10000\n {2}--window-ms "-5": expected a whole number from 0 to 300000/);
    expect(latency.stderr, 'moto never started: nothing ran').to.not.include('moto');
    expect(measure.code, measure.stderr).to.equal(2);
    expect(measure.stderr).to.include('--objects "abc": expected a whole number').and.include('--concurrency "1,x"');
    expect(fanOut.code, fanOut.stderr).to.equal(2);
    expect(fanOut.stderr).to.include('--objects "abc": expected a whole number').and.include('--workers "0"');
    expect(bench.code, bench.stderr).to.equal(2);
    expect(bench.stderr).to.match(/^bench failed: the command line is not valid:\n {2}--only "foo,s3-push,bar": unknown tool id\(s\) "foo", "bar"/);
    expect(bench.stderr, 'nothing ran').to.not.include('bench: ');
  });

  it('a failure: one line `<command> failed: …`, no class name, the cause not repeated, no usage, no SDK warning', async () => {
    const env = { ...NO_AWS, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', S3_REPLICATE_STACK_NAME: 'some-stack' };
    // Node's warnings on (as an operator's shell has them): the AWS SDK's NodeVersionSupportWarning
    // must not show, under Node 20 as under any other.
    const [check, destroy, demo] = await Promise.all([
      run('check', [], { baseEnv: 'minimal', env: { ...env, NODE_NO_WARNINGS: undefined } }),
      run('destroy', ['--yes'], { baseEnv: 'minimal', env: { ...env, NODE_NO_WARNINGS: undefined } }),
      run('demo', [], { baseEnv: 'minimal', env }),
    ]);
    for (const [name, r] of [['check', check], ['destroy', destroy]] as const) {
      expect(r.code, r.stderr).to.equal(1);
      expect(r.stderr).to.match(new RegExp(`^${name} failed: could not read stack some-stack: .*ECONNREFUSED`));
      expect(r.stderr.match(/ECONNREFUSED/g), 'the cause is said once').to.have.length(1);
      expect(r.stderr).to.not.match(/DeployError|NodeVersionSupportWarning|usage:/);
    }
    expect(demo.code, demo.stderr).to.equal(1);
    expect(demo.stderr).to.match(/^demo failed: moto is not installed \('s3-push-no-such-moto-server' was not found on PATH\): install it with: pip install/);
    expect(demo.stderr).to.not.match(/MotoUnavailableError|usage:/);
  });

  it('bad input that is not the command line: exit 2 without the usage', async () => {
    const [invoke, check] = await Promise.all([
      run('invoke', ['--local', '--event', 'no-such-file.json'], { baseEnv: 'minimal', env: NO_AWS }),
      run('check', [], { baseEnv: 'minimal', env: NO_AWS }),
    ]);
    expect(invoke.code, invoke.stderr).to.equal(2);
    expect(invoke.stderr).to.match(/^invoke failed: the event is not usable:\n {2}--event no-such-file\.json: cannot read it \(ENOENT/);
    expect(check.code, check.stderr).to.equal(2);
    expect(check.stderr).to.match(/^check failed: cannot tell which stack to use:/);
    for (const r of [invoke, check]) expect(r.stderr).to.not.match(/usage:|Error:/);
  });
});
