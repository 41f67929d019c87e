import { expect } from 'chai';
import { CopyObjectCommand, ListObjectsV2Command, type CopyObjectCommandInput, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { handleEvent, stopWhenLow } from '../../../../handler/index.ts';
import { runWorkBatch } from '../../../../handler/fanOut/workBatch.ts';
import { parseHandlerConfig, type HandlerConfig } from '../../../../handler/config.ts';
import { EventValidationError } from '../../../../handler/errors.ts';
import { ConfigError } from '../../../../rules/errors.ts';
import { createLogger } from '../../../../handler/logger.ts';
import { handlerEnv, scheduledEvent } from '../../../helpers/fixtures.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { mockReplicationClients } from '../../../helpers/awsMocks.ts';
import { FAKE_QUEUE_URL, fakeQueue } from '../../../helpers/fakeWorkQueue.ts';
import { createRunMetrics, type DayMetrics, type RunMetrics } from '../../../../handler/metrics.ts';

const QUEUE_URL = FAKE_QUEUE_URL;
// Parsed in a beforeEach, not at import: code run at import belongs to no test (mutation testing).
let config: HandlerConfig;
const obj = (key: string) => ({ key, size: 5, etag: 'e' });
const record = (messageId: string, body: unknown, receiveCount = 1) => ({
  messageId,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  eventSource: 'aws:sqs' as const,
  attributes: { ApproximateReceiveCount: String(receiveCount) },
});


describe('handler/fanOut', () => {
  beforeEach(() => {
    config = parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: '2', WORK_QUEUE_URL: QUEUE_URL }));
  });
  const { clients, src, dst } = mockReplicationClients();
  let lines: string[];
  let logger: ReturnType<typeof createLogger>;
  let queue: ReturnType<typeof fakeQueue>;
  const day1 = ['a', 'b', 'c', 'd', 'e'].map((k) => obj(`2024/01/01/${k}`));
  beforeEach(() => {
    lines = [];
    logger = createLogger([], (l) => lines.push(l));
    queue = fakeQueue();
    src.on(ListObjectsV2Command).callsFake(fakeList([...day1, obj('2024/01/02/f')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(CopyObjectCommand).resolves({});
  });
  const copiedKeys = () => dst.commandCalls(CopyObjectCommand).map((c) => c.args[0].input.Key);
  const lastLog = () => JSON.parse(lines[lines.length - 1]!) as Record<string, unknown> & { items: Record<string, unknown>[] };

  describe('planning (handleEvent with a work queue)', () => {
    it('enqueues one item per day of a range and copies nothing itself', async () => {
      const result = await handleEvent({ from: '2024-01-30', to: '2024-02-02' }, config, clients, { logger, workQueue: queue });
      expect(result).to.deep.equal({ kind: 'plan', plan: { planned: ['2024-01-30', '2024-01-31', '2024-02-01', '2024-02-02'], queue: QUEUE_URL, dryRun: false } });
      expect(queue.sent).to.deep.equal([{ date: '2024-01-30' }, { date: '2024-01-31' }, { date: '2024-02-01' }, { date: '2024-02-02' }]);
      expect(src.calls()).to.have.length(0);
      expect(lastLog()).to.deep.include({ level: 'INFO', message: 's3-push fan-out planned', days: 4, queue: QUEUE_URL });
    });

    it('carries dryRun into the items, and fans out one day when asked to', async () => {
      await handleEvent({ dates: ['2024-01-01'], fanOut: true, dryRun: true }, config, clients, { logger, workQueue: queue });
      expect(queue.sent).to.deep.equal([{ date: '2024-01-01', dryRun: true }]);
    });

    it('lifts the per-event limit to 3,660 days, and no further', async () => {
      const result = await handleEvent({ from: '2015-01-01', to: '2024-12-31' }, config, clients, { logger, workQueue: queue });
      expect(result.kind === 'plan' && result.plan.planned).to.have.length(3653);
      const err = await handleEvent({ from: '2014-01-01', to: '2024-12-31' }, config, clients, { logger, workQueue: queue }).catch((e: unknown) => e);
      expect((err as Error).message).to.match(/4018 days requested; at most 3660 days per event/);
    });

    it('runs a scheduled day inline, and enqueues the rest of it (marked scheduled) when the budget runs out', async () => {
      let n = 0;
      const result = await handleEvent(scheduledEvent('2024-01-02T06:00:00Z'), config, clients, { logger, workQueue: queue, shouldStop: () => ++n > 2 });
      expect(copiedKeys()).to.deep.equal(['2024/01/01/a', '2024/01/01/b']);
      expect(result.kind).to.equal('summary');
      expect(result.kind === 'summary' && result.summary).to.deep.include({ copied: 2, failed: 0 });
      expect(queue.sent).to.deep.equal([{ date: '2024-01-01', startAfter: '2024/01/01/b', scheduled: true }]);
    });
    it('enqueues the rest of an inline day past an object that failed, its failure with it (issue 15)', async () => {
      const keys = Array.from({ length: 10 }, (_, i) => `2024/01/01/${i}`);
      src.on(ListObjectsV2Command).callsFake(fakeList(keys.map(obj)));
      dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => (input.Key === keys[1] ? Promise.reject(new Error('poison')) : Promise.resolve({})));
      let n = 0;
      const result = await handleEvent(scheduledEvent('2024-01-02T06:00:00Z'), config, clients, { logger, workQueue: queue, shouldStop: () => ++n > 4 });
      const rest = { date: '2024-01-01', startAfter: keys[3], failedBefore: 1, firstFailedKey: keys[1], scheduled: true };
      expect(queue.sent).to.deep.equal([rest]);
      expect(result.kind === 'summary' && result.summary).to.deep.include({ failed: 1, copied: 3 });
      expect(lastLog()).to.deep.include({ level: 'ERROR', failed: 1, copied: 3 });
      expect(lastLog().continued).to.deep.equal([rest]);
    });
  });

  describe('lookback days handed on (LOOKBACK_DAYS)', () => {
    /** The metrics a run emits, by day: what the day-not-completed alarm and ObjectsCopiedLate read. */
    const recorded = (): { days: DayMetrics[]; metrics: RunMetrics } => {
      const days: DayMetrics[] = [];
      return { days, metrics: { day: (d) => days.push(d) } };
    };

    it('a scheduled run hands the rest of a lookback day on marked lookback, the own day marked scheduled', async () => {
      const lookbackConfig = parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: '1', WORK_QUEUE_URL: QUEUE_URL, LOOKBACK_DAYS: '2' }));
      // The own day (01-02) holds one object; the first lookback day (01-01) five: the budget ends in it.
      src.on(ListObjectsV2Command).callsFake(fakeList([...day1, obj('2024/01/02/f')]));
      let n = 0;
      const { days, metrics } = recorded();
      const result = await handleEvent(scheduledEvent('2024-01-03T06:00:00Z'), lookbackConfig, clients, { logger, workQueue: queue, metrics, shouldStop: () => ++n > 4 });
      expect(copiedKeys()).to.deep.equal(['2024/01/02/f', '2024/01/01/a', '2024/01/01/b', '2024/01/01/c']);
      // The rest of 01-01 and the day not started (12-31) are lookback days: their copies count late wherever they run.
      expect(queue.sent).to.deep.equal([{ date: '2024-01-01', startAfter: '2024/01/01/c', lookback: true }, { date: '2023-12-31', lookback: true }]);
      expect(result.kind === 'summary' && result.summary).to.deep.include({ lateCopied: 3, reconciled: 4 });
      // Only the own day feeds the deadline alarm.
      expect(days.map((d) => [d.summary.date, d.summary.lookback ?? false, d.scheduled?.completed])).to.deep.equal([['2024-01-02', false, true], ['2024-01-01', true, undefined]]);
    });

    it('a lookback item\'s copies are counted late (lateCopied, ObjectsCopiedLate) and never as the scheduled day', async () => {
      const { days, metrics } = recorded();
      let n = 0;
      const res = await runWorkBatch([record('m1', { date: '2024-01-01', startAfter: '2024/01/01/b', lookback: true })], config, clients, queue, { logger, metrics, shouldStop: () => ++n > 2 });
      expect(copiedKeys()).to.deep.equal(['2024/01/01/c']);
      // Its rest stays a lookback day.
      expect(queue.sent).to.deep.equal([{ date: '2024-01-01', startAfter: '2024/01/01/c', lookback: true }]);
      expect(res.summary).to.deep.include({ copied: 1, lateCopied: 1 });
      expect(res.summary.dates[0]).to.deep.include({ date: '2024-01-01', lookback: true, copied: 1 });
      expect(days).to.have.length(1);
      expect(days[0]!.summary).to.deep.include({ lookback: true, copied: 1 });
      expect(days[0]).not.to.have.property('scheduled');

      const lines: string[] = [];
      createRunMetrics('fn', { sink: (l) => lines.push(l) }).day(days[0]!);
      const emf = JSON.parse(lines[0]!) as Record<string, unknown>;
      expect(emf).to.deep.include({ ObjectsCopiedLate: 1 });
      expect(emf).not.to.have.property('ScheduledDayCompleted');

      // The last part of the day: done, still late.
      const last = await runWorkBatch([record('m2', queue.sent[0]!)], config, clients, queue, { logger });
      expect(last.items[0]).to.deep.include({ outcome: 'done' });
      expect(last.summary).to.deep.include({ copied: 2, lateCopied: 2 });
    });

    it('an item that is not a lookback day has no lateCopied', async () => {
      const res = await runWorkBatch([record('m1', { date: '2024-01-01' })], config, clients, queue, { logger });
      expect(res.summary).not.to.have.property('lateCopied');
      expect(res.summary.dates[0]).not.to.have.property('lookback');
    });
  });

  describe('without a work queue', () => {
    it('runs a multi-day event inline, as the seed did', async () => {
      const result = await handleEvent({ dates: ['2024-01-01', '2024-01-02'] }, config, clients, { logger });
      expect(result.kind === 'summary' && result.summary).to.deep.include({ copied: 6 });
    });

    it('refuses "fanOut": true naming WORK_QUEUE_URL, before any request', async () => {
      const err = await handleEvent({ dates: ['2024-01-01'], fanOut: true }, config, clients, { logger }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(EventValidationError);
      expect((err as Error).message).to.match(/"fanOut": true needs the work queue, and WORK_QUEUE_URL is not set/);
      expect(src.calls()).to.have.length(0);
    });

    it('refuses an SQS batch naming WORK_QUEUE_URL', async () => {
      const err = await handleEvent({ Records: [record('m1', { date: '2024-01-01' })] }, config, clients, { logger }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.match(/WORK_QUEUE_URL is not set/);
      expect(src.calls()).to.have.length(0);
    });

    it('keeps the inline limit and says how to go beyond it', async () => {
      const err = await handleEvent({ from: '2023-01-01', to: '2024-01-02' }, config, clients, { logger }).catch((e: unknown) => e);
      expect((err as Error).message).to.match(/367 days requested; at most 366 days per event: .*set WORK_QUEUE_URL; up to 3660 days/);
    });
  });

  describe('working (runWorkBatch)', () => {
    it('copies a whole day and acknowledges the item', async () => {
      const res = await runWorkBatch([record('m1', { date: '2024-01-01' })], config, clients, queue, { logger });
      expect(res.response).to.deep.equal({ batchItemFailures: [] });
      expect(copiedKeys()).to.have.length(5);
      expect(queue.sent).to.deep.equal([]);
      expect(lastLog()).to.deep.include({ level: 'INFO', message: 's3-push work batch', copied: 5 });
      expect(lastLog().items).to.deep.equal([{ messageId: 'm1', receiveCount: 1, date: '2024-01-01', outcome: 'done' }]);
    });

    it('stops at the budget, lets copies finish, and enqueues the rest of the day before acknowledging', async () => {
      let n = 0;
      // Asked once before the item, then before each object: two objects fit.
      const res = await runWorkBatch([record('m1', { date: '2024-01-01', startAfter: '2024/01/01/a' })], config, clients, queue, { logger, shouldStop: () => ++n > 3 });
      expect(res.response.batchItemFailures).to.deep.equal([]);
      expect(copiedKeys()).to.deep.equal(['2024/01/01/b', '2024/01/01/c']);
      expect(queue.sent).to.deep.equal([{ date: '2024-01-01', startAfter: '2024/01/01/c' }]);
      expect(lastLog().items[0]).to.deep.include({ outcome: 'continued', startAfter: '2024/01/01/a', continueAfter: '2024/01/01/c' });
    });

    it('reports the item as failed when the continuation cannot be sent, so SQS redelivers it', async () => {
      queue.failing = true;
      let n = 0;
      const res = await runWorkBatch([record('m1', { date: '2024-01-01' })], config, clients, queue, { logger, shouldStop: () => ++n > 2 });
      expect(res.response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'm1' }]);
      expect(lastLog().items[0]!.error).to.match(/continuation could not be enqueued: SQS is down/);
    });

    it('reports a day with a failed object, and a day that cannot be listed, and carries on with the others', async () => {
      dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => (input.Key === '2024/01/01/c' ? Promise.reject(new Error('boom')) : Promise.resolve({})));
      src.on(ListObjectsV2Command, { Prefix: '2024/01/03/' }).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
      const res = await runWorkBatch(
        [record('m1', { date: '2024-01-01' }), record('m2', { date: '2024-01-02' }), record('m3', { date: '2024-01-03' })],
        config, clients, queue, { logger },
      );
      expect(res.response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm3' }]);
      expect(copiedKeys()).to.include('2024/01/02/f');
      expect(lastLog()).to.deep.include({ level: 'ERROR', failed: 2 });
      expect(queue.sent).to.deep.equal([]);
    });

    it('reports a malformed item as a failure (so it ends in the dead-letter queue) and still works the others', async () => {
      const res = await runWorkBatch([record('bad', '{"date":"2024-13-01"}', 3), record('m2', { date: '2024-01-02' })], config, clients, queue, { logger });
      expect(res.response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'bad' }]);
      expect(lastLog().items[0]).to.deep.include({ messageId: 'bad', outcome: 'rejected', receiveCount: 3 });
      expect(lastLog().items[0]!.error).to.match(/"date" is "2024-13-01"/);
      expect(copiedKeys()).to.deep.equal(['2024/01/02/f']);
    });

    it('fails rather than loops when not one object fits in the budget', async () => {
      let n = 0;
      const res = await runWorkBatch([record('m1', { date: '2024-01-01' })], config, clients, queue, { logger, shouldStop: () => ++n > 1 });
      expect(res.response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'm1' }]);
      expect(queue.sent).to.deep.equal([]);
      expect(lastLog().items[0]!.error).to.match(/before a single object was handled/);
    });

    it('hands items it had no time to start back to the queue unchanged, without counting a failure', async () => {
      let n = 0;
      const res = await runWorkBatch(
        [record('m1', { date: '2024-01-02' }), record('m2', { date: '2024-01-01', startAfter: '2024/01/01/b' })],
        config, clients, queue, { logger, shouldStop: () => ++n > 2 },
      );
      expect(res.response.batchItemFailures).to.deep.equal([]);
      expect(queue.sent).to.deep.equal([{ date: '2024-01-01', startAfter: '2024/01/01/b' }]);
      expect(lastLog().items.map((i) => i.outcome)).to.deep.equal(['done', 'requeued']);
    });

    it('hands on the rest of a day past an object that always fails, and the day\'s last part fails with it (issue 15)', async () => {
      const keys = Array.from({ length: 40 }, (_, i) => `2024/01/05/${String(i).padStart(2, '0')}`);
      src.on(ListObjectsV2Command).callsFake(fakeList(keys.map(obj)));
      dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => (input.Key === keys[3] ? Promise.reject(new Error('poison')) : Promise.resolve({})));
      let n = 0;
      // Asked once before the item, then before each object: 20 objects fit.
      const first = await runWorkBatch([record('m1', { date: '2024-01-05' })], config, clients, queue, { logger, shouldStop: () => ++n > 21 });
      const rest = { date: '2024-01-05', startAfter: keys[19], failedBefore: 1, firstFailedKey: keys[3] };
      expect(queue.sent).to.deep.equal([rest]);
      // Acknowledged: a redelivery would hand the rest on a second time.
      expect(first.response.batchItemFailures).to.deep.equal([]);
      expect(lastLog().items[0]).to.deep.include({ outcome: 'continued', continueAfter: keys[19] });
      expect(lastLog().items[0]!.error).to.match(/1 object\(s\) failed; first: 2024\/01\/05\/03/);
      expect(lastLog()).to.deep.include({ failed: 1, copied: 19 });

      // The rest of the day: every other object is copied, then the item fails, naming the poison.
      const last = await runWorkBatch([record('m2', queue.sent[0])], config, clients, queue, { logger });
      expect(last.response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'm2' }]);
      expect(new Set(copiedKeys())).to.deep.equal(new Set(keys));
      expect(lastLog().items[0]).to.deep.include({ outcome: 'failed' });
      expect(lastLog().items[0]!.error).to.match(/1 object\(s\) of 2024-01-05 failed in earlier parts of the day \(first: 2024\/01\/05\/03\)/);
      expect(queue.sent).to.have.length(1);
    });

    it('fails an item the budget was gone for before it started, so it reaches the dead-letter queue (issue 15)', async () => {
      const res = await runWorkBatch([record('m1', { date: '2024-01-01' })], config, clients, queue, { logger, shouldStop: () => true });
      expect(res.response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'm1' }]);
      expect(queue.sent).to.deep.equal([]);
      expect(src.calls()).to.have.length(0);
      expect(lastLog().items[0]).to.deep.include({ outcome: 'failed' });
      expect(lastLog().items[0]!.error).to.match(/time budget was already gone when the item started.*timeout/);
    });

    it('keeps the failure count but lists no more than the first failures of a day, in any number of items', async () => {
      const keys = Array.from({ length: 300 }, (_, i) => `2024/01/06/${String(i).padStart(3, '0')}`);
      src.on(ListObjectsV2Command).callsFake(fakeList(keys.map(obj)));
      dst.on(CopyObjectCommand).rejects(new Error('denied'));
      await runWorkBatch([record('m1', { date: '2024-01-06' }), record('m2', { date: '2024-01-06' })], config, clients, queue, { logger });
      expect(lastLog()).to.deep.include({ failed: 600 });
      expect((lastLog().failures as unknown[]).length).to.equal(100);
    });

    it('copies nothing for a duplicate delivery of an item already done', async () => {
      const copied: string[] = [];
      dst.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => fakeList(copied.map(obj))(input));
      dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => {
        copied.push(input.Key!);
        return Promise.resolve({});
      });
      await runWorkBatch([record('m1', { date: '2024-01-01' })], config, clients, queue, { logger });
      expect(copied).to.have.length(5);
      const res = await runWorkBatch([record('m1', { date: '2024-01-01' }, 2)], config, clients, queue, { logger });
      expect(res.response.batchItemFailures).to.deep.equal([]);
      expect(copied).to.have.length(5);
      expect(lastLog()).to.deep.include({ copied: 0, skipped: 5 });
    });
  });

  it('stopWhenLow stops once the context has less than the margin left', () => {
    let left = 1000;
    const stop = stopWhenLow({ getRemainingTimeInMillis: () => left }, 500);
    expect(stop()).to.equal(false);
    left = 499;
    expect(stop()).to.equal(true);
  });
});
