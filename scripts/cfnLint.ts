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
import { parseCommandLine, throwIfProblems } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';
import { S3PushError } from '../rules/errors.ts';

const USAGE = `usage: npm run cfn-lint
  lints every template in templates/ with cfn-lint (CFN_LINT names another cfn-lint command)`;

const root = fileURLToPath(new URL('..', import.meta.url));

await runCommand({
  name: 'cfn-lint',
  usage: USAGE,
  parse: (argv) => throwIfProblems(parseCommandLine(argv, {}).problems),
  run: async () => {
    const templates = readdirSync(`${root}templates`)
      .filter((name) => /\.ya?ml$/.test(name))
      .map((name) => `templates/${name}`);
    if (templates.length === 0) throw new S3PushError('no template found in templates/', { userFault: false });
    let command: string;
    try {
      command = await locateTool(CFN_LINT, { progress: (line) => console.error(`cfn-lint: ${line}`) });
    } catch (err) {
      if (!(err instanceof ToolUnavailableError)) throw err;
      throw new S3PushError(err.message, { userFault: false });
    }
    const result = spawnSync(command, [...templates, '--include-checks', 'I'], { cwd: root, stdio: 'inherit' });
    if (result.error) {
      const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
      throw new S3PushError(
        missing
          ? `cfn-lint is not installed ('${command}' was not found): install it with  pip install cfn-lint`
          : `cfn-lint could not be run: ${result.error.message}`,
        { userFault: false },
      );
    }
    if (result.status !== 0) throw new S3PushError(`cfn-lint found problems in ${templates.join(', ')} (exit ${result.status ?? result.signal})`, { userFault: false });
    console.log(`cfn-lint: ${templates.join(', ')} clean`);
  },
});
