/**
 * `npm run demo`: starts moto on a free loopback port, points this process's AWS SDK at it (and
 * only at it), runs the demo, and stops the server on every path — success, failure, Ctrl-C —
 * except after a successful run with `--keep`, which leaves it running and prints how to use it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_USAGE, parseDemoArgs, type DemoArgs } from './args.ts';
import { DEMO, DESTINATION_ADMIN_ROLE_ARN, runDemo } from './demo.ts';
import { renderKeepInstructions } from './keep.ts';
import { runSecondPartner } from './partners.ts';
import { runCommand } from '../../cli/runCommand.ts';
import { startMoto, type MotoServer } from '../../../dev/motoServer.ts';

const CREDENTIALS = { accessKeyId: 'demo', secretAccessKey: 'demo' };

let moto: MotoServer | undefined;
let outDir: string | undefined;
let logDir: string | undefined;
let stopping: Promise<void> | undefined;
const stop = (): Promise<void> =>
  (stopping ??= Promise.all([
    moto?.stop(),
    outDir === undefined ? undefined : rm(outDir, { recursive: true, force: true }),
    logDir === undefined ? undefined : rm(logDir, { recursive: true, force: true }),
  ]).then(() => undefined));

await runCommand({
  name: 'demo',
  usage: DEMO_USAGE,
  parse: parseDemoArgs,
  run: async (args: DemoArgs) => {
    const started = Date.now();
    // The rendered documents go here, not into the repository; removed on every path, Ctrl-C included.
    outDir = await mkdtemp(join(tmpdir(), 's3-push-demo-'));
    let kept = false;
    try {
      // A kept server writes its log to a file that outlives this process (removed with it otherwise).
      if (args.keep) logDir = await mkdtemp(join(tmpdir(), 's3-push-demo-moto-'));
      const logFile = logDir === undefined ? undefined : join(logDir, 'moto.log');
      moto = await startMoto(logFile === undefined ? {} : { keepLogFile: logFile });
      // Nothing may reach a real account: the emulator's endpoint for every service, test keys, no
      // profile, no per-service endpoint from the shell.
      for (const name of Object.keys(process.env)) {
        if (name.startsWith('AWS_ENDPOINT_URL_') || ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE'].includes(name)) {
          delete process.env[name];
        }
      }
      Object.assign(process.env, {
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: DEMO.region,
        AWS_DEFAULT_REGION: DEMO.region,
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      const result = await runDemo({ endpoint: moto.endpoint, outDir, log: (line) => console.log(line), ...(args.partners === 2 ? { secondPartner: runSecondPartner } : {}) });
      if (logFile !== undefined) {
        kept = true;
        console.log('');
        const instructions = renderKeepInstructions({
          endpoint: moto.endpoint,
          pid: moto.pid,
          logFile,
          region: DEMO.region,
          credentials: CREDENTIALS,
          deploy: result.environment.deploy,
          handler: result.environment.handler,
          destinationAdminRoleArn: DESTINATION_ADMIN_ROLE_ARN,
          days: [DEMO.days[0]!, DEMO.days[DEMO.days.length - 1]!],
        });
        for (const line of instructions) console.log(line);
        return;
      }
      await stop();
      console.log(`(${((Date.now() - started) / 1000).toFixed(1)} s; the moto server is stopped, nothing is left running)`);
      console.log('next: the same with your own two accounts: see README.md, or npm run demo -- --keep to go on against this emulator');
    } finally {
      if (kept) await rm(outDir, { recursive: true, force: true });
      else await stop();
    }
  },
  onInterrupt: async (signal) => {
    console.error(`\n${signal}: stopping the moto server`);
    await stop();
    return [];
  },
});
