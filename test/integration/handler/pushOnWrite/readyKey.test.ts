import { expect } from 'chai';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, handlerEnv, objectCreatedEvent, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { countCommands, createWorld, putObjects, type World } from '../../../../dev/replicationWorld.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { handleEvent } from '../../../../handler/index.ts';
import { lambdaResponse } from '../../../../handler/result.ts';
import { createLogger } from '../../../../handler/logger.ts';
import { DAY_MARKER_NAME } from '../../../../handler/marker/manifest.ts';
import { createSqsClient, sqsWorkQueue } from '../../../../handler/aws/workQueue.ts';
import { createTemporaryQueues, drainQueue, queueDepth } from '../../../../deploy/local/localWorkers.ts';
import type { ObjectEventsSummary } from '../../../../handler/pushOnWrite/pushOnWrite.ts';
import type { CopyObjectCommandInput } from '@aws-sdk/client-s3';

const DEST = 'from-acme/';

async function keysUnder(s3: S3Client, prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: DESTINATION_BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

/** The source keys the destination client copied, in the order it sent the requests. */
function copyOrder(s3: S3Client): string[] {
  const order: string[] = [];
  s3.middlewareStack.add((next, context) => (args) => {
    if (context.commandName === 'CopyObjectCommand') order.push(decodeURIComponent((args.input as CopyObjectCommandInput).CopySource!.split('/').slice(1).join('/')));
    return next(args);
  }, { step: 'initialize', name: 'copyOrder' });
  return order;
}

// Push on write with upstream's ready key, on moto with two accounts: the parts' events copy them
// as they come, the ready key's event triggers its day (through a real work queue on moto, or
// inline), and the day's copy ends with the ready key, then the marker.
describe('push on write and the ready key on moto', function () {
  this.timeout(120_000);
  let world: World;
  const logger = createLogger([], () => undefined);
  const env = { DESTINATION_PREFIX: DEST, DAY_MARKER: 'true', SOURCE_READY_KEY: '_SUCCESS', COPY_CONCURRENCY: '4' };

  before(async () => {
    await moto().reset();
    world = await createWorld();
  });

  it('inline: copies the parts as they arrive, and the ready key\'s event copies the rest of the day, the ready key last, then the marker', async () => {
    const config = parseHandlerConfig(handlerEnv(env));
    const clients = createClients(config);
    const order = copyOrder(clients.destinationS3);
    const DAY = '2024/11/01/';
    const parts = Array.from({ length: 12 }, (_, i) => `${DAY}part-${String(i).padStart(5, '0')}.snappy.parquet`);
    await putObjects(world.sourceAdmin, parts.map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: Key })));
    // Events of the first three parts arrive before the ready key exists: copied at once.
    for (const key of parts.slice(0, 3)) {
      const s = lambdaResponse(await handleEvent(objectCreatedEvent(key), config, clients, { logger })) as ObjectEventsSummary;
      expect(s).to.deep.include({ copied: 1, failed: 0 });
    }
    expect(await keysUnder(world.destinationAdmin, DEST + DAY)).to.deep.equal(parts.slice(0, 3).map((k) => DEST + k));

    await putObjects(world.sourceAdmin, [{ Bucket: SOURCE_BUCKET, Key: `${DAY}_SUCCESS`, Body: '' }]);
    order.length = 0;
    const summary = lambdaResponse(await handleEvent(objectCreatedEvent(`${DAY}_SUCCESS`), config, clients, { logger })) as ObjectEventsSummary;
    expect(summary).to.deep.include({ events: 1, copied: 0, failed: 0, readyKeys: 1, readyDays: { '2024-11-01': { outcome: 'copied' } } });
    expect(order).to.have.length(10);
    expect(order.at(-1)).to.equal(`${DAY}_SUCCESS`);
    expect(order.slice(0, -1).sort()).to.deep.equal(parts.slice(3));
    expect(await keysUnder(world.destinationAdmin, DEST + DAY)).to.deep.equal([...parts, `${DAY}_SUCCESS`, DAY + DAY_MARKER_NAME].map((k) => DEST + k).sort());
  });

  it('with the work queue: the ready key\'s event sends its day, and the work item copies the day with the ready key last', async () => {
    const sqs = createSqsClient();
    const queue = await createTemporaryQueues(sqs, { maxReceiveCount: 3 });
    try {
      const config = parseHandlerConfig(handlerEnv({ ...env, WORK_QUEUE_URL: queue.queueUrl }));
      const clients = createClients(config);
      const order = copyOrder(clients.destinationS3);
      const counted = countCommands(clients.destinationS3);
      const DAY = '2024/11/02/';
      const parts = Array.from({ length: 8 }, (_, i) => `${DAY}part-${i}.csv`);
      await putObjects(world.sourceAdmin, [...parts, `${DAY}_SUCCESS`].map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: Key })));
      const workQueue = sqsWorkQueue(sqs, queue.queueUrl);

      // The ready key's event (delivered twice, as S3 may) hands its day on once and copies nothing.
      const s = lambdaResponse(await handleEvent({ Records: [
        { messageId: 'm1', body: JSON.stringify(objectCreatedEvent(`${DAY}_SUCCESS`)), eventSource: 'aws:sqs' },
        { messageId: 'm2', body: JSON.stringify(objectCreatedEvent(`${DAY}_SUCCESS`)), eventSource: 'aws:sqs' },
      ] }, config, clients, { logger, workQueue }));
      expect(s).to.deep.equal({ batchItemFailures: [] });
      expect(counted.counts.get('CopyObject') ?? 0).to.equal(0);
      expect(await queueDepth(sqs, queue.queueUrl)).to.deep.equal({ visible: 1, inFlight: 0 });

      const drained = await drainQueue({
        sqs, queue, workers: 1,
        invoke: async (event, context) => lambdaResponse(await handleEvent(event, config, clients, { logger, workQueue, shouldStop: () => context.getRemainingTimeInMillis() < 1000 })) as never,
      });
      expect(drained).to.deep.include({ invocations: 1, failedDeliveries: 0 });
      expect(order.at(-1)).to.equal(`${DAY}_SUCCESS`);
      expect(order.slice(0, -1).sort()).to.deep.equal(parts);
      expect(await keysUnder(world.destinationAdmin, DEST + DAY)).to.deep.equal([...parts, `${DAY}_SUCCESS`, DAY + DAY_MARKER_NAME].map((k) => DEST + k).sort());
      expect(await queueDepth(sqs, queue.deadLetterUrl!)).to.deep.equal({ visible: 0, inFlight: 0 });
    } finally {
      await queue.remove();
    }
  });
});
