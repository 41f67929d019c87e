/**
 * Measures the heap of one day that is far larger than an invocation's memory would hold if the
 * copy engine kept what it saw: no S3 at all, the engine's own code (`replicateDay`, and for the
 * failures the SQS path `runWorkBatch`) against in-process fakes that hold nothing themselves.
 *
 *   node --expose-gc --max-old-space-size=64 --import tsx scripts/measureDayMemory.ts --mode window --keys 300000
 *   node --expose-gc --max-old-space-size=64 --import tsx scripts/measureDayMemory.ts --mode failures --keys 150000
 *   node --expose-gc --max-old-space-size=64 --import tsx scripts/measureDayMemory.ts --mode marker --keys 1000000
 *
 * `--mode window`: every key is missing at the destination, and the first copy hangs until the
 * listing is exhausted or the walk has stopped taking keys (nothing happened for 200 ms): the
 * other copies finish at once, so every key after the first waits behind it in listing order.
 * `--mode failures`: every copy fails with AccessDenied, one SQS work item for the day.
 * `--mode marker`: the destination already holds the day (every key equal), and the run is the
 * handler's own with DAY_MARKER=true (`runEvent`): the walk skips every key, then the day-complete
 * marker is built and written; the fake takes the marker's PutObject or multipart upload and keeps
 * only its size.
 * `--key-bytes N` (default 1024, S3's largest key) pads each key: its destination key has N bytes.
 *
 * `--key-fill random` pads with characters gzip cannot shorten much (the marker's worst case:
 * a multipart upload of ~0.8 KB per key), `x` (default) with one repeated character.
 *
 * It prints one JSON line: the peak heap used and the peak resident set (sampled every 1,000
 * requests and every 20 ms), the peak live heap (after a forced GC every 10,000 requests; needs `--expose-gc`), and the counts.
 * It exits 0 when the day ran to its end, 1 otherwise; with a small `--max-old-space-size`, a
 * heap that grows with the day ends it with V8's "heap out of memory" instead.
 */
import { CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { runEvent } from '../handler/copy/runCopy.ts';
import { replicateDay, type ReplicationClients } from '../handler/copy/replicateDay.ts';
import { runWorkBatch } from '../handler/fanOut/workBatch.ts';
import { parseHandlerConfig } from '../handler/config.ts';
import { createLogger } from '../handler/logger.ts';
import { parseIsoDate } from '../rules/dates.ts';
import { handlerEnv } from '../dev/accounts.ts';
import { parseCommandLine, throwIfProblems, usageOf, wholeNumberFlag, type CommandSpec } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';

const COMMAND = {
  name: 'measureDayMemory',
  invocation: 'node --expose-gc --max-old-space-size=64 --import tsx scripts/measureDayMemory.ts',
  summary: 'Measures the heap of one day far larger than an invocation could hold if the copy engine kept what it saw: the engine\'s own code against in-process fakes that hold nothing themselves.',
  flags: {
    mode: { type: 'string', value: 'MODE', help: 'window (the first copy hangs, the others wait behind it), failures (every copy fails, one SQS work item) or marker (the day is at the destination already; the handler\'s run with DAY_MARKER=true writes its marker); default window' },
    keys: { type: 'string', value: 'N', help: 'keys in the day (1-100000000; default 300000)' },
    'key-bytes': { type: 'string', value: 'N', help: 'bytes per key (32-1024; default 1024)' },
    'key-fill': { type: 'string', value: 'FILL', help: 'x (one repeated character; default) or random (base64 that gzip barely shortens)' },
  },
  notes: [],
} as const satisfies CommandSpec;
const USAGE = usageOf(COMMAND);

interface Options {
  readonly mode: 'window' | 'failures' | 'marker';
  readonly total: number;
  readonly keyBytes: number;
  readonly keyFill: 'x' | 'random';
}

function parseOptions(argv: readonly string[]): Options {
  const { values, problems } = parseCommandLine(argv, COMMAND.flags);
  const keyFill = values['key-fill'] ?? 'x';
  if (keyFill !== 'x' && keyFill !== 'random') problems.push(`--key-fill is ${JSON.stringify(keyFill)}: expected x or random`);
  const mode = values.mode ?? 'window';
  const modes = ['window', 'failures', 'marker'] as const;
  const known = modes.find((m) => m === mode);
  if (known === undefined) problems.push(`--mode is ${JSON.stringify(mode)}: expected window, failures or marker`);
  const options = {
    mode: known ?? 'window',
    total: wholeNumberFlag('--keys', values.keys, 1, 100_000_000, problems) ?? 300_000,
    keyBytes: wholeNumberFlag('--key-bytes', values['key-bytes'], 32, 1024, problems) ?? 1024,
    keyFill: keyFill === 'random' ? 'random' as const : 'x' as const,
  };
  throwIfProblems(problems);
  return options;
}

async function main({ mode, total, keyBytes, keyFill }: Options): Promise<number> {
  const PREFIX = '2024/01/01/';
  const gc = (globalThis as { gc?: () => void }).gc;
  let peakHeap = 0;
  // Buffers (a marker's bytes) live outside the heap: the resident set shows them.
  let peakRss = 0;
  let peakLive = 0;
  let requests = 0;
  const sample = (): void => {
    const m = process.memoryUsage();
    peakHeap = Math.max(peakHeap, m.heapUsed);
    peakRss = Math.max(peakRss, m.rss);
  };
  const tick = (): void => {
    requests++;
    if (requests % 1000 === 0) sample();
    if (gc && requests % 10_000 === 0) {
      gc();
      peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
    }
  };
  const sampler = setInterval(sample, 20);

  // Random fill: slices of a 1-MiB pool 4,099 characters apart, so that no two keys within
  // gzip's 32-KB window share their fill (the pool is in the heap figures: 1 MiB).
  const pool = keyFill === 'random' ? randomBytes(768 * 1024).toString('base64') : '';
  const config = parseHandlerConfig(handlerEnv(mode === 'marker' ? { DAY_MARKER: 'true', DESTINATION_PREFIX: 'in/' } : {}));
  // The marker's day: each destination key at most keyBytes, the longest S3 holds at 1,024 (a
  // longer one would be left out as too long for the destination, never copied or compared).
  const sourceKeyBytes = keyBytes - Buffer.byteLength(config.destinationPrefix);
  /** Key i, padded to sourceKeyBytes; the index first, so keys list in index order. */
  const keyOf = (i: number): string => {
    const head = `${PREFIX}${String(i).padStart(9, '0')}-`;
    if (keyFill === 'x') return head + 'x'.repeat(sourceKeyBytes - head.length);
    const at = (i * 4099) % (pool.length - sourceKeyBytes);
    return head + pool.slice(at, at + sourceKeyBytes - head.length).replace(/[+/=]/g, 'x');
  };

  let listingDone = false;
  let lastActivity = 0;
  /** A page of the day's keys, each after `lead` (the destination prefix at the destination). */
  const page = (input: { ContinuationToken?: string | undefined; MaxKeys?: number | undefined }, lead: string): unknown => {
    const from = input.ContinuationToken === undefined ? 0 : Number(input.ContinuationToken);
    const to = Math.min(total, from + (input.MaxKeys ?? 1000));
    const Contents = [];
    for (let i = from; i < to; i++) Contents.push({ Key: encodeURIComponent(lead + keyOf(i)).replace(/%2F/g, '/'), Size: 1024, ETag: '"e"', LastModified: new Date(0) });
    return { Contents, IsTruncated: to < total, ...(to < total ? { NextContinuationToken: String(to) } : {}) };
  };
  const sourceS3 = {
    send(command: unknown): Promise<unknown> {
      tick();
      lastActivity = requests;
      if (!(command instanceof ListObjectsV2Command)) return Promise.reject(new Error(`the source fake answers ListObjectsV2 only, not ${String(command)}`));
      const input = command.input;
      if (Math.min(total, (input.ContinuationToken === undefined ? 0 : Number(input.ContinuationToken)) + (input.MaxKeys ?? 1000)) >= total) listingDone = true;
      return Promise.resolve(page(input, ''));
    },
  };

  let takenWhileHung: number | undefined;
  let release: () => void = () => undefined;
  const firstCopy = new Promise<void>((resolve) => {
    release = () => {
      takenWhileHung ??= copies;
      resolve();
    };
  });
  let seen = -1;
  const idle = setInterval(() => {
    if (listingDone || lastActivity === seen) release();
    seen = lastActivity;
  }, 200);
  let copies = 0;
  // Marker mode: the destination holds the day; the marker's writes are taken and only their size kept.
  let markerBytes = 0;
  let markerRequests = '';
  const notFound = (name: string): Error => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 404 } });
  const markerRequest = (command: unknown): unknown => {
    if (command instanceof ListObjectsV2Command) return page(command.input, config.destinationPrefix);
    if (command instanceof HeadObjectCommand) throw notFound('NotFound');
    if (command instanceof GetObjectCommand) throw notFound('NoSuchKey');
    if (command instanceof CreateMultipartUploadCommand) return { UploadId: 'u' };
    markerRequests += command instanceof PutObjectCommand ? 'P' : command instanceof UploadPartCommand ? 'U' : command instanceof CompleteMultipartUploadCommand ? 'C' : '?';
    if (command instanceof PutObjectCommand || command instanceof UploadPartCommand) {
      markerBytes += (command.input.Body as Buffer).length;
      return { ETag: '"p"' };
    }
    if (command instanceof CompleteMultipartUploadCommand) return {};
    throw new Error(`the destination fake of --mode marker does not answer ${String(command)}`);
  };
  const accessDenied = (): Error => Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  const destinationS3 = {
    async send(command: unknown): Promise<unknown> {
      tick();
      lastActivity = requests;
      if (mode === 'marker') return markerRequest(command);
      if (command instanceof ListObjectsV2Command) return { Contents: [], IsTruncated: false };
      if (!(command instanceof CopyObjectCommand)) throw new Error(`the destination fake answers ListObjectsV2 and CopyObject only, not ${String(command)}`);
      if (mode === 'failures') throw accessDenied();
      if (copies++ === 0) await firstCopy;
      return {};
    },
  };
  const clients = { sourceS3, destinationS3 } as unknown as ReplicationClients & { sourceS3: S3Client };

  const date = parseIsoDate('2024-01-01')!;
  const started = Date.now();
  let outcome: Record<string, unknown>;
  let exitCode = 0;
  try {
    if (mode === 'marker') {
      const summary = await runEvent({ dates: [date] }, config, clients, { logger: createLogger([], () => undefined) });
      const day = summary.dates[0]!;
      outcome = { listed: day.listed, skipped: day.skipped, marker: day.marker, markerBytes, markerRequests: markerRequests.replace(/U+/, (u) => `U×${u.length}`) };
    } else if (mode === 'window') {
      const r = await replicateDay(clients, config, { date });
      outcome = { ...r.summary, complete: r.complete, copiesStartedWhileFirstHung: takenWhileHung };
    } else {
      let logged: { bytes: number; failed?: number; failuresListed?: number } = { bytes: 0 };
      const logger = createLogger([], (line) => {
        const doc = JSON.parse(line) as { failed?: number; failures?: unknown[] };
        logged = { bytes: Buffer.byteLength(line), ...(doc.failed === undefined ? {} : { failed: doc.failed }), ...(doc.failures ? { failuresListed: doc.failures.length } : {}) };
      });
      const record = { messageId: 'm1', body: JSON.stringify({ date: '2024-01-01' }), eventSource: 'aws:sqs' as const };
      const queue = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/work', send: () => Promise.resolve() };
      const res = await runWorkBatch([record], config, clients, queue, { logger });
      outcome = { batchItemFailures: res.response.batchItemFailures.length, logLineBytes: logged.bytes, failed: logged.failed, failuresListed: logged.failuresListed };
    }
  } catch (err) {
    outcome = { error: String(err) };
    exitCode = 1;
  } finally {
    clearInterval(sampler);
    clearInterval(idle);
  }
  sample();
  const MiB = 1024 * 1024;
  console.log(JSON.stringify({
    mode,
    keys: total,
    keyBytes,
    maxOldSpaceMiB: Math.round((await import('node:v8')).getHeapStatistics().heap_size_limit / MiB),
    peakHeapMiB: Number((peakHeap / MiB).toFixed(1)),
    peakRssMiB: Number((peakRss / MiB).toFixed(1)),
    ...(gc ? { peakLiveHeapMiB: Number((peakLive / MiB).toFixed(1)) } : {}),
    requests,
    seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
    ...outcome,
  }));
  return exitCode;
}

await runCommand({ name: 'measureDayMemory', usage: USAGE, parse: parseOptions, run: main });
