import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { commandMain, runCommand } from '../../helpers/runCommand.ts';
import { REPO_ROOT } from '../../../deploy/repoRoot.ts';

describe('test helper runCommand', function () {
  this.timeout(30_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 's3-push-runcommand-'));
    // A TypeScript module (tsx must load it; .mts since the scratch folder has no package.json) that echoes what the helper passes in.
    await writeFile(join(dir, 'echo.mts'), [
      "const input: string = await new Promise((resolve) => { let s = ''; process.stdin.on('data', (c) => (s += String(c))); process.stdin.on('end', () => resolve(s)); });",
      'console.log(JSON.stringify({ args: process.argv.slice(2), cwd: process.cwd(), home: process.env.HOME ?? null, marker: process.env.RUN_COMMAND_MARKER ?? null, leaked: process.env.RUN_COMMAND_LEAK ?? null, noWarnings: process.env.NODE_NO_WARNINGS ?? null, input }));',
      "console.error('to stderr');",
      'process.exitCode = 3;',
    ].join('\n'));
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('names a command by its folder, a script by its path', () => {
    expect(commandMain('invoke')).to.equal(join(REPO_ROOT, 'deploy/commands/invoke/main.ts'));
    expect(commandMain('bench/benchMain.ts')).to.equal(join(REPO_ROOT, 'bench/benchMain.ts'));
    expect(commandMain('/abs/x.ts')).to.equal('/abs/x.ts');
  });

  it('collects stdout, stderr and the exit code, in the given directory, with stdin fed and closed', async () => {
    process.env.RUN_COMMAND_LEAK = 'yes';
    try {
      const run = await runCommand(join(dir, 'echo.mts'), ['--a', 'b c'], { cwd: dir, baseEnv: 'minimal', env: { RUN_COMMAND_MARKER: 'm' }, input: 'hello' });
      expect(run.code).to.equal(3);
      expect(run.signal).to.equal(null);
      expect(run.stderr).to.include('to stderr');
      expect(JSON.parse(run.stdout)).to.deep.equal({ args: ['--a', 'b c'], cwd: dir, home: process.env.HOME ?? null, marker: 'm', leaked: null, noWarnings: '1', input: 'hello' });
      const inherited = await runCommand(join(dir, 'echo.mts'), [], { env: { NODE_NO_WARNINGS: undefined } });
      expect(JSON.parse(inherited.stdout)).to.include({ leaked: 'yes', noWarnings: null, cwd: resolve(REPO_ROOT) });
    } finally {
      delete process.env.RUN_COMMAND_LEAK;
    }
  });
});
