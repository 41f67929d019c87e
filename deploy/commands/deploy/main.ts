/** `npm run deploy`: the one place that reads process.env and argv, prints, and sets the exit code. */
import { createClients } from '../../aws/clients.ts';
import { parseDeployConfig } from '../../config/config.ts';
import { DEPLOY_USAGE, parseDeployArgs } from './args.ts';
import { runDeploy } from './deploy.ts';
import { S3PushCommandError, describeError } from '../../cli/errors.ts';
import { describeStack } from '../../cloudformation/stackApi.ts';

try {
  const args = parseDeployArgs(process.argv.slice(2));
  if (args.help) {
    console.log(DEPLOY_USAGE);
  } else {
    const config = parseDeployConfig(process.env);
    const clients = createClients({ region: config.region });
    // Ctrl-C stops this command, not CloudFormation: say so, show where the stack is, how to follow it.
    process.once('SIGINT', () => {
      const lookup = describeStack(clients.cfn, config.stackName).then((s) => s?.StackStatus ?? 'not created', () => 'unknown');
      const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('unknown'), 3000).unref());
      void Promise.race([lookup, timeout]).then((status) => {
        console.error(`\ninterrupted: npm run deploy stopped; stack ${config.stackName} is ${status}, and any operation CloudFormation started goes on without us.`);
        console.error(`  follow it:  aws cloudformation describe-stack-events --stack-name ${config.stackName}`);
        console.error('  or rerun npm run deploy: it waits for an operation in progress, then finishes the deploy');
        process.exit(130);
      });
    });
    await runDeploy(config, args, { clients, log: (line) => console.log(line), cwd: process.cwd() });
  }
} catch (err) {
  console.error(`deploy failed: ${err instanceof S3PushCommandError ? err.message : describeError(err)}`);
  if (err instanceof Error && err.cause !== undefined) console.error(`  cause: ${describeError(err.cause)}`);
  if (process.env.DEBUG && err instanceof Error) console.error(err.stack);
  process.exitCode = err instanceof S3PushCommandError ? err.exitCode : 1;
}
