/** `npm run destroy`: reads process.env and the terminal, wires the client and hands the command to the runner. */
import { createInterface } from 'node:readline/promises';
import { checkClientEndpoints, createClients } from '../../aws/clients.ts';
import { DESTROY_USAGE, parseDestroyArgs } from './args.ts';
import { runDestroy } from './destroy.ts';
import { runCommand } from '../../cli/runCommand.ts';
import { resolveStackTarget } from '../../cloudformation/stackTarget.ts';

async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

await runCommand({
  name: 'destroy',
  usage: DESTROY_USAGE,
  parse: parseDestroyArgs,
  run: async (args) => {
    const target = resolveStackTarget(process.env, args.stack);
    const clients = createClients({ region: target.region });
    await checkClientEndpoints(clients);
    const { cfn, s3 } = clients;
    await runDestroy(target, { yes: args.yes, keepSourcePolicy: args.keepSourcePolicy, plan: args.plan }, {
      cfn,
      s3,
      log: (line) => console.log(line),
      confirm: process.stdin.isTTY && process.stdout.isTTY ? ask : undefined,
    });
  },
});
