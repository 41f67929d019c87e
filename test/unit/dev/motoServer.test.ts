import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../../../deploy/repoRoot.ts';
import { fakePython } from '../../helpers/fakePython.ts';
import { runCommand } from '../../helpers/runCommand.ts';

describe('dev/motoServer startMoto on a machine without moto', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 's3-push-moto-launch-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** Starts and stops moto the way the test setup does, in a child with only this PATH (and HOME, TMPDIR) and S3_PUSH_VENV. */
  async function launch(env: Record<string, string>) {
    const script = join(root, 'launch.mts');
    const launcher = pathToFileURL(join(REPO_ROOT, 'dev/motoServer.ts')).href;
    await writeFile(script, `import { startMoto } from ${JSON.stringify(launcher)};
try {
  const s = await startMoto();
  console.log('up ' + s.endpoint);
  await s.stop();
} catch (e) {
  console.error(e.name + ': ' + e.message);
  process.exit(3);
}
`);
    return runCommand(script, [], { baseEnv: 'minimal', env });
  }

  it('installs moto[server] into the venv with a progress line and starts the moto_server there', async function () {
    this.timeout(30_000);
    const bin = await fakePython(root, 'installs');
    const venv = join(root, 'venv');
    const r = await launch({ PATH: bin, S3_PUSH_VENV: venv });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.include(`moto_server is not on PATH: installing moto[server] into ${venv}`);
    expect(r.stdout).to.match(/^up http:\/\/127\.0\.0\.1:\d+\n$/);
  });

  it('fails with MotoUnavailableError and the manual command when it cannot install it', async function () {
    this.timeout(30_000);
    const bin = await fakePython(root, 'no network');
    const r = await launch({ PATH: bin, S3_PUSH_VENV: join(root, 'venv') });
    expect(r.code).to.equal(3);
    expect(r.stderr).to.match(/^MotoUnavailableError: could not install moto\[server\] into .*: install it by hand with: pip install "moto\[server\]"/m);
  });
});
