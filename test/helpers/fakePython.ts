/**
 * A fake Python 3 for the tests of the virtual-environment install (dev/pythonTools.ts), since
 * PyPI is not reachable from the test machines. The fake python3 is a Node script that, like the
 * real one, makes a virtual environment whose python runs pip, and whose pip "installs" a tool by
 * writing an executable stub into the venv's bin/. Each records its arguments in `calls.log`, so
 * the tests see exactly what would have been run.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An executable Node script at `path` (the shebang names this Node, so PATH need not hold it). */
export async function nodeScript(path: string, body: string): Promise<void> {
  await writeFile(path, `#!${process.execPath}\n${body}\n`);
  await chmod(path, 0o755);
}

/** What the fake pip installs: a moto_server that answers moto's readiness check, a cfn-lint that finds nothing. */
const STUBS: Record<string, string> = {
  moto_server: `const port = process.argv[process.argv.indexOf('-p') + 1];
require('node:http').createServer((q, s) => { s.writeHead(q.url === '/moto-api/config' ? 201 : 404); s.end('{}'); }).listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));`,
  'cfn-lint': "console.log('cfn-lint stub');",
};

/** How the fake pip behaves. */
export type PipBehaviour = 'installs' | 'no network' | 'no venv module';

/** A fake python3 in `bin/`; its calls are appended to `calls.log` in `root`. */
export async function fakePython(root: string, pip: PipBehaviour): Promise<string> {
  const bin = join(root, 'bin');
  await mkdir(bin, { recursive: true });
  const log = JSON.stringify(join(root, 'calls.log'));
  // The venv's python: `-m pip install … REQUIREMENT` writes bin/<tool> for moto[server] or cfn-lint.
  const venvPython = `
const STUBS = ${JSON.stringify(STUBS)};
const fs = require('node:fs'); const path = require('node:path');
fs.appendFileSync(${log}, 'venv-python ' + process.argv.slice(2).join(' ') + '\\n');
const args = process.argv.slice(2);
if (${JSON.stringify(pip)} === 'no network') {
  console.error('ERROR: Could not find a version that satisfies the requirement ' + args.at(-1) + ' (from versions: none)');
  process.exit(1);
}
const tool = { 'moto[server]': 'moto_server', 'cfn-lint': 'cfn-lint' }[args.at(-1)];
const target = path.join(path.dirname(process.argv[1]), tool);
fs.writeFileSync(target, '#!${process.execPath}\\n' + STUBS[tool]); fs.chmodSync(target, 0o755);`;
  await nodeScript(
    join(bin, 'python3'),
    `
const fs = require('node:fs'); const path = require('node:path');
fs.appendFileSync(${log}, 'python3 ' + process.argv.slice(2).join(' ') + '\\n');
const [flag, mod, dir] = process.argv.slice(2);
if (flag !== '-m' || mod !== 'venv') process.exit(2);
if (${JSON.stringify(pip)} === 'no venv module') {
  console.error('The virtual environment was not created successfully because ensurepip is not available.');
  process.exit(1);
}
fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
fs.writeFileSync(path.join(dir, 'bin', 'python'), '#!${process.execPath}\\n' + ${JSON.stringify(venvPython)}); fs.chmodSync(path.join(dir, 'bin', 'python'), 0o755);`,
  );
  return bin;
}
