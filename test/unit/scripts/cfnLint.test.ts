import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../helpers/runCommand.ts';
import { fakePython } from '../../helpers/fakePython.ts';

describe('scripts/cfnLint.ts on a machine without cfn-lint', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 's3-push-cfn-lint-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** `npm run cfn-lint` with only this PATH (and HOME, TMPDIR) and S3_PUSH_VENV. */
  const cfnLint = (env: Record<string, string>) => runCommand('scripts/cfnLint.ts', [], { baseEnv: 'minimal', env });

  it('installs it into the venv with a progress line, then runs it', async function () {
    this.timeout(30_000);
    const bin = await fakePython(root, 'installs');
    const venv = join(root, 'venv');
    const r = await cfnLint({ PATH: bin, S3_PUSH_VENV: venv });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stderr).to.include(`cfn-lint: cfn-lint is not on PATH: installing cfn-lint into ${venv}`);
    expect(r.stdout).to.include('cfn-lint: templates/pushS3Template.yml clean');
    expect(existsSync(join(venv, 'bin', 'cfn-lint'))).to.equal(true);
  });

  it('exits 1 with the manual command when it cannot install it', async function () {
    this.timeout(30_000);
    const bin = await fakePython(root, 'no network');
    const r = await cfnLint({ PATH: bin, S3_PUSH_VENV: join(root, 'venv') });
    expect(r.code).to.equal(1);
    expect(r.stderr).to.include('install it by hand with: pip install "cfn-lint"');
  });
});
