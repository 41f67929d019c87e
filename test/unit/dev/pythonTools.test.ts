import { expect } from 'chai';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CFN_LINT, locateTool, MOTO_SERVER, ToolUnavailableError } from '../../../dev/pythonTools.ts';
import { fakePython, nodeScript } from '../../helpers/fakePython.ts';

describe('dev/pythonTools locateTool', () => {
  let root: string;
  let lines: string[];
  const progress = (line: string) => lines.push(line);
  const calls = async () => (existsSync(join(root, 'calls.log')) ? (await readFile(join(root, 'calls.log'), 'utf8')).trim().split('\n') : []);

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 's3-push-python-tools-'));
    lines = [];
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('uses the tool on PATH as it is (CI keeps its own moto and cfn-lint), and never runs Python', async () => {
    const bin = await fakePython(root, 'installs');
    await nodeScript(join(bin, 'moto_server'), '');
    const venv = join(root, 'venv');
    expect(await locateTool(MOTO_SERVER, { env: { PATH: bin, S3_PUSH_VENV: venv }, progress })).to.equal(join(bin, 'moto_server'));
    expect(await calls()).to.deep.equal([]);
    expect(lines).to.deep.equal([]);
    expect(existsSync(venv)).to.equal(false);
  });

  it('uses MOTO_SERVER or CFN_LINT when set, before PATH', async () => {
    const bin = await fakePython(root, 'installs');
    await nodeScript(join(bin, 'cfn-lint'), '');
    expect(await locateTool(CFN_LINT, { env: { PATH: bin, CFN_LINT: '/opt/cfn-lint' }, progress })).to.equal('/opt/cfn-lint');
    expect(await locateTool(MOTO_SERVER, { env: { PATH: bin, MOTO_SERVER: 'my-moto' }, progress })).to.equal('my-moto');
  });

  it('installs a missing tool into the project venv with python3 -m venv and pip, says so, and uses it from then on', async () => {
    const bin = await fakePython(root, 'installs');
    const venv = join(root, 'venv');
    const env = { PATH: bin, S3_PUSH_VENV: venv };

    const moto = await locateTool(MOTO_SERVER, { env, progress });
    expect(moto).to.equal(join(venv, 'bin', 'moto_server'));
    expect(await calls()).to.deep.equal([
      `python3 -m venv ${venv}`,
      'venv-python -m pip install --disable-pip-version-check --quiet moto[server]',
    ]);
    expect(lines).to.have.length(2);
    expect(lines[0]).to.equal(`moto_server is not on PATH: installing moto[server] into ${venv} (${join(bin, 'python3')} -m venv, then pip; once, about a minute)…`);
    expect(lines[1]).to.match(new RegExp(`^installed moto\\[server\\] into ${venv} in \\d+\\.\\d s$`));

    // The second tool goes into the same venv (no second venv); a second call installs nothing.
    expect(await locateTool(CFN_LINT, { env, progress })).to.equal(join(venv, 'bin', 'cfn-lint'));
    expect(await locateTool(MOTO_SERVER, { env, progress })).to.equal(moto);
    expect(await calls()).to.deep.equal([
      `python3 -m venv ${venv}`,
      'venv-python -m pip install --disable-pip-version-check --quiet moto[server]',
      'venv-python -m pip install --disable-pip-version-check --quiet cfn-lint',
    ]);
    expect(lines).to.have.length(4);
  });

  it('fails with the manual command when Python 3 is not there, creating nothing', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    const venv = join(root, 'venv');
    const err = await locateTool(MOTO_SERVER, { env: { PATH: empty, S3_PUSH_VENV: venv }, progress }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ToolUnavailableError);
    expect((err as Error).message).to.equal(
      `moto_server is not on PATH and Python 3 (python3) is not there to install it into ${venv}: install it by hand with: pip install "moto[server]"  (or set MOTO_SERVER to its path)`,
    );
    expect(lines).to.deep.equal([]);
    expect(existsSync(venv)).to.equal(false);
  });

  it('fails with the manual command and pip\'s reason when pip cannot install (PyPI unreachable)', async () => {
    const bin = await fakePython(root, 'no network');
    const venv = join(root, 'venv');
    const err = await locateTool(CFN_LINT, { env: { PATH: bin, S3_PUSH_VENV: venv }, progress }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ToolUnavailableError);
    expect((err as Error).message).to.equal(
      `could not install cfn-lint into ${venv} (pip exited 1: ERROR: Could not find a version that satisfies the requirement cfn-lint (from versions: none)): install it by hand with: pip install "cfn-lint"  (or set CFN_LINT to its path)`,
    );
    expect(lines).to.have.length(1);
  });

  it('fails with the manual command when Python 3 has no venv module', async () => {
    const bin = await fakePython(root, 'no venv module');
    const venv = join(root, 'venv');
    const err = await locateTool(MOTO_SERVER, { env: { PATH: bin, S3_PUSH_VENV: venv }, progress }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ToolUnavailableError);
    expect((err as Error).message).to.match(/^could not create the virtual environment .*venv \(.*python3 -m venv exited 1: The virtual environment was not created successfully because ensurepip is not available\.\): install it by hand with: pip install "moto\[server\]"/);
  });
});
