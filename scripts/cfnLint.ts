/**
 * `npm run cfn-lint`: lints every CloudFormation template in templates/ with cfn-lint, errors,
 * warnings and informational findings alike. cfn-lint is `CFN_LINT`, else on PATH, else in the
 * project's virtual environment, installed there on first use (dev/pythonTools.ts); when that is
 * impossible the run fails with the command that installs it. It never skips.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CFN_LINT, locateTool, ToolUnavailableError } from '../dev/pythonTools.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const templates = readdirSync(`${root}templates`)
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => `templates/${name}`);
if (templates.length === 0) {
  console.error('cfn-lint: no template found in templates/');
  process.exit(1);
}

let command: string;
try {
  command = await locateTool(CFN_LINT, { progress: (line) => console.error(`cfn-lint: ${line}`) });
} catch (err) {
  if (!(err instanceof ToolUnavailableError)) throw err;
  console.error(`cfn-lint: ${err.message}`);
  process.exit(1);
}
const result = spawnSync(command, [...templates, '--include-checks', 'I'], { cwd: root, stdio: 'inherit' });
if (result.error) {
  const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
  console.error(
    missing
      ? `cfn-lint is not installed ('${command}' was not found): install it with  pip install cfn-lint`
      : `cfn-lint could not be run: ${result.error.message}`,
  );
  process.exit(1);
}
if (result.status !== 0) {
  console.error(`cfn-lint found problems in ${templates.join(', ')} (exit ${result.status ?? result.signal})`);
  process.exit(1);
}
console.log(`cfn-lint: ${templates.join(', ')} clean`);
