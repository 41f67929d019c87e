/** `npm run check`: the one place that reads process.env and argv, prints, and sets the exit code. */
import { S3PushError } from '../../../handler/errors.ts';
import { CHECK_USAGE, parseCheckArgs } from './args.ts';
import { checkDeployed, checkLocal } from './check.ts';
import { createClients } from '../../aws/clients.ts';
import { S3PushCommandError, describeError } from '../../cli/errors.ts';
import { formatCheckReport } from '../../cli/reportFormat.ts';
import { resolveStackTarget } from '../../cloudformation/stackTarget.ts';

try {
  const args = parseCheckArgs(process.argv.slice(2));
  if (args.help) {
    console.log(CHECK_USAGE);
  } else {
    let report;
    if (args.local) {
      console.log('running the preflight in this process with your credentials: link 1 tells whether YOU may assume the role');
      console.log('(the trust policy names the function\'s execution role; npm run check without --local asks the function itself)');
      report = await checkLocal(process.env);
    } else {
      const target = resolveStackTarget(process.env, args.stack);
      report = await checkDeployed(target, createClients({ region: target.region }), (line) => console.log(line));
    }
    for (const line of formatCheckReport(report)) console.log(line);
    process.exitCode = report.ok ? 0 : 1;
  }
} catch (err) {
  console.error(`check failed: ${describeError(err)}`);
  if (err instanceof Error && err.cause !== undefined) console.error(`  cause: ${describeError(err.cause)}`);
  if (process.env.DEBUG && err instanceof Error) console.error(err.stack);
  const userFault = (err instanceof S3PushCommandError && err.exitCode === 2) || (err instanceof S3PushError && err.userFault);
  if (userFault && !(err instanceof S3PushError)) console.error(`\n${CHECK_USAGE}`);
  process.exitCode = userFault ? 2 : 1;
}
