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
import { bundleHandler } from '../dev/bundle.ts';
import { createClients } from '../handler/aws/clients.ts';
import { parseHandlerConfig } from '../handler/config.ts';
import { runEvent } from '../handler/index.ts';
import { createLogger } from '../handler/logger.ts';
import { handlerEnv, SOURCE_BUCKET, useMotoAsSource } from '../dev/accounts.ts';
import { countCommands, createWorld, putObjects } from '../dev/replicationWorld.ts';
import { startFaultProxy } from '../dev/faultProxy.ts';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const objects = Number(option('--objects', '2500'));
const concurrencies = option('--concurrency', '1,4,16,32').split(',').map(Number);
const repeat = Number(option('--repeat', '1'));
const latencyMs = Number(option('--latency-ms', '0'));
const PREFIX = '2024/01/01/';

const moto = await startMoto();
useMotoAsSource(moto.endpoint);
const proxy = latencyMs > 0 ? await startFaultProxy({ target: moto.endpoint, rate: 1, weights: { slow: 1, slowDown: 0, internalError: 0, drop: 0, lostResponse: 0 }, slowMs: latencyMs }) : undefined;

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
      const config = parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: String(concurrency) }));
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
