/**
 * `npx tsx scripts/pushLatency.ts [--objects 500] [--rate 10] [--workers 5] [--batch-size 100] [--window-ms 1000] [--grace-ms 120000]`
 * (`--help` for the ranges; a bad flag is exit 2 before moto starts)
 *
 * Push on write's latency on moto: the time from a PutObject to its copy existing at the
 * destination. A moto server is started for the run (two accounts); `npm run deploy`'s own code
 * deploys the stack with S3_REPLICATE_PUSH_ON_WRITE=true and --enable-source-events, so moto
 * routes each Object Created through the stack's EventBridge rule (bucket and key prefix) to the
 * object queue. moto runs no function, so its mapping is disabled and the local workers
 * (deploy/local/localWorkers.ts) play it with the template's settings: up to `--batch-size` events per
 * invocation, gathered for at most `--window-ms` after the first, `--workers` invocations at once
 * (ObjectEventsMaximumConcurrency). A writer puts `--objects` small objects under the prefix at a
 * steady `--rate` per second while the workers drain; a copy is timed when its CopyObject answers.
 * Prints the median, 90th and 99th percentile and the maximum, in ms, and the machine's load; an
 * object not copied `--grace-ms` after the last write counts as missing (exit 1).
 *
 * What it measures is this machine and moto (one Python process); on AWS the path's own
 * latencies are EventBridge's and SQS's delivery and the batching window (docs/push-on-write.md).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { PutObjectCommand, type CopyObjectCommandInput } from '@aws-sdk/client-s3';
import type { SQSBatchResponse } from 'aws-lambda';
import { bundleHandler } from '../deploy/build/bundle.ts';
import { createWorld } from '../dev/replicationWorld.ts';
import { startMoto } from '../dev/motoServer.ts';
import { describeQueue, drainQueue } from '../deploy/local/localWorkers.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../dev/accounts.ts';
import { createClients as createDeployClients } from '../deploy/aws/clients.ts';
import { parseDeployConfig } from '../deploy/config/config.ts';
import { runDeploy } from '../deploy/commands/deploy/deploy.ts';
import { createClients } from '../handler/aws/clients.ts';
import { parseHandlerConfig } from '../handler/config.ts';
import { handleEvent } from '../handler/index.ts';
import { lambdaResponse } from '../handler/result.ts';
import { createSqsClient } from '../handler/aws/workQueue.ts';
import { parseCommandLine, throwIfProblems, usageOf, wholeNumberFlag, type CommandSpec } from '../deploy/cli/commandLine.ts';
import { runCommand } from '../deploy/cli/runCommand.ts';

const COMMAND = {
  name: 'pushLatency',
  invocation: 'npx tsx scripts/pushLatency.ts',
  summary: 'Push on write\'s latency on a local emulator started for the run: the time from a PutObject to its copy existing at the destination, through the stack\'s EventBridge rule, the object queue and local workers.',
  flags: {
    objects: { type: 'string', value: 'N', help: 'objects written (1-100000; default 500)' },
    rate: { type: 'string', value: 'N', help: 'objects written per second (1-10000; default 10)' },
    workers: { type: 'string', value: 'N', help: 'invocations at once (1-1000; default 5)' },
    'batch-size': { type: 'string', value: 'N', help: 'events per invocation (1-10000; default 100)' },
    'window-ms': { type: 'string', value: 'N', help: 'batching window after the first event, in ms (0-300000; default 1000)' },
    'grace-ms': { type: 'string', value: 'N', help: 'how long to wait for the last copies after the last write, in ms (0-3600000; default 120000)' },
  },
  notes: ['Exit 1 when an object was not copied within the grace.'],
} as const satisfies CommandSpec;
const USAGE = usageOf(COMMAND);

interface LatencyOptions {
  readonly objects: number;
  readonly rate: number;
  readonly workers: number;
  readonly batchSize: number;
  readonly windowMs: number;
  /** How long to wait for the last copies once every object is written. */
  readonly graceMs: number;
}

/** Reads the command line; every problem at once (exit 2, before moto starts). */
function parseOptions(argv: readonly string[]): LatencyOptions {
  const { values, problems } = parseCommandLine(argv, COMMAND.flags);
  const options = {
    objects: wholeNumberFlag('--objects', values.objects, 1, 100_000, problems) ?? 500,
    rate: wholeNumberFlag('--rate', values.rate, 1, 10_000, problems) ?? 10,
    workers: wholeNumberFlag('--workers', values.workers, 1, 1000, problems) ?? 5,
    batchSize: wholeNumberFlag('--batch-size', values['batch-size'], 1, 10_000, problems) ?? 100,
    windowMs: wholeNumberFlag('--window-ms', values['window-ms'], 0, 300_000, problems) ?? 1000,
    graceMs: wholeNumberFlag('--grace-ms', values['grace-ms'], 0, 3_600_000, problems) ?? 120_000,
  };
  throwIfProblems(problems);
  return options;
}

