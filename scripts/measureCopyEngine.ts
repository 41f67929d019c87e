/**
 * The copy engine's own CPU per copied object: replicateDay against an S3 stand-in in this process
 * whose every answer comes on the next turn of the event loop, so what is measured is the walk of
 * the two listings, the bookkeeping of the copies in flight and the copy path above the client's
 * `send()`, without HTTP, signing or a server. It shows what COPY_CONCURRENCY itself costs.
 *
 *   npx tsx scripts/measureCopyEngine.ts [--objects 20000] [--concurrency 16,62,256] [--repeat 3]
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { loadavg } from 'node:os';
import { replicateDay } from '../handler/copy/replicateDay.ts';
import type { IsoDate } from '../rules/dates.ts';
import { numberListFlag, parseCommandLine, throwIfProblems, wholeNumberFlag } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';

const USAGE = `usage: npx tsx scripts/measureCopyEngine.ts [--objects N] [--concurrency LIST] [--repeat N]
  --objects N         objects in the day, all to copy (1-1000000; default 20000)
  --concurrency LIST  COPY_CONCURRENCY values, comma-separated (1-256 each; default 16,62,256), each held fixed (COPY_CONCURRENCY_START the same)
  --repeat N          runs per value (1-100; default 3)`;

const FLAGS = {
  objects: { type: 'string', value: 'N' },
  concurrency: { type: 'string', value: 'LIST' },
  repeat: { type: 'string', value: 'N' },
} as const;

interface Options {
  readonly objects: number;
  readonly concurrencies: number[];
  readonly repeat: number;
}

function parseOptions(argv: readonly string[]): Options {
  const { values, problems } = parseCommandLine(argv, FLAGS);
  const options = {
    objects: wholeNumberFlag('--objects', values.objects, 1, 1_000_000, problems) ?? 20_000,
    concurrencies: numberListFlag('--concurrency', values.concurrency, 1, 256, problems) ?? [16, 62, 256],
    repeat: wholeNumberFlag('--repeat', values.repeat, 1, 100, problems) ?? 3,
  };
  throwIfProblems(problems);
  return options;
}

/** ListObjectsV2 pages of `keys` and an empty CopyObject answer, each on the next turn of the loop. */
function standIn(keys: readonly string[]): S3Client {
  const send = (command: { constructor: { name: string }; input: { ContinuationToken?: string } }): Promise<unknown> =>
    new Promise((resolve) =>
      setImmediate(() => {
        if (command.constructor.name !== 'ListObjectsV2Command') return resolve({ CopyObjectResult: { ETag: '"e"' } });
        const from = Number(command.input.ContinuationToken ?? 0);
        const next = from + 1000;
        resolve({
          Contents: keys.slice(from, next).map((Key) => ({ Key, Size: 10, ETag: '"e"', LastModified: new Date(0) })),
          IsTruncated: next < keys.length,
          NextContinuationToken: String(next),
        });
      }),
    );
  return { config: {}, send } as unknown as S3Client;
}

const SETTINGS = {
  sourceBucket: 'source',
  destinationBucket: 'destination',
  sourceAccountId: '123456789012',
  destinationAccountId: '210987654321',
  prefixFormat: '{YYYY}/{MM}/{DD}/',
  destinationPrefix: '',
  destinationPrefixFormat: undefined,
  destinationStorageClass: undefined,
  kmsKeyArn: undefined,
  multipartThresholdBytes: 256 * 1024 * 1024,
  partSizeBytes: 64 * 1024 * 1024,
};

async function main({ objects, concurrencies, repeat }: Options): Promise<void> {
  const keys = Array.from({ length: objects }, (_, i) => `2024/01/01/part-${String(i).padStart(8, '0')}.json`);
  console.log('| COPY_CONCURRENCY | run | copied | engine CPU µs per copy | load |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const copyConcurrency of concurrencies) {
    for (let run = 1; run <= repeat; run++) {
      const before = process.cpuUsage();
      // No pacing: the stand-in answers far faster than S3's 3,500 writes per second.
      const r = await replicateDay({ sourceS3: standIn(keys), destinationS3: standIn([]) }, { ...SETTINGS, copyConcurrency, copyConcurrencyStart: copyConcurrency }, { date: '2024-01-01' as IsoDate, beforeCopy: () => undefined });
      const used = process.cpuUsage(before);
      console.log(`| ${copyConcurrency} | ${run} | ${r.summary.copied} | ${((used.user + used.system) / objects).toFixed(1)} | ${loadavg()[0]!.toFixed(1)} |`);
    }
  }
}

await runCommand({ name: 'measureCopyEngine', usage: USAGE, parse: parseOptions, run: main });
