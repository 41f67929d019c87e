/** `npm run status`: the one place that reads process.env and argv, prints, and sets the exit code. */
import { S3PushError } from '../../../handler/errors.ts';
import { utcDateOf } from '../../../rules/dates.ts';
import { parseStatusArgs, STATUS_USAGE } from './args.ts';
import { checkDays, deployedChecker, localChecker, renderStatus, useColor } from './status.ts';
import { createClients } from '../../aws/clients.ts';
import { S3PushCommandError, describeError } from '../../cli/errors.ts';
import { resolveStackTarget } from '../../cloudformation/stackTarget.ts';

try {
  const args = parseStatusArgs(process.argv.slice(2), utcDateOf(new Date()));
  if (args.help) {
    console.log(STATUS_USAGE);
  } else {
    let check;
    if (args.local) {
      check = localChecker(process.env);
    } else {
      const target = resolveStackTarget(process.env, args.stack);
      check = await deployedChecker(target, createClients({ region: target.region }), (line) => console.error(line));
    }
    // Progress on stderr for a long range, so that stdout stays the report (or the JSON).
    const total = args.dates.length;
    const step = Math.max(1, Math.floor(total / 10));
    const onProgress = total > 7 ? (done: number) => {
      if (done % step === 0 || done === total) console.error(`status: ${done}/${total} days checked`);
    } : undefined;
    const statuses = await checkDays(args.dates, check, onProgress ? { onProgress } : {});
    if (args.json) console.log(JSON.stringify(statuses, null, 2));
    else for (const line of renderStatus(statuses, { color: useColor(process.stdout.isTTY === true, process.env) })) console.log(line);
    process.exitCode = statuses.every((s) => s.inSync) ? 0 : 1;
  }
} catch (err) {
  console.error(`status failed: ${describeError(err)}`);
  if (err instanceof Error && err.cause !== undefined) console.error(`  cause: ${describeError(err.cause)}`);
  if (process.env.DEBUG && err instanceof Error) console.error(err.stack);
  const userFault = (err instanceof S3PushCommandError && err.exitCode === 2) || (err instanceof S3PushError && err.userFault);
  if (userFault && !(err instanceof S3PushError)) console.error(`\n${STATUS_USAGE}`);
  process.exitCode = userFault ? 2 : 1;
}
