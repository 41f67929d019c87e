/**
 * `npm run demo`: starts moto on a free loopback port, points this process's AWS SDK at it (and
 * only at it), runs the demo, and stops the server on every path — success, failure, Ctrl-C.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_USAGE, parseDemoArgs } from './args.ts';
import { runDemo } from './demo.ts';
import { runCommand } from '../../cli/runCommand.ts';
import { startMoto, type MotoServer } from '../../../dev/motoServer.ts';

let moto: MotoServer | undefined;
let outDir: string | undefined;
let stopping: Promise<void> | undefined;
const stop = (): Promise<void> =>
  (stopping ??= Promise.all([moto?.stop(), outDir === undefined ? undefined : rm(outDir, { recursive: true, force: true })]).then(() => undefined));

await runCommand({
  name: 'demo',
  usage: DEMO_USAGE,
  parse: parseDemoArgs,
  run: async () => {
    const started = Date.now();
    // The rendered documents go here, not into the repository; removed on every path, Ctrl-C included.
    outDir = await mkdtemp(join(tmpdir(), 's3-push-demo-'));
    try {
      moto = await startMoto();
      // Nothing may reach a real account: the emulator's endpoint for every service, test keys, no
      // profile, no per-service endpoint from the shell.
      for (const name of Object.keys(process.env)) {
        if (name.startsWith('AWS_ENDPOINT_URL_') || ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'].includes(name)) {
          delete process.env[name];
        }
      }
      Object.assign(process.env, {
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'demo',
        AWS_SECRET_ACCESS_KEY: 'demo',
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      await runDemo({ endpoint: moto.endpoint, outDir, log: (line) => console.log(line) });
      await stop();
      console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s; the moto server is stopped, nothing is left running)`);
      console.log('next: the same with your own two accounts: see README.md');
    } finally {
      await stop();
    }
  },
  onInterrupt: async (signal) => {
    console.error(`\n${signal}: stopping the moto server`);
    await stop();
    return [];
  },
});
