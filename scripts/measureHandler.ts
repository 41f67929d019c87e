/**
 * Measures the handler against a local moto server (two accounts): objects copied per second for
 * N small objects at several COPY_CONCURRENCY values, S3 requests per copied object, the rerun
 * (listing only), and the bundled zip size.
 *
 *   npx tsx scripts/measureHandler.ts [--objects 2500] [--concurrency 1,4,16,32] [--repeat 1] [--latency-ms 0]
 *
 * `--latency-ms N` puts the test fault proxy between the handler and moto and delays every S3
 * request by N ms: moto answers in about a millisecond, real S3 in tens, and concurrency is there
 * to hide that latency.
 *
 * moto is a single Python process: the figures say how the handler behaves against a slow,
 * CPU-bound S3 peer on this machine, not what S3 itself sustains (see docs/emulators.md; the bench compares
 * with real peers on Ceph).
 */
import { loadavg } from 'node:os';
import { startMoto } from '../dev/motoServer.ts';
import { bundleHandler } from '../deploy/build/bundle.ts';
import { createClients } from '../handler/aws/clients.ts';
import { parseHandlerConfig } from '../handler/config.ts';
import { runEvent } from '../handler/copy/runCopy.ts';
import { createLogger } from '../handler/logger.ts';
import { handlerEnv, SOURCE_BUCKET, useMotoAsSource } from '../dev/accounts.ts';
import { countCommands, createWorld, putObjects } from '../dev/replicationWorld.ts';
import { startFaultProxy } from '../dev/faultProxy.ts';
import { numberListFlag, parseCommandLine, throwIfProblems, usageOf, wholeNumberFlag, type CommandSpec } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';

const COMMAND = {
  name: 'measureHandler',
  invocation: 'npx tsx scripts/measureHandler.ts',
  summary: 'Measures the handler against a local moto server (two accounts): objects copied per second at several COPY_CONCURRENCY values, S3 requests per copied object, the rerun, and the zip size.',
  flags: {
    objects: { type: 'string', value: 'N', help: 'small objects in the day (1-1000000; default 2500)' },
    concurrency: { type: 'string', value: 'LIST', help: 'COPY_CONCURRENCY values, comma-separated (1-256 each; default 1,4,16,32), each held fixed (COPY_CONCURRENCY_START the same)' },
    repeat: { type: 'string', value: 'N', help: 'runs per value (1-100; default 1)' },
    'latency-ms': { type: 'string', value: 'MS', help: 'delay added to every S3 request of the handler (0-10000; default 0)' },
  },
  notes: [],
} as const satisfies CommandSpec;
const USAGE = usageOf(COMMAND);

const FLAGS = COMMAND.flags;

interface Options {
  readonly objects: number;
  readonly concurrencies: number[];
  readonly repeat: number;
  readonly latencyMs: number;
}

function parseOptions(argv: readonly string[]): Options {
  const { values, problems } = parseCommandLine(argv, FLAGS);
  const options = {
    objects: wholeNumberFlag('--objects', values.objects, 1, 1_000_000, problems) ?? 2500,
    concurrencies: numberListFlag('--concurrency', values.concurrency, 1, 256, problems) ?? [1, 4, 16, 32],
    repeat: wholeNumberFlag('--repeat', values.repeat, 1, 100, problems) ?? 1,
    latencyMs: wholeNumberFlag('--latency-ms', values['latency-ms'], 0, 10_000, problems) ?? 0,
  };
  throwIfProblems(problems);
  return options;
}

const PREFIX = '2024/01/01/';

interface Row {
  concurrency: number;
  run: number;
  copied: number;
  seconds: number;
  objectsPerSecond: number;
  requests: Record<string, number>;
  requestsPerCopiedObject: number;
  rerunSeconds: number;
  rerunRequests: Record<string, number>;
  /** 1-minute load average after the run: other work on the machine skews the figures. */
  load1: number;
}

