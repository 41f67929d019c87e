/** `npm run status`: reads process.env, wires the clients and hands the command to the runner. */
import { utcDateOf } from '../../../rules/dates.ts';
import { parseStatusArgs, STATUS_USAGE } from './args.ts';
import { checkDays, deployedChecker, localChecker, renderStatus, useColor } from './status.ts';
import { checkClientEndpoints, checkHandlerEndpoints, createClients } from '../../aws/clients.ts';
import { runCommand } from '../../cli/runCommand.ts';
import { applyLocalEnvironment } from '../../cli/localEnvironment.ts';
import { resolveStackTarget } from '../../cloudformation/stackTarget.ts';

await runCommand({
  name: 'status',
  usage: STATUS_USAGE,
  parse: (argv) => parseStatusArgs(argv, utcDateOf(new Date())),
  run: async (args) => {
    let check;
    if (args.local) {
      check = localChecker(applyLocalEnvironment(process.env).config);
      await checkHandlerEndpoints();
    } else {
      const target = resolveStackTarget(process.env, args.stack);
      const clients = createClients({ region: target.region });
      await checkClientEndpoints(clients);
      check = await deployedChecker(target, clients, (line) => console.error(line));
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
    return statuses.every((s) => s.inSync) ? 0 : 1;
  },
});
