/**
 * Counts the AWS API calls of `npm run deploy` against a local moto server: a first deploy, then a
 * rerun with nothing changed. Prints each run's console output and its calls by operation.
 *
 *   node --import tsx scripts/deployCalls.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createClients, recordApiCalls, tallyApiCalls } from '../deploy/aws/clients.ts';
import { parseDeployConfig } from '../deploy/config/config.ts';
import { runDeploy } from '../deploy/commands/deploy/deploy.ts';
import { startMoto } from '../dev/motoServer.ts';
import { deployEnv, useMotoAsSource } from '../dev/accounts.ts';
import { parseCommandLine, throwIfProblems } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';

const USAGE = `usage: node --import tsx scripts/deployCalls.ts
  counts the AWS API calls of a first npm run deploy and of a rerun with nothing changed, on a moto
  server started for the run`;

async function main(): Promise<void> {
  const moto = await startMoto();
  const out = await mkdtemp(join(tmpdir(), 's3-push-calls-'));
  try {
    // The SDK reads these itself; nothing here can reach AWS.
    useMotoAsSource(moto.endpoint);
    const config = parseDeployConfig(deployEnv({ AWS_ENDPOINT_URL: moto.endpoint }));
    const clients = createClients({ region: config.region });
    // deploy checks that the source bucket exists (HeadBucket) before it builds on it.
    await clients.s3.send(new CreateBucketCommand({ Bucket: config.sourceBucket }));
    const calls = recordApiCalls(clients);
    const fast = { pollIntervalMs: 200 };
    for (const label of ['first deploy', 'rerun, nothing changed']) {
      calls.length = 0;
      const started = Date.now();
      console.log(`==== ${label} ====`);
      await runDeploy(config, { plan: false, outDir: undefined, applySourcePolicy: false }, {
        clients,
        log: (line) => console.log(line),
        cwd: out,
        waits: { stack: fast, changeSet: fast, role: fast },
      });
      const tally = tallyApiCalls(calls);
      console.log(`---- ${label}: ${calls.length} AWS API calls in ${Date.now() - started} ms (bundling included) ----`);
      for (const [op, n] of tally) console.log(`  ${String(n).padStart(3)}  ${op}`);
      console.log('');
    }
  } finally {
    await rm(out, { recursive: true, force: true });
    await moto.stop();
  }
}

await runCommand({ name: 'deployCalls', usage: USAGE, parse: (argv) => throwIfProblems(parseCommandLine(argv, {}).problems), run: main });
