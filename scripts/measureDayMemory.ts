/**
 * Measures the heap of one day that is far larger than an invocation's memory would hold if the
 * copy engine kept what it saw: no S3 at all, the engine's own code (`replicateDay`, and for the
 * failures the SQS path `runWorkBatch`) against in-process fakes that hold nothing themselves.
 *
 *   node --expose-gc --max-old-space-size=64 --import tsx scripts/measureDayMemory.ts --mode window --keys 300000
 *   node --expose-gc --max-old-space-size=64 --import tsx scripts/measureDayMemory.ts --mode failures --keys 150000
 *
 * `--mode window`: every key is missing at the destination, and the first copy hangs until the
 * listing is exhausted or the walk has stopped taking keys (nothing happened for 200 ms): the
 * other copies finish at once, so every key after the first waits behind it in listing order.
 * `--mode failures`: every copy fails with AccessDenied, one SQS work item for the day.
 * `--key-bytes N` (default 1024, S3's largest key) pads each key.
 *
 * It prints one JSON line: the peak heap used (sampled every 1,000 requests and every 20 ms), the
 * peak live heap (after a forced GC every 10,000 requests; needs `--expose-gc`), and the counts.
 * It exits 0 when the day ran to its end, 1 otherwise; with a small `--max-old-space-size`, a
 * heap that grows with the day ends it with V8's "heap out of memory" instead.
 */
import { ListObjectsV2Command, CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
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
    mode: { type: 'string', value: 'MODE', help: 'window (the first copy hangs, the others wait behind it) or failures (every copy fails, one SQS work item); default window' },
    keys: { type: 'string', value: 'N', help: 'keys in the day (1-100000000; default 300000)' },
    'key-bytes': { type: 'string', value: 'N', help: 'bytes per key (32-1024; default 1024)' },
  },
  notes: [],
} as const satisfies CommandSpec;
const USAGE = usageOf(COMMAND);

interface Options {
  readonly mode: 'window' | 'failures';
  readonly total: number;
  readonly keyBytes: number;
}

function parseOptions(argv: readonly string[]): Options {
  const { values, problems } = parseCommandLine(argv, COMMAND.flags);
  const mode = values.mode ?? 'window';
  if (mode !== 'window' && mode !== 'failures') problems.push(`--mode is ${JSON.stringify(mode)}: expected window or failures`);
  const options = {
    mode: mode === 'failures' ? 'failures' as const : 'window' as const,
    total: wholeNumberFlag('--keys', values.keys, 1, 100_000_000, problems) ?? 300_000,
    keyBytes: wholeNumberFlag('--key-bytes', values['key-bytes'], 32, 1024, problems) ?? 1024,
  };
  throwIfProblems(problems);
  return options;
}

async function main({ mode, total, keyBytes }: Options): Promise<number> {
  const PREFIX = '2024/01/01/';
  const gc = (globalThis as { gc?: () => void }).gc;
  let peakHeap = 0;
  let peakLive = 0;
  let requests = 0;
  const sample = (): void => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
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

  /** Key i, padded to keyBytes; the index first, so keys list in index order. */
  const keyOf = (i: number): string => {
    const head = `${PREFIX}${String(i).padStart(9, '0')}-`;
    return head + 'x'.repeat(keyBytes - head.length);
  };

  let listingDone = false;
  let lastActivity = 0;
  const sourceS3 = {
    send(command: unknown): Promise<unknown> {
      tick();
      lastActivity = requests;
      if (!(command instanceof ListObjectsV2Command)) return Promise.reject(new Error(`the source fake answers ListObjectsV2 only, not ${String(command)}`));
      const input = command.input;
      const from = input.ContinuationToken === undefined ? 0 : Number(input.ContinuationToken);
      const to = Math.min(total, from + (input.MaxKeys ?? 1000));
      if (to >= total) listingDone = true;
      const Contents = [];
      for (let i = from; i < to; i++) Contents.push({ Key: encodeURIComponent(keyOf(i)).replace(/%2F/g, '/'), Size: 1024, ETag: '"e"', LastModified: new Date(0) });
      return Promise.resolve({ Contents, IsTruncated: to < total, ...(to < total ? { NextContinuationToken: String(to) } : {}) });
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
  const accessDenied = (): Error => Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
  const destinationS3 = {
    async send(command: unknown): Promise<unknown> {
      tick();
      lastActivity = requests;
      if (command instanceof ListObjectsV2Command) return { Contents: [], IsTruncated: false };
      if (!(command instanceof CopyObjectCommand)) throw new Error(`the destination fake answers ListObjectsV2 and CopyObject only, not ${String(command)}`);
      if (mode === 'failures') throw accessDenied();
      if (copies++ === 0) await firstCopy;
      return {};
    },
  };
  const clients = { sourceS3, destinationS3 } as unknown as ReplicationClients & { sourceS3: S3Client };

  const config = parseHandlerConfig(handlerEnv());
  const date = parseIsoDate('2024-01-01')!;
  const started = Date.now();
  let outcome: Record<string, unknown>;
  let exitCode = 0;
  try {
    if (mode === 'window') {
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
    ...(gc ? { peakLiveHeapMiB: Number((peakLive / MiB).toFixed(1)) } : {}),
    requests,
    seconds: Number(((Date.now() - started) / 1000).toFixed(1)),
    ...outcome,
  }));
  return exitCode;
}

await runCommand({ name: 'measureDayMemory', usage: USAGE, parse: parseOptions, run: main });
