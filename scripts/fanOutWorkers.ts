/**
 * `npx tsx scripts/fanOutWorkers.ts [--days 30] [--objects 40] [--budget-ms 1000] [--runs 3] [--workers 1,2,4,8]`
 *
 * Wall time of the same fan-out backfill with 1, 2, 4 and 8 local workers against a moto server
 * started for the run (two accounts: plain keys for the source, an assumed role for the
 * destination). Every run plans the same days into a fresh work queue and copies into a fresh,
 * empty destination bucket, through the handler's own SQS path with a real time budget per
 * invocation, so days are handed on in continuations as on Lambda. Runs are interleaved (each
 * round rotates the order of the worker counts) and the median is reported.
 *
 * moto is one Python process: it, not the workers, bounds the throughput on this machine. The
 * figures show how the design scales until the server saturates, not what S3 does.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { cpus, loadavg } from 'node:os';
import pLimit from 'p-limit';
import { startMoto } from '../dev/motoServer.ts';
import { DESTINATION_ROLE_ARN, SOURCE_ACCOUNT, useMotoAsSource } from '../dev/accounts.ts';
import { createTemporaryQueues, runLocalFanOut, type LocalFanOutSummary } from '../deploy/local/localWorkers.ts';
import { createClients } from '../handler/aws/clients.ts';
import { parseHandlerConfig } from '../handler/config.ts';
import { addDays, parseIsoDate } from '../rules/dates.ts';
import { createSqsClient } from '../handler/aws/workQueue.ts';
import { numberListFlag, parseCommandLine, throwIfProblems, usageOf, wholeNumberFlag, type CommandSpec } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';

const COMMAND = {
  name: 'fanOutWorkers',
  invocation: 'npx tsx scripts/fanOutWorkers.ts',
  summary: 'Wall time of the same fan-out backfill with several numbers of local workers against a moto server started for the run; runs interleaved, the median reported.',
  flags: {
    days: { type: 'string', value: 'N', help: 'days of the backfill (1-3660; default 30)' },
    objects: { type: 'string', value: 'N', help: 'objects per day (1-100000; default 40)' },
    'budget-ms': { type: 'string', value: 'MS', help: 'time budget of each local invocation (1-900000; default 1000)' },
    runs: { type: 'string', value: 'N', help: 'runs per worker count (1-50; default 3)' },
    workers: { type: 'string', value: 'LIST', help: 'worker counts, comma-separated (1-64 each; default 1,2,4,8)' },
    'copy-concurrency': { type: 'string', value: 'N', help: 'COPY_CONCURRENCY of the handler (1-256; default 4)' },
  },
  notes: [],
} as const satisfies CommandSpec;
const USAGE = usageOf(COMMAND);

const FLAGS = COMMAND.flags;

interface Options {
  readonly DAYS: number;
  readonly OBJECTS: number;
  readonly BUDGET_MS: number;
  readonly RUNS: number;
  readonly WORKERS: number[];
  readonly COPY_CONCURRENCY: string;
}

function parseOptions(argv: readonly string[]): Options {
  const { values: v, problems } = parseCommandLine(argv, FLAGS);
  const options = {
    DAYS: wholeNumberFlag('--days', v.days, 1, 3660, problems) ?? 30,
    OBJECTS: wholeNumberFlag('--objects', v.objects, 1, 100_000, problems) ?? 40,
    BUDGET_MS: wholeNumberFlag('--budget-ms', v['budget-ms'], 1, 900_000, problems) ?? 1000,
    RUNS: wholeNumberFlag('--runs', v.runs, 1, 50, problems) ?? 3,
    WORKERS: numberListFlag('--workers', v.workers, 1, 64, problems) ?? [1, 2, 4, 8],
    COPY_CONCURRENCY: String(wholeNumberFlag('--copy-concurrency', v['copy-concurrency'], 1, 256, problems) ?? 4),
  };
  throwIfProblems(problems);
  return options;
}

const FROM = parseIsoDate('2024-01-01')!;
const SOURCE = 'fanout-bench-source';
const ROLE = DESTINATION_ROLE_ARN;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main({ DAYS, OBJECTS, BUDGET_MS, RUNS, WORKERS, COPY_CONCURRENCY }: Options): Promise<void> {
  const TO = addDays(FROM, DAYS - 1);
  const moto = await startMoto();
  try {
    useMotoAsSource(moto.endpoint);

    const source = new S3Client({});
    const assumed = (await new STSClient({}).send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'bench-admin' }))).Credentials!;
    const destinationAdmin = new S3Client({ credentials: { accessKeyId: assumed.AccessKeyId!, secretAccessKey: assumed.SecretAccessKey!, sessionToken: assumed.SessionToken! } });
    await source.send(new CreateBucketCommand({ Bucket: SOURCE }));
    const limit = pLimit(32);
    const puts: Promise<unknown>[] = [];
    for (let d = 0; d < DAYS; d++) {
      const day = addDays(FROM, d).replace(/-/g, '/');
      for (let i = 0; i < OBJECTS; i++) puts.push(limit(() => source.send(new PutObjectCommand({ Bucket: SOURCE, Key: `${day}/part-${String(i).padStart(4, '0')}.json`, Body: `{"day":"${day}","i":${i}}\n`.repeat(50) }))));
    }
    await Promise.all(puts);
    console.error(`fanOutWorkers: moto ${moto.endpoint}; ${DAYS} days x ${OBJECTS} objects; budget ${BUDGET_MS} ms per invocation; COPY_CONCURRENCY ${COPY_CONCURRENCY}; ${RUNS} runs per worker count; ${cpus().length} cores`);

    const sqs = createSqsClient();
    const results = new Map<number, LocalFanOutSummary[]>(WORKERS.map((w) => [w, []]));
    let bucketNo = 0;
    const runOnce = async (workers: number): Promise<LocalFanOutSummary> => {
      const destination = `fanout-bench-dst-${++bucketNo}`;
      await destinationAdmin.send(new CreateBucketCommand({ Bucket: destination }));
      const config = parseHandlerConfig({ SOURCE_BUCKET: SOURCE, DESTINATION_BUCKET: destination, DESTINATION_ROLE_ARN: ROLE, SOURCE_ACCOUNT_ID: SOURCE_ACCOUNT, COPY_CONCURRENCY });
      const queue = await createTemporaryQueues(sqs);
      try {
        return await runLocalFanOut({ event: { from: FROM, to: TO }, config, clients: createClients(config), sqs, queue, workers, budgetMs: BUDGET_MS, waitTimeSeconds: 0, emptyChecks: 2 });
      } finally {
        await queue.remove();
      }
    };

    await runOnce(2); // warm-up: moto's first calls per service are slow
    for (let r = 0; r < RUNS; r++) {
      const order = WORKERS.map((_, i) => WORKERS[(i + r) % WORKERS.length]!);
      for (const w of order) {
        const s = await runOnce(w);
        if (s.copied !== DAYS * OBJECTS || s.failed !== 0 || s.deadLettered !== 0 || s.queueLeft !== 0) throw new Error(`run with ${w} workers did not copy everything: ${JSON.stringify(s)}`);
        results.get(w)!.push(s);
        console.error(`  run ${r + 1}: ${w} worker(s) ${(s.wallMs / 1000).toFixed(2)} s, ${s.invocations} invocations, ${s.continuations} continuations, load ${loadavg()[0]!.toFixed(2)}`);
      }
    }

    console.log(`\n${DAYS}-day backfill, ${DAYS * OBJECTS} objects, budget ${BUDGET_MS} ms/invocation, moto on ${cpus().length} cores (median of ${RUNS}, min–max)\n`);
    console.log('| workers | wall time (s) | min–max (s) | invocations | continuations | objects/s |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
    const base = median(results.get(WORKERS[0]!)!.map((s) => s.wallMs));
    for (const w of WORKERS) {
      const rs = results.get(w)!;
      const wall = median(rs.map((s) => s.wallMs));
      const min = Math.min(...rs.map((s) => s.wallMs));
      const max = Math.max(...rs.map((s) => s.wallMs));
      console.log(`| ${w} | ${(wall / 1000).toFixed(2)} (×${(base / wall).toFixed(2)}) | ${(min / 1000).toFixed(2)}–${(max / 1000).toFixed(2)} | ${median(rs.map((s) => s.invocations))} | ${median(rs.map((s) => s.continuations))} | ${((DAYS * OBJECTS) / (wall / 1000)).toFixed(0)} |`);
    }
  } finally {
    await moto.stop();
  }
}

await runCommand({ name: 'fanOutWorkers', usage: USAGE, parse: parseOptions, run: main });
