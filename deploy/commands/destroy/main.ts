/** `npm run destroy`: the one place that reads process.env, argv and the terminal, prints, and sets the exit code. */
import { createInterface } from 'node:readline/promises';
import { createClients } from '../../aws/clients.ts';
import { DESTROY_USAGE, parseDestroyArgs } from './args.ts';
import { runDestroy } from './destroy.ts';
import { S3PushCommandError, describeError } from '../../cli/errors.ts';
import { resolveStackTarget } from '../../cloudformation/stackTarget.ts';

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

try {
  const args = parseDestroyArgs(process.argv.slice(2));
  if (args.help) {
    console.log(DESTROY_USAGE);
  } else {
    const target = resolveStackTarget(process.env, args.stack);
    const { cfn } = createClients({ region: target.region });
    await runDestroy(target, { yes: args.yes }, {
      cfn,
      log: (line) => console.log(line),
      confirm: process.stdin.isTTY && process.stdout.isTTY ? ask : undefined,
    });
  }
} catch (err) {
  console.error(`destroy failed: ${describeError(err)}`);
  if (err instanceof Error && err.cause !== undefined) console.error(`  cause: ${describeError(err.cause)}`);
  if (process.env.DEBUG && err instanceof Error) console.error(err.stack);
  process.exitCode = err instanceof S3PushCommandError ? err.exitCode : 1;
}