const FORMAT = 'events/{YYYY}/{MM}/{DD}/';
const STACK = 'push-latency';

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function main(opts: LatencyOptions): Promise<number> {
  const moto = await startMoto();
  const out = await mkdtemp(join(tmpdir(), 's3-push-latency-'));
  try {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'bench';
    process.env.AWS_SECRET_ACCESS_KEY = 'bench';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;

    const world = await createWorld();
    const deployClients = createDeployClients({ region: 'us-east-1' });
    const bundle = await bundleHandler();
    await runDeploy(parseDeployConfig({
      AWS_REGION: 'us-east-1', AWS_ACCOUNT: SOURCE_ACCOUNT, AWS_ENDPOINT_URL: moto.endpoint,
      S3_ROOT_BUCKET: SOURCE_BUCKET, S3_REPLICATE_BUCKET_NAME: DESTINATION_BUCKET, S3_REPLICATE_OTHER_ACCOUNT: DESTINATION_ACCOUNT,
      S3_REPLICATE_OTHER_ROLE_ARN: DESTINATION_ROLE_ARN, S3_REPLICATE_PREFIX_FORMAT: FORMAT, S3_REPLICATE_STACK_NAME: STACK, S3_REPLICATE_PUSH_ON_WRITE: 'true',
    }), { plan: false, outDir: out, applySourcePolicy: false, enableSourceEvents: true }, {
      clients: deployClients, log: () => undefined, cwd: out, bundle: () => Promise.resolve(bundle),
    });
    const resources = await deployClients.cfn.send(new ListStackResourcesCommand({ StackName: STACK }));
    const queueUrl = resources.StackResourceSummaries?.find((r) => r.LogicalResourceId === 'ObjectEventsQueue')?.PhysicalResourceId;
    if (!queueUrl) throw new Error('the stack has no ObjectEventsQueue');
    const sqs = createSqsClient();
    const queue = await describeQueue(sqs, queueUrl);
    // moto's own mapping would invoke a function it cannot run on every send: the workers play it.
    for (const m of (await deployClients.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: STACK }))).EventSourceMappings ?? []) {
      if (m.EventSourceArn === queue.queueArn) await deployClients.lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID!, Enabled: false }));
    }

    const config = parseHandlerConfig({ SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_ACCOUNT_ID: SOURCE_ACCOUNT, PREFIX_FORMAT: FORMAT });
    const clients = createClients(config, { sessionName: 's3-push-latency' });
    const copiedAt = new Map<string, number>();
    clients.destinationS3.middlewareStack.add((next, context) => async (a) => {
      const result = await next(a);
      if (context.commandName === 'CopyObjectCommand') copiedAt.set((a.input as CopyObjectCommandInput).Key!, Date.now());
      return result;
    }, { step: 'initialize', name: 'timeCopies' });

    const putAt = new Map<string, number>();
    let writing = true;
    let writesDone = Infinity;
    const progress = setInterval(() => console.error(`pushLatency: ${putAt.size} written, ${copiedAt.size} copied`), 10_000);
    const started = Date.now();
    const writer = (async () => {
      const puts: Promise<unknown>[] = [];
      for (let i = 0; i < opts.objects; i++) {
        // A steady rate: object i is sent at i / opts.rate seconds, whatever the previous ones took.
        const due = started + (i * 1000) / opts.rate;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        const key = `events/2024/03/01/part-${String(i).padStart(5, '0')}.json`;
        putAt.set(key, Date.now());
        puts.push(world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key, Body: `{"i":${i}}\n` })));
      }
      await Promise.all(puts);
      writing = false;
      writesDone = Date.now();
    })();
    const drain = drainQueue({
      sqs,
      queue,
      workers: opts.workers,
      batchSize: opts.batchSize,
      batchWindowMs: opts.windowMs,
      waitTimeSeconds: 1,
      keepRunning: () => writing || (copiedAt.size < opts.objects && Date.now() < writesDone + opts.graceMs),
      invoke: async (event) => lambdaResponse(await handleEvent(event, config, clients, { logger: { log: () => undefined } })) as SQSBatchResponse,
    });
    void drain.catch(() => undefined);
    await writer;
    // Report once every object is copied (or the grace is over): a worker whose request moto never
    // answers would otherwise hold the drain open; stopping moto below ends it.
    while (copiedAt.size < opts.objects && Date.now() < writesDone + opts.graceMs) await new Promise((resolve) => setTimeout(resolve, 200));
    const drained = await Promise.race([drain, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5_000))]);
    clearInterval(progress);

    const latencies = [...putAt].map(([key, t]) => (copiedAt.get(key) ?? NaN) - t);
    const missing = latencies.filter((l) => Number.isNaN(l)).length;
    const sorted = latencies.filter((l) => !Number.isNaN(l)).sort((a, b) => a - b);
    const result = {
      objects: opts.objects,
      ratePerSecond: opts.rate,
      workers: opts.workers,
      batchSize: opts.batchSize,
      batchWindowMs: opts.windowMs,
      copied: sorted.length,
      missing,
      invocations: drained?.invocations ?? 'drain still busy',
      eventsReceived: drained?.received ?? 'drain still busy',
      latencyMs: { median: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) },
      wallMs: Date.now() - started,
      cpus: cpus().length,
      loadAverage1m: Number(loadavg()[0]!.toFixed(1)),
    };
    console.log(JSON.stringify(result, null, 2));
    return missing > 0 ? 1 : 0;
  } finally {
    await moto.stop();
    await rm(out, { recursive: true, force: true });
  }
}

// A worker may still wait on a request the stopped server will never answer: exit once reported.
await runCommand({ name: 'pushLatency', usage: USAGE, parse: parseOptions, run: main });
process.exit();