async function main({ objects, concurrencies, repeat, latencyMs }: Options): Promise<void> {
  const moto = await startMoto();
  useMotoAsSource(moto.endpoint);
  const proxy = latencyMs > 0 ? await startFaultProxy({ target: moto.endpoint, rate: 1, weights: { slow: 1, slowDown: 0, internalError: 0, drop: 0, lostResponse: 0 }, slowMs: latencyMs }) : undefined;

  const rows: Row[] = [];
  try {
    for (const concurrency of concurrencies) {
      for (let run = 1; run <= repeat; run++) {
        process.env.AWS_ENDPOINT_URL = moto.endpoint;
        await moto.reset();
        const world = await createWorld();
        await putObjects(world.sourceAdmin, Array.from({ length: objects }, (_, i) => ({
          Bucket: SOURCE_BUCKET, Key: `${PREFIX}part-${String(i).padStart(6, '0')}.json`, Body: `{"row":${i}}`, ContentType: 'application/json',
        })), 32);
        const config = parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: String(concurrency), COPY_CONCURRENCY_START: String(concurrency) }));
        // Only the handler's requests go through the latency proxy, not the seeding. The SDK reads
        // the endpoint lazily, so it stays set until the next round has been seeded.
        if (proxy) process.env.AWS_ENDPOINT_URL = proxy.endpoint;
        const clients = createClients(config);
        const src = countCommands(clients.sourceS3);
        const dst = countCommands(clients.destinationS3);
        const quiet = { logger: createLogger([], () => undefined) };

        const t0 = performance.now();
        const s = await runEvent({ dates: ['2024-01-01'] }, config, clients, quiet);
        const seconds = (performance.now() - t0) / 1000;
        const requests = { ...Object.fromEntries([...src.counts].map(([k, v]) => [`source ${k}`, v])), ...Object.fromEntries([...dst.counts].map(([k, v]) => [`destination ${k}`, v])) };
        const total = src.total() + dst.total();
        src.reset();
        dst.reset();

        const t1 = performance.now();
        const again = await runEvent({ dates: ['2024-01-01'] }, config, clients, quiet);
        const rerunSeconds = (performance.now() - t1) / 1000;
        if (again.copied !== 0 || s.copied !== objects) throw new Error(`unexpected counts: first run copied ${s.copied}, rerun copied ${again.copied}`);
        const rerunRequests = { ...Object.fromEntries([...src.counts].map(([k, v]) => [`source ${k}`, v])), ...Object.fromEntries([...dst.counts].map(([k, v]) => [`destination ${k}`, v])) };

        const row = { concurrency, run, copied: s.copied, seconds: +seconds.toFixed(2), objectsPerSecond: +(s.copied / seconds).toFixed(1), requests, requestsPerCopiedObject: +(total / s.copied).toFixed(4), rerunSeconds: +rerunSeconds.toFixed(2), rerunRequests, load1: +(loadavg()[0] ?? 0).toFixed(2) };
        rows.push(row);
        console.error(`concurrency ${concurrency} run ${run}: ${row.copied} objects in ${row.seconds} s = ${row.objectsPerSecond}/s; ${row.requestsPerCopiedObject} S3 requests per copied object; rerun ${row.rerunSeconds} s; load ${row.load1}`);
      }
    }
  } finally {
    await proxy?.close();
    await moto.stop();
  }

  const bundle = await bundleHandler();
  const result = { objects, latencyMs, rows, zipBytes: bundle.zip.length, jsBytes: bundle.jsBytes, sha256: bundle.sha256 };
  console.log(JSON.stringify(result, null, 2));
  console.error('\n| COPY_CONCURRENCY | objects/s | seconds | S3 requests per copied object | rerun seconds (listing only) | load |');
  console.error('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.error(`| ${r.concurrency} | ${r.objectsPerSecond} | ${r.seconds} | ${r.requestsPerCopiedObject} | ${r.rerunSeconds} | ${r.load1} |`);
  console.error(`\nbundle: ${(bundle.zip.length / 1024).toFixed(1)} KiB zipped (${bundle.zip.length} bytes), ${(bundle.jsBytes / 1024).toFixed(1)} KiB of JavaScript`);
}

await runCommand({ name: 'measureHandler', usage: USAGE, parse: parseOptions, run: main });
