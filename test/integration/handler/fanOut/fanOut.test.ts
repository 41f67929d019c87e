import { expect } from 'chai';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, handlerEnv, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../../../dev/replicationWorld.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { addDays, parseIsoDate, type IsoDate } from '../../../../rules/dates.ts';
import type { LambdaContextLike } from '../../../../handler/index.ts';
import type { ReplicationClients } from '../../../../handler/copy/replicateDay.ts';
import { createSqsClient, sqsWorkQueue } from '../../../../handler/aws/workQueue.ts';
import { createTemporaryQueues, queueDepth, runLocalFanOut, type QueuePair } from '../../../../deploy/local/localWorkers.ts';

const OBJECTS_PER_DAY = 12;
// The fake context has time for this many questions per invocation: one before the item, then
// one before each object, so 3 objects per invocation and 4 invocations per 12-object day.
const QUESTIONS_PER_INVOCATION = 4;
const STOP_MARGIN_MS = 1_000;

/** An invocation's context whose remaining time drops below the margin after a few questions, instead of sleeping. */
function shortContext(): LambdaContextLike {
  let asked = 0;
  return { getRemainingTimeInMillis: () => (++asked <= QUESTIONS_PER_INVOCATION ? 60_000 : 0) };
}

function days(from: string, count: number): IsoDate[] {
  return Array.from({ length: count }, (_, i) => addDays(parseIsoDate(from)!, i));
}

const keyOf = (date: IsoDate, i: number) => `${date.replace(/-/g, '/')}/part-${String(i).padStart(3, '0')}.json`;

