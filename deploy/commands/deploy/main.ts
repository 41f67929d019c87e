/** `npm run deploy`: reads process.env, wires the clients and hands the command to the runner. */
import { checkClientEndpoints, createClients, type AwsClients } from '../../aws/clients.ts';
import { parseDeployConfig, type DeployConfig } from '../../config/config.ts';
import { DEPLOY_USAGE, parseDeployArgs } from './args.ts';
import { runDeploy } from './deploy.ts';
import { runCommand } from '../../cli/runCommand.ts';
import { describeStack } from '../../cloudformation/stackApi.ts';

let started: { config: DeployConfig; clients: AwsClients } | undefined;

await runCommand({
  name: 'deploy',
  usage: DEPLOY_USAGE,
  parse: parseDeployArgs,
  run: async (args) => {
    const config = parseDeployConfig(process.env);
    const clients = createClients({ region: config.region });
    await checkClientEndpoints(clients);
    started = { config, clients };
    await runDeploy(config, args, { clients, log: (line) => console.log(line), cwd: process.cwd() });
  },
  // Ctrl-C stops this command, not CloudFormation: say so, show where the stack is, how to follow it.
  onInterrupt: async () => {
    if (!started) return ['\ninterrupted: npm run deploy stopped before any AWS call'];
    const { config, clients } = started;
    const lookup = describeStack(clients.cfn, config.stackName).then((s) => s?.StackStatus ?? 'not created', () => 'unknown');
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('unknown'), 3000).unref());
    const status = await Promise.race([lookup, timeout]);
    return [
      `\ninterrupted: npm run deploy stopped; stack ${config.stackName} is ${status}, and any operation CloudFormation started goes on without us.`,
      `  follow it:  aws cloudformation describe-stack-events --stack-name ${config.stackName}`,
      '  or rerun npm run deploy: it waits for an operation in progress, then finishes the deploy',
    ];
  },
});
