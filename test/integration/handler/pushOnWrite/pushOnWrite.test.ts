/**
 * Push on write end to end on moto: `npm run deploy` with S3_REPLICATE_PUSH_ON_WRITE=true and
 * --enable-source-events creates the rule and the object queue and turns on the bucket's
 * EventBridge delivery; moto (5.2.1) then delivers each S3 "Object Created" to EventBridge, routes
 * it by the rule's bucket and key-prefix filter to the object queue, and the local workers
 * (deploy/local/localWorkers.ts) drain that queue through the handler, playing the Lambda event source
 * mapping's part (moto runs no function without Docker). What moto cannot show — the bucket's
 * EventBridgeConfiguration read back, the IAM grants — is proven by the unit tests with mocks and
 * the IAM simulator.
 */
import { expect } from 'chai';
import type { SQSBatchResponse } from 'aws-lambda';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { ListEventSourceMappingsCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import {
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { bundleHandler, type HandlerBundle } from '../../../../deploy/build/bundle.ts';
import { createClients as createDeployClients, type AwsClients } from '../../../../deploy/aws/clients.ts';
import { parseDeployConfig, type DeployConfig } from '../../../../deploy/config/config.ts';
import { runDeploy, type DeployReport } from '../../../../deploy/commands/deploy/deploy.ts';
import type { DeployArgs } from '../../../../deploy/commands/deploy/args.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig, type HandlerConfig } from '../../../../handler/config.ts';
import { handleEvent } from '../../../../handler/index.ts';
import { lambdaResponse } from '../../../../handler/result.ts';
import type { Logger } from '../../../../handler/logger.ts';
import type { ObjectEventsSummary } from '../../../../handler/pushOnWrite/pushOnWrite.ts';
import type { ReplicationClients } from '../../../../handler/copy/replicateDay.ts';
import type { Summary } from '../../../../handler/summary.ts';
import { createSqsClient } from '../../../../handler/aws/workQueue.ts';
import { describeQueue, drainQueue, queueDepth, type QueuePair } from '../../../../deploy/local/localWorkers.ts';
import { countCommands, createWorld, type World } from '../../../../dev/replicationWorld.ts';
import { listEtags, snapshot } from '../../../helpers/s3Data.ts';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, DESTINATION_ROLE_ARN, EXTERNAL_ID, SOURCE_ACCOUNT, SOURCE_BUCKET, deployEnv, scheduledEvent } from '../../../helpers/fixtures.ts';

const FAST = { pollIntervalMs: 50, timeoutMs: 20_000 };
const FORMAT = 'events/{YYYY}/{MM}/{DD}/';
const DEST_PREFIX = 'from-acme/';
// Under the rule's prefix and with a day: these must arrive, once each.
const WANTED = [
  'events/2024/03/01/part-0001.csv',
  'events/2024/03/01/red flower + 100% é ✓.txt',
  'events/2024/03/02/part-0001.csv',
  'events/2024/02/29/leap.csv',
  'events/2024/03/02/overwritten.csv',
];
// Reach the queue (the rule's prefix is "events/") but name no day: counted and ignored.
const NO_DAY = ['events/2024/02/30/not-a-day.csv', 'events/readme.txt', 'events/2024/3/01/short.csv'];
// Outside the rule's prefix: never even reach the queue.
const OUTSIDE = ['raw/2024/03/01/part-0001.csv', '2024/03/01/part-0001.csv', 'Events/2024/03/01/x.csv'];

/** The shared deploy environment, on this run's moto, with push on write on or off. */
function pushOnWriteEnv(pushOnWrite: boolean): Record<string, string | undefined> {
  return deployEnv({
    AWS_REGION: process.env.AWS_REGION,
    AWS_DEFAULT_REGION: process.env.AWS_DEFAULT_REGION,
    AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
    S3_REPLICATE_PREFIX_FORMAT: FORMAT,
    S3_REPLICATE_DEST_PREFIX: DEST_PREFIX,
    S3_REPLICATE_STACK_NAME: 'push-on-write-e2e',
    S3_REPLICATE_PUSH_ON_WRITE: String(pushOnWrite),
  });
}

async function put(s3: S3Client, key: string, body: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key, Body: body, ContentType: 'text/csv', Metadata: { origin: 'e2e' } }));
}

