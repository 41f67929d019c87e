import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../dev/bundle.ts';
import { fakePython } from '../../helpers/fakePython.ts';

describe('dev/motoServer startMoto on a machine without moto', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 's3-push-moto-launch-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Starts and stops moto the way the test setup does, in a child with this environment. */
  function launch(env: Record<string, string>) {
    const script = "import('./dev/motoServer.ts').then(async (m) => { const s = await m.startMoto(); console.log('up ' + s.endpoint); await s.stop(); }).catch((e) => { console.error(e.name + ': ' + e.message); process.exit(3); })";
    return spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, env: { HOME: process.env.HOME ?? '', ...env }, encoding: 'utf8' });
  }

  it('installs moto[server] into the venv with a progress line and starts the moto_server there', async function () {
    this.timeout(30_000);
    const bin = await fakePython(root, 'installs');
    const venv = join(root, 'venv');
    const r = launch({ PATH: bin, S3_PUSH_VENV: venv });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.include(`moto_server is not on PATH: installing moto[server] into ${venv}`);
    expect(r.stdout).to.match(/^up http:\/\/127\.0\.0\.1:\d+\n$/);
  });

  it('fails with MotoUnavailableError and the manual command when it cannot install it', async function () {
    this.timeout(30_000);
    const bin = await fakePython(root, 'no network');
    const r = launch({ PATH: bin, S3_PUSH_VENV: join(root, 'venv') });
    expect(r.status).to.equal(3);
    expect(r.stderr).to.match(/^MotoUnavailableError: could not install moto\[server\] into .*: install it by hand with: pip install "moto\[server\]"/m);
  });
});
