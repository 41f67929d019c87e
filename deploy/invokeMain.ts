/**
 * `npm run invoke`: runs a backfill. With `--local`, the handler runs in this process with the
 * handler environment from the shell (AWS_ENDPOINT_URL honoured by the SDK), and the summary is
 * printed on stdout; the handler's log line goes to stderr.
 */
import { readFile } from 'node:fs/promises';
import { buildEvent, INVOKE_USAGE, InvokeArgsError, parseInvokeArgs } from './invokeArgs.ts';
import { createClients } from '../handler/clients.ts';
import { parseHandlerConfig } from '../handler/config.ts';
import { ReplicationFailedError, S3PushError, TimeBudgetError, describeError } from '../handler/errors.ts';
import { runEvent } from '../handler/index.ts';
import { createLogger } from '../handler/logger.ts';

async function main(): Promise<number> {
  const request = parseInvokeArgs(process.argv.slice(2));
  if (request.help) {
    console.log(INVOKE_USAGE);
    return 0;
  }
  if (!request.local) {
    console.error('invoking the deployed function is not available yet: add --local to run the handler in this process against the buckets of your environment');
    return 2;
  }
  let fileContent: unknown;
  if (request.source?.kind === 'file') {
    const path = request.source.path;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new InvokeArgsError(`--event ${path}: cannot read it (${describeError(err)})`);
    }
    try {
      fileContent = JSON.parse(text);
    } catch (err) {
      throw new InvokeArgsError(`--event ${path}: not valid JSON (${describeError(err)})`);
    }
  }
  const event = buildEvent(request, fileContent);
  const config = parseHandlerConfig(process.env);
  const logger = createLogger([config.externalId], (line) => console.error(line));
  try {
    const summary = await runEvent(event, config, createClients(config, { sessionName: 's3-push-invoke' }), { logger });
    console.log(JSON.stringify(summary, null, 2));
    return 0;
  } catch (err) {
    if (err instanceof ReplicationFailedError || err instanceof TimeBudgetError) console.log(JSON.stringify(err.summary, null, 2));
    throw err;
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  const userFault = err instanceof InvokeArgsError || (err instanceof S3PushError && err.userFault);
  console.error(`invoke: ${describeError(err)}`);
  if (err instanceof Error && err.cause !== undefined) console.error(`  cause: ${describeError(err.cause)}`);
  if (process.env.DEBUG && err instanceof Error) console.error(err.stack);
  if (err instanceof InvokeArgsError) console.error(`\n${INVOKE_USAGE}`);
  process.exitCode = userFault ? 2 : 1;
}
