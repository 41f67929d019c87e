/** `npm run deploy`: the one place that reads process.env and argv, prints, and sets the exit code. */
import { createClients } from './clients.ts';
import { parseDeployConfig } from './config.ts';
import { DEPLOY_USAGE, parseDeployArgs } from './deployArgs.ts';
import { runDeploy } from './deploy.ts';
import { S3PushCommandError, describeError } from './errors.ts';

try {
  const args = parseDeployArgs(process.argv.slice(2));
  if (args.help) {
    console.log(DEPLOY_USAGE);
  } else {
    const config = parseDeployConfig(process.env);
    const clients = createClients({ region: config.region });
    await runDeploy(config, args, { clients, log: (line) => console.log(line), cwd: process.cwd() });
  }
} catch (err) {
  console.error(`deploy failed: ${err instanceof S3PushCommandError ? err.message : describeError(err)}`);
  if (err instanceof Error && err.cause !== undefined) console.error(`  cause: ${describeError(err.cause)}`);
  if (process.env.DEBUG && err instanceof Error) console.error(err.stack);
  process.exitCode = err instanceof S3PushCommandError ? err.exitCode : 1;
}
