/**
 * `npm run invoke`: runs an event. By default on the deployed function of the stack (Lambda
 * Invoke; `--async` queues it); with `--local`, the handler in this process (local.ts). The summary
 * is printed on stdout; logs go to stderr.
 */
import { checkClientEndpoints, createClients } from '../../aws/clients.ts';
import { runCommand } from '../../cli/runCommand.ts';
import { buildEvent, INVOKE_USAGE, parseInvokeArgs, type InvokeRequest } from './args.ts';
import { invokeDeployed, reportInvocation } from './invokeDeployed.ts';
import { resolveStackTarget } from '../../cloudformation/stackTarget.ts';
import { MAX_ASYNC_EVENT_BYTES, MAX_SYNC_EVENT_BYTES, readEventFile } from './event.ts';
import { runLocal } from './local.ts';
import { describeError } from '../../../rules/errors.ts';

/** What a Ctrl-C must undo, while there is something (local.ts says). */
let undoOnInterrupt: (() => Promise<string>) | undefined;

async function main(request: InvokeRequest): Promise<number> {
  const maxBytes = request.async ? MAX_ASYNC_EVENT_BYTES : MAX_SYNC_EVENT_BYTES;
  const fileContent = request.source?.kind === 'file' ? await readEventFile(request.source.path, maxBytes) : undefined;
  const event = buildEvent(request, fileContent);
  if (request.local) {
    return runLocal(request, event, {
      out: (line) => console.log(line),
      err: (line) => console.error(line),
      env: process.env,
      onInterruptUndo: (undo) => (undoOnInterrupt = undo),
    });
  }
  const target = resolveStackTarget(process.env, request.stack);
  const clients = createClients({ region: target.region });
  await checkClientEndpoints(clients);
  const invocation = await invokeDeployed(target, clients, event, request.async ? 'async' : 'sync', (line) => console.error(line));
  const report = reportInvocation(invocation);
  for (const line of report.stderr) console.error(line);
  for (const line of report.stdout) console.log(line);
  return report.exitCode;
}

await runCommand({
  name: 'invoke',
  usage: INVOKE_USAGE,
  parse: parseInvokeArgs,
  run: main,
  // A deployed run goes on without us; a local one stops, and what it made for itself goes.
  onInterrupt: async (signal) => {
    const lines = [`\n${signal === 'SIGINT' ? 'interrupted' : signal}: invoke stopped`];
    const undo = undoOnInterrupt;
    undoOnInterrupt = undefined;
    if (undo) lines.push(await undo().catch((err: unknown) => `could not delete the temporary queues: ${describeError(err)}; delete them with aws sqs delete-queue`));
    return lines;
  },
});
