/**
 * Counts the AWS API calls of `npm run deploy` against a local moto server: a first deploy, then a
 * rerun with nothing changed. Prints each run's console output and its calls by operation.
 *
 *   node --import tsx scripts/deployCalls.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClients, recordApiCalls, tallyApiCalls } from '../deploy/aws/clients.ts';
import { parseDeployConfig } from '../deploy/config/config.ts';
import { runDeploy } from '../deploy/commands/deploy/deploy.ts';
import { startMoto } from '../dev/motoServer.ts';

const moto = await startMoto();
const out = await mkdtemp(join(tmpdir(), 's3-push-calls-'));
try {
  // The SDK reads these itself; nothing here can reach AWS.
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  const config = parseDeployConfig({
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCOUNT: '123456789012',
    S3_ROOT_BUCKET: 'acme-source-data',
    S3_REPLICATE_BUCKET_NAME: 'partner-landing-zone',
    S3_REPLICATE_OTHER_ACCOUNT: '210987654321',
    S3_REPLICATE_OTHER_ROLE_ARN: 'arn:aws:iam::210987654321:role/s3-push-writer',
    S3_REPLICATE_EXTERNAL_ID: 'ext-7f3c9a2e',
  });
  const clients = createClients({ region: config.region });
  const calls = recordApiCalls(clients);
  const fast = { pollIntervalMs: 200 };
  for (const label of ['first deploy', 'rerun, nothing changed']) {
    calls.length = 0;
    const started = Date.now();
    console.log(`==== ${label} ====`);
    await runDeploy(config, { plan: false, outDir: undefined, applySourcePolicy: false, help: false }, {
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