async function listAll(s3: S3Client, bucket: string, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.set(o.Key!, `${o.Size} ${o.ETag}`);
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

/**
 * The fan-out path end to end on moto: the handler's planner, the SQS work queue with a redrive
 * policy (moto moves an item to the dead-letter queue on the receive after maxReceiveCount, as
 * SQS does), local workers playing the event source mapping, and the handler's SQS path copying
 * between two accounts. What moto cannot show — the mapping's own polling and scaling — is the
 * template's business and is checked there.
 */
describe('fan-out on moto: plan, work items, continuations, dead-letter queue', function () {
  this.timeout(300_000);
  let world: World;
  let sqs: SQSClient;
  let clients: ReplicationClients;
  type Queues = QueuePair & { remove(): Promise<void> };
  /** CopyObject requests sent with the destination role, by destination key. */
  const copies = new Map<string, number>();
  /** CopyObject of keys under this prefix fails (a fault injected at the client, before any request). */
  let failingPrefix: string | undefined;
  const config = parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: '2' }));
  /**
   * Deliveries of each work item, by its body (`date`, `startAfter`): SQS is at-least-once, and a
   * message can reach two consumers (a receive that timed out, a send the SDK retried after a lost
   * answer, moto under load). What a duplicate delivery may cost is tested on its own below.
   */
  const deliveries = new Map<string, number>();
  /** A work item (by body) to deliver a second time, to the next receive, while the first still runs. */
  let duplicateOnce: ((body: { date: string; startAfter?: string }) => boolean) | undefined;

  before(async () => {
    await moto().reset();
    world = await createWorld();
    sqs = createSqsClient();
    let pending: Message[] = [];
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName !== 'ReceiveMessageCommand') return out;
        const messages = (out.output as { Messages?: Message[] }).Messages ?? [];
        const given = [...messages, ...pending];
        pending = [];
        for (const m of messages) {
          const body = JSON.parse(m.Body ?? '{}') as { date: string; startAfter?: string };
          if (duplicateOnce?.(body)) {
            duplicateOnce = undefined;
            pending.push(m);
          }
        }
        for (const m of given) deliveries.set(m.Body ?? '', (deliveries.get(m.Body ?? '') ?? 0) + 1);
        (out.output as { Messages?: Message[] }).Messages = given;
        return out;
      },
      { step: 'initialize', name: 'recordAndDuplicateDeliveries' },
    );
    clients = createClients(config, { sessionName: 'fan-out-test' });
    clients.destinationS3.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'CopyObjectCommand') {
          const key = (args.input as { Key: string }).Key;
          if (failingPrefix !== undefined && key.startsWith(failingPrefix)) {
            return Promise.reject(Object.assign(new Error(`injected failure for ${key}`), { name: 'AccessDenied' }));
          }
          copies.set(key, (copies.get(key) ?? 0) + 1);
        }
        return next(args);
      },
      { step: 'initialize', name: 'countAndFaultCopies' },
    );
  });

  const seed = async (dates: readonly IsoDate[]) => {
    await putObjects(world.sourceAdmin, dates.flatMap((d) => Array.from({ length: OBJECTS_PER_DAY }, (_, i) => ({ Bucket: SOURCE_BUCKET, Key: keyOf(d, i), Body: `${d} object ${i}\n`.repeat(i + 1) }))));
  };
  const run = (queue: QueuePair, event: Record<string, unknown>, workers = 4) =>
    runLocalFanOut({ event, config, clients, sqs, queue, workers, context: shortContext, stopMarginMs: STOP_MARGIN_MS, waitTimeSeconds: 0 });

  describe('a 32-day backfill where every day needs several invocations', () => {
    const dates = days('2024-01-01', 32);
    let summary: Awaited<ReturnType<typeof run>>;
    let queue: Queues;
    before(async () => {
      copies.clear();
      queue = await createTemporaryQueues(sqs, { maxReceiveCount: 3 });
      await seed(dates);
      summary = await run(queue, { from: '2024-01-01', to: '2024-02-01' });
    });

    it('hands each day on in continuations: 4 invocations and 3 continuations per day', () => {
      expect(summary).to.deep.include({ days: 32, continuations: 32 * 3, invocations: 32 * 4, requeued: 0, failedDeliveries: 0, failed: 0 });
    });

    it('copies every object exactly once unless its work item was delivered twice (CopyObject requests counted at the client)', () => {
      const expected = dates.flatMap((d) => Array.from({ length: OBJECTS_PER_DAY }, (_, i) => keyOf(d, i))).sort();
      expect([...copies.keys()].sort()).to.deep.equal(expected);
      // A duplicate delivery (SQS, and moto under load, are at-least-once) may copy its part of the
      // day twice; nothing else may. Without one, which is the rule here, every count is 1.
      const duplicatedDays = new Set([...deliveries].filter(([, n]) => n > 1).map(([body]) => (JSON.parse(body) as { date: string }).date));
      for (const [key, n] of copies) {
        if (n > 1) expect(duplicatedDays.has(key.slice(0, 10).replace(/\//g, '-')), `${key} copied ${n} times without a duplicate delivery`).to.equal(true);
        expect(n, key).to.be.at.most(2);
      }
      if (duplicatedDays.size === 0) expect(summary.copied).to.equal(32 * OBJECTS_PER_DAY);
    });

    it('leaves the destination equal to the source', async () => {
      const src = await listAll(world.sourceAdmin, SOURCE_BUCKET, '2024/');
      const dst = await listAll(world.destinationAdmin, DESTINATION_BUCKET, '2024/');
      expect(src.size).to.equal(32 * OBJECTS_PER_DAY);
      expect([...dst.entries()].sort()).to.deep.equal([...src.entries()].sort());
    });

    it('leaves the work queue and the dead-letter queue empty', async () => {
      expect(summary).to.deep.include({ queueLeft: 0, deadLettered: 0 });
      expect(await queueDepth(sqs, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
      expect(await queueDepth(sqs, queue.deadLetterUrl!)).to.deep.equal({ visible: 0, inFlight: 0 });
    });

    it('copies nothing more for a duplicated work item and a continuation delivered twice', async () => {
      copies.clear();
      const work = sqsWorkQueue(sqs, queue.queueUrl);
      // SQS is at-least-once: the same planned day twice, and the same continuation twice.
      await work.send([{ date: dates[0]! }, { date: dates[0]! }, { date: dates[5]!, startAfter: keyOf(dates[5]!, 2) }, { date: dates[5]!, startAfter: keyOf(dates[5]!, 2) }]);
      const again = await run(queue, { dates: [dates[0]] }, 2);
      expect(copies.size).to.equal(0);
      expect(again).to.deep.include({ copied: 0, failed: 0, queueLeft: 0, deadLettered: 0 });
      // 3 deliveries of day 0 (12 objects each) and 2 of day 5 after its 3rd key (9 each): all skipped as equal.
      expect(again.skipped).to.equal(3 * 12 + 2 * 9);
    });

    after(async () => {
      await queue.remove();
    });
  });

  describe('a continuation delivered twice while the first delivery still runs (forced)', () => {
    const dates = days('2024-05-01', 2);
    let summary: Awaited<ReturnType<typeof run>>;
    let queue: Queues;
    before(async () => {
      copies.clear();
      deliveries.clear();
      queue = await createTemporaryQueues(sqs, { maxReceiveCount: 3 });
      await seed(dates);
      // The first continuation of the first day reaches two workers at once.
      duplicateOnce = (body) => body.date === dates[0] && body.startAfter !== undefined;
      summary = await run(queue, { from: dates[0]!, to: dates[1]! });
    });

    it('was delivered twice: the duplicate happened, and only in the first day (its chain of continuations runs twice)', () => {
      expect(duplicateOnce).to.equal(undefined);
      const doubled = [...deliveries].filter(([, n]) => n > 1).map(([body]) => JSON.parse(body) as { date: string; startAfter?: string });
      expect(doubled.length).to.be.at.least(1);
      expect(doubled.every((b) => b.date === dates[0] && b.startAfter !== undefined)).to.equal(true);
    });

    it('leaves the destination equal to the source, copying an object at most twice and only in the duplicated day', async () => {
      const src = await listAll(world.sourceAdmin, SOURCE_BUCKET, '2024/05/');
      const dst = await listAll(world.destinationAdmin, DESTINATION_BUCKET, '2024/05/');
      expect([...dst.entries()].sort()).to.deep.equal([...src.entries()].sort());
      for (const [key, n] of copies) {
        expect(n, key).to.be.at.most(2);
        if (n > 1) expect(key.startsWith(dates[0]!.replace(/-/g, '/')), key).to.equal(true);
      }
      // The duplicate runs the rest of the first day (all but its first invocation's 3 objects) a
      // second time: each of those objects is copied again or skipped as equal.
      expect(summary.copied + summary.skipped).to.be.at.least(2 * OBJECTS_PER_DAY + (OBJECTS_PER_DAY - 3));
      expect(summary).to.deep.include({ failed: 0, deadLettered: 0, queueLeft: 0 });
    });

    after(async () => {
      duplicateOnce = undefined;
      await queue.remove();
    });
  });

  describe('one day whose copies keep failing', () => {
    const dates = days('2024-03-01', 30);
    const failingDay = dates[14]!;
    let queue: Queues;
    before(async () => {
      copies.clear();
      queue = await createTemporaryQueues(sqs, { maxReceiveCount: 3 });
      failingPrefix = keyOf(failingDay, 0).replace(/part-.*$/, '');
      await seed(dates);
    });
    after(async () => {
      failingPrefix = undefined;
      await queue.remove();
    });

    it('retries the day until it lands in the dead-letter queue, while every other day completes', async () => {
      const summary = await run(queue, { from: dates[0], to: dates[29] });
      expect(summary).to.deep.include({ days: 30, queueLeft: 0, deadLettered: 1 });
      // maxReceiveCount 3: the day's first item is delivered three times, failing each time.
      expect(summary.failedDeliveries).to.equal(3);

      const src = await listAll(world.sourceAdmin, SOURCE_BUCKET, '2024/03/');
      const dst = await listAll(world.destinationAdmin, DESTINATION_BUCKET, '2024/03/');
      const expected = [...src.entries()].filter(([k]) => !k.startsWith(failingPrefix!));
      expect([...dst.entries()].sort()).to.deep.equal(expected.sort());
      expect(expected).to.have.length(29 * OBJECTS_PER_DAY);
      expect([...copies.values()].every((n) => n === 1)).to.equal(true);
      expect(copies.size).to.equal(29 * OBJECTS_PER_DAY);

      const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.deadLetterUrl!, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
      // The day's last part: the whole day when it fitted in one invocation; otherwise the rest
      // after the earlier parts, which handed on their failures with it.
      const bodies = (dead.Messages ?? []).map((m) => JSON.parse(m.Body!) as { date: string; startAfter?: string; failedBefore?: number; firstFailedKey?: string });
      expect(bodies).to.have.length(1);
      expect(bodies[0]!.date).to.equal(failingDay);
      if (bodies[0]!.startAfter !== undefined) {
        expect(bodies[0]!.failedBefore).to.equal([...src.keys()].filter((k) => k.startsWith(failingPrefix!) && k <= bodies[0]!.startAfter!).length);
        expect(bodies[0]!.firstFailedKey).to.equal(keyOf(failingDay, 0));
      } else {
        expect(bodies[0]).to.deep.equal({ date: failingDay });
      }
    });
  });
});
