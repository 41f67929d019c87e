/** `npm run check`: reads process.env, wires the clients and hands the command to the runner. */
import { CHECK_USAGE, parseCheckArgs } from './args.ts';
import { checkDeployed, checkLocal } from './check.ts';
import { checkClientEndpoints, checkHandlerEndpoints, createClients } from '../../aws/clients.ts';
import { runCommand } from '../../cli/runCommand.ts';
import { formatCheckReport } from '../../cli/reportFormat.ts';
import { resolveStackTarget } from '../../cloudformation/stackTarget.ts';
import { applyLocalEnvironment } from '../../cli/localEnvironment.ts';

await runCommand({
  name: 'check',
  usage: CHECK_USAGE,
  parse: parseCheckArgs,
  run: async (args) => {
    let report;
    if (args.local) {
      const local = applyLocalEnvironment(process.env);
      await checkHandlerEndpoints();
      console.log('running the preflight in this process with your credentials: link 1 tells whether YOU may assume the role');
      console.log('(the trust policy names the function\'s execution role; npm run check without --local asks the function itself)');
      report = await checkLocal(local.config, args.date);
    } else {
      const target = resolveStackTarget(process.env, args.stack);
      const clients = createClients({ region: target.region });
      await checkClientEndpoints(clients);
      report = await checkDeployed(target, clients, (line) => console.log(line), args.date);
    }
    for (const line of formatCheckReport(report)) console.log(line);
    return report.ok ? 0 : 1;
  },
});
