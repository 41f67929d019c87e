import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runCommand } from '../../helpers/runCommand.ts';

/** The `export NAME=value` lines of the output as variables (values in single quotes unquoted as a shell does). */
function exportsOf(stdout: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) continue;
    const raw = m[2]!;
    vars[m[1]!] = raw.startsWith("'") ? raw.slice(1, -1).replaceAll("'\\''", "'") : raw;
  }
  return vars;
}

/** True while the process runs (a zombie waiting for its new parent to reap it has stopped). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
};

// `npm run demo -- --keep` as a newcomer runs it: the server outlives the demo, and what it prints
// to export is enough for the --local commands in another shell; `kill <pid>` stops it.
describe('npm run demo -- --keep', function () {
  this.timeout(240_000);
  let pid: number | undefined;
  let logFile: string | undefined;

  after(async () => {
    if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
    if (logFile !== undefined) await rm(dirname(logFile), { recursive: true, force: true });
  });

  it('keeps the server, prints the environment, and the --local commands run against it with that alone', async () => {
    const demo = await runCommand('demo', ['--keep']);
    expect(demo.code, demo.stderr).to.equal(0);
    const head = /the moto server keeps running at (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+), log (\S+)\)/.exec(demo.stdout);
    expect(head, demo.stdout.slice(-3000)).to.not.equal(null);
    pid = Number(head![2]);
    logFile = head![3];
    const vars = exportsOf(demo.stdout);
    expect(vars.AWS_ENDPOINT_URL).to.equal(head![1]);
    expect(vars).to.include({ AWS_REGION: 'us-east-1', AWS_ACCOUNT: '123456789012', S3_ROOT_BUCKET: 'acme-events-demo', SOURCE_BUCKET: 'acme-events-demo', DESTINATION_BUCKET: 'partner-landing-demo' });
    expect(vars).to.not.have.property('WORK_QUEUE_URL');
    expect(demo.stdout).to.include(`stop the server: kill ${pid}`);

    // Only what was printed: no variable of this process (the test harness's own moto) leaks in.
    const check = await runCommand('check', ['--local', '--date', '2024-03-01'], { baseEnv: 'minimal', env: vars });
    expect(check.code, check.stderr + check.stdout).to.equal(0);
    expect(check.stdout + check.stderr).to.include('preflight: 4 of 4 links ok');
    const status = await runCommand('status', ['--local', '--from', '2024-03-01', '--to', '2024-03-03'], { baseEnv: 'minimal', env: vars });
    expect(status.code, status.stderr).to.equal(0);
    expect(status.stdout).to.include('3 day(s) from 2024-03-01 to 2024-03-03: 3 in sync, 0 not');

    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 200 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(pid), 'the server stops on kill <pid>').to.equal(false);
    expect(await fetch(`${vars.AWS_ENDPOINT_URL}/moto-api/config`).then(() => 'answered', () => 'refused')).to.equal('refused');
  });
});