describe('push on write end to end (moto: S3 → EventBridge → SQS → local workers → handler)', function () {
  this.timeout(300_000);
  let deployClients: AwsClients;
  let bundle: HandlerBundle;
  let out: string;
  let world: World;
  let sqs: SQSClient;
  let handlerConfig: HandlerConfig;
  let clients: ReplicationClients;
  let copies: ReturnType<typeof countCommands>;
  let queue: QueuePair;
  let report: DeployReport;
  const entries: { message: string; fields: Record<string, unknown> }[] = [];
  const logger: Logger = { log: (_level, message, fields = {}) => entries.push({ message, fields }) };

  const deploy = (config: DeployConfig, args: Partial<DeployArgs> = {}) =>
    runDeploy(config, { plan: false, outDir: out, applySourcePolicy: false, ...args }, {
      clients: deployClients,
      log: () => undefined,
      cwd: out,
      bundle: () => Promise.resolve(bundle),
      waits: { stack: FAST, changeSet: FAST, role: FAST },
    });
  const stackResources = async () => {
    const r = await deployClients.cfn.send(new ListStackResourcesCommand({ StackName: 'push-on-write-e2e' }));
    return new Map((r.StackResourceSummaries ?? []).map((s) => [s.LogicalResourceId!, s]));
  };
  const drain = () => drainQueue({
    sqs,
    queue,
    // One worker: events of one key in two batches are then handled one after the other, so the
    // second finds the copy equal. (Two invocations at once could both copy a key neither has seen
    // copied yet — the same object, one request more — which would make the count below vary.)
    workers: 1,
    batchSize: 10,
    waitTimeSeconds: 1,
    invoke: async (event, context) => lambdaResponse(await handleEvent(event, handlerConfig, clients, { logger, shouldStop: () => context.getRemainingTimeInMillis() < 0 })) as SQSBatchResponse,
  });
  const objectLines = () => entries.filter((e) => e.message === 's3-push object events').map((e) => e.fields as unknown as ObjectEventsSummary & { records: number });

  before(async () => {
    await moto().reset();
    out = await mkdtemp(join(tmpdir(), 's3-push-push-on-write-'));
    world = await createWorld();
    deployClients = createDeployClients({ region: 'us-east-1' });
    sqs = createSqsClient();
    bundle = await bundleHandler();
    // A notification the bucket already had: a queue of someone else's, for .csv under raw/.
    const other = await sqs.send(new CreateQueueCommand({ QueueName: 'ingest-team' }));
    const otherArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: other.QueueUrl!, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    await world.sourceAdmin.send(new PutBucketNotificationConfigurationCommand({
      Bucket: SOURCE_BUCKET,
      NotificationConfiguration: { QueueConfigurations: [{ Id: 'ingest', QueueArn: otherArn, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'raw/' }] } } }] },
    }));
    report = await deploy(parseDeployConfig(pushOnWriteEnv(true)), { enableSourceEvents: true });

    // The local workers play the event source mapping. moto's own mapping would invoke the function
    // on every send (no Docker here: it fails), each time receiving every visible event, so the
    // first events would reach the dead-letter queue: it is disabled (moto's queue still holds a
    // deleted mapping, but skips a disabled one).
    const resources = await stackResources();
    const queueUrl = resources.get('ObjectEventsQueue')?.PhysicalResourceId;
    expect(queueUrl, 'ObjectEventsQueue').to.be.a('string');
    queue = await describeQueue(sqs, queueUrl!);
    const mappings = await deployClients.lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'push-on-write-e2e' }));
    const objectMappings = (mappings.EventSourceMappings ?? []).filter((m) => m.EventSourceArn === queue.queueArn);
    expect(objectMappings, 'the object queue mapping').to.have.length(1);
    expect(objectMappings[0]).to.deep.include({ BatchSize: 100, MaximumBatchingWindowInSeconds: 1, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    for (const m of objectMappings) await deployClients.lambda.send(new UpdateEventSourceMappingCommand({ UUID: m.UUID!, Enabled: false }));

    handlerConfig = parseHandlerConfig({ SOURCE_BUCKET, DESTINATION_BUCKET, DESTINATION_ROLE_ARN, SOURCE_ACCOUNT_ID: SOURCE_ACCOUNT, EXTERNAL_ID, PREFIX_FORMAT: FORMAT, DESTINATION_PREFIX: DEST_PREFIX });
    clients = createClients(handlerConfig, { sessionName: 's3-push-e2e' });
    copies = countCommands(clients.destinationS3);
  });

  after(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('deploys the rule, the object queue with its dead-letter queue, and the mapping (batches of 100, 1 s window, partial batch failures)', async () => {
    expect(report.sourceEvents).to.equal('enabled');
    const resources = await stackResources();
    for (const name of ['ObjectCreatedRule', 'ObjectEventsQueue', 'ObjectEventsDeadLetterQueue', 'ObjectEventsMapping']) {
      expect(resources.has(name), name).to.equal(true);
    }
    // moto's CloudFormation lists AWS::SQS::QueuePolicy under an empty logical id and sets no policy
    // on the queue (it enforces none either): the queue policy is proven by the IAM simulator tests.
    expect(queue.deadLetterUrl, 'the redrive policy names the object dead-letter queue').to.be.a('string');
  });

  it('keeps the bucket\'s existing queue notification when it turns on EventBridge delivery', async () => {
    const n = await world.sourceAdmin.send(new GetBucketNotificationConfigurationCommand({ Bucket: SOURCE_BUCKET }));
    expect(n.QueueConfigurations?.map((q) => [q.Id, q.Events])).to.deep.equal([['ingest', ['s3:ObjectCreated:*']]]);
    expect(n.QueueConfigurations?.[0]?.Filter?.Key?.FilterRules).to.deep.equal([{ Name: 'prefix', Value: 'raw/' }]);
  });

  it('copies exactly the objects written under a day of the prefix, once each, equal to the source', async () => {
    for (const key of [...WANTED, ...NO_DAY, ...OUTSIDE]) await put(world.sourceAdmin, key, `first ${key}\n`);
    // A rewrite before the events are handled: the copy is the object as it is now.
    await put(world.sourceAdmin, 'events/2024/03/02/overwritten.csv', 'second, longer version\n');
    const drained = await drain();
    expect(drained.failedDeliveries).to.equal(0);

    const source = await snapshot(world.sourceAdmin, SOURCE_BUCKET, '', { withTags: () => false });
    const destination = await snapshot(world.destinationAdmin, DESTINATION_BUCKET, DEST_PREFIX, { stripPrefix: DEST_PREFIX, withTags: () => false });
    expect([...destination.keys()].sort()).to.deep.equal([...WANTED].sort());
    for (const key of WANTED) expect(destination.get(key), key).to.deep.equal(source.get(key));
    expect(destination.get('events/2024/03/02/overwritten.csv')?.size).to.equal('second, longer version\n'.length);
    // Once each: one CopyObject per object, however many events (moto may deliver one twice).
    expect(copies.counts.get('CopyObject')).to.equal(WANTED.length);

    const lines = objectLines();
    const sum = (f: (s: ObjectEventsSummary) => number) => lines.reduce((n, s) => n + f(s), 0);
    expect(sum((s) => s.copied)).to.equal(WANTED.length);
    expect(sum((s) => s.failed)).to.equal(0);
    // The rule's prefix filter kept the keys outside "events/" away; the handler ignored the rest.
    expect(sum((s) => s.ignored.noCalendarDate + s.ignored.outsidePattern)).to.be.at.least(NO_DAY.length);
    const seen = sum((s) => s.events);
    expect(seen, 'events received').to.be.at.least(WANTED.length + 1 + NO_DAY.length);
    expect(sum((s) => s.copied + s.skipped + s.ignored.noCalendarDate + s.ignored.outsidePattern + s.ignored.gone), 'every event accounted for').to.equal(seen);
    expect(await queueDepth(sqs, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
    expect(await queueDepth(sqs, queue.deadLetterUrl!)).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it('leaves nothing for the daily run to reconcile', async () => {
    const before = copies.counts.get('CopyObject') ?? 0;
    for (const time of ['2024-03-02T06:00:00Z', '2024-03-03T06:00:00Z']) {
      const summary = lambdaResponse(await handleEvent(scheduledEvent(time), handlerConfig, clients, { logger })) as Summary;
      expect(summary.reconciled, time).to.equal(0);
      expect(summary.skipped, time).to.be.greaterThan(0);
    }
    expect(copies.counts.get('CopyObject') ?? 0).to.equal(before);
  });

  it('copies nothing again for events delivered again (a rewrite with the same bytes included)', async () => {
    const before = copies.counts.get('CopyObject') ?? 0;
    await put(world.sourceAdmin, 'events/2024/03/01/part-0001.csv', 'first events/2024/03/01/part-0001.csv\n');
    await drain();
    // Same size and ETag as the copy: equal, skipped.
    expect(copies.counts.get('CopyObject') ?? 0).to.equal(before);
    const dest = await listEtags(world.destinationAdmin, DESTINATION_BUCKET, DEST_PREFIX);
    expect(dest.size).to.equal(WANTED.length);
  });

  it('turned off, leaves the bucket\'s notification configuration alone', async () => {
    // moto applies no parameters-only change set (it keeps the resources and the old parameters),
    // so the removal of the rule and the queues is proven on the template (PushOnWrite false leaves
    // them out) and deploy's unit tests (it sends PushOnWrite=false); here: the bucket is not touched.
    const calls: string[] = [];
    deployClients.s3.middlewareStack.add((next, context) => (args) => {
      calls.push(context.commandName ?? '?');
      return next(args);
    }, { step: 'initialize', name: 'recordOffCalls' });
    await deploy(parseDeployConfig(pushOnWriteEnv(false)));
    expect(calls.filter((c) => c.includes('Notification'))).to.deep.equal([]);
    const n = await world.sourceAdmin.send(new GetBucketNotificationConfigurationCommand({ Bucket: SOURCE_BUCKET }));
    expect(n.QueueConfigurations?.map((q) => q.Id)).to.deep.equal(['ingest']);
  });
});
