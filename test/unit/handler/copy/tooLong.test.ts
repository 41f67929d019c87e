/**
 * Keys too long for the destination: S3 keys are at most 1,024 bytes of UTF-8
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html) and S3 answers a longer
 * one with KeyTooLongError, 400 (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
 * moto does not enforce the limit, so the mocked destination here answers a copy to such a key the
 * way S3 does: before, that object failed on every run and its day never completed.
 */
import { expect } from 'chai';
import { CopyObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type CopyObjectCommandInput, type ListObjectsV2CommandInput, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { replicateDay } from '../../../../handler/copy/replicateDay.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { runWorkBatch } from '../../../../handler/fanOut/workBatch.ts';
import { pushObjects, runObjectBatch } from '../../../../handler/pushOnWrite/pushOnWrite.ts';
import { parseObjectEvents } from '../../../../handler/pushOnWrite/objectEvents.ts';
import { parseHandlerConfig, type HandlerConfig } from '../../../../handler/config.ts';
import { createLogger } from '../../../../handler/logger.ts';
import { createRunMetrics, METRIC } from '../../../../handler/metrics.ts';
import type { DayMarkerDocument } from '../../../../handler/marker/manifest.ts';
import type { ObjectInfo } from '../../../../handler/copy/plan.ts';
import type { SqsRecordLike, WorkItem } from '../../../../handler/fanOut/workItems.ts';
import type { WorkQueue } from '../../../../handler/aws/workQueue.ts';
import type { IsoDate } from '../../../../rules/dates.ts';
import { MAX_KEY_BYTES } from '../../../../rules/prefix.ts';
import { TOO_LONG_LOG_MESSAGE } from '../../../../rules/names.ts';
import { MAX_LISTED_TOO_LONG } from '../../../../handler/summary.ts';
import { mockReplicationClients } from '../../../helpers/awsMocks.ts';
import { awsError } from '../../../helpers/errors.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { handlerEnv, objectCreatedEvent, scheduledEvent, sqsRecord } from '../../../helpers/fixtures.ts';
import { emfValues, isEmfLine } from '../../../helpers/emfSpec.ts';

const DAY = '2024-01-01' as IsoDate;
const PREFIX = 'from-acme/';
const old = new Date('2023-12-31T00:00:00Z');
const obj = (key: string, size = 5): ObjectInfo => ({ key, size, etag: `e-${key.length}`, lastModified: old });
/** A source key of the day that is `bytes` long in UTF-8 (ASCII after the day prefix). */
const keyOf = (bytes: number, fill = 'x'): string => `2024/01/01/${fill.repeat(bytes - '2024/01/01/'.length)}`;
// 1,014 bytes: fits at the source, 1,024 at the destination: still copied. 1,015: 1,025 there.
const fits = keyOf(MAX_KEY_BYTES - PREFIX.length);
const tooLong = keyOf(MAX_KEY_BYTES - PREFIX.length + 1);
// Two-byte characters: 1,010 characters, 1,020 bytes at the source, 1,030 at the destination.
const tooLongUnicode = `2024/01/01/${'é'.repeat(504)}z`;
const copiedKeys = (dst: ReturnType<typeof mockReplicationClients>['dst']) => dst.commandCalls(CopyObjectCommand).map((c) => c.args[0].input.Key);

describe('handler: keys too long for the destination (tooLong)', function () {
  this.timeout(30_000);
  let config: HandlerConfig;
  let marked: HandlerConfig;
  const { clients, src, dst } = mockReplicationClients();
  let lines: string[];
  const logger = () => createLogger([], (l) => lines.push(l));
  const parsedLines = () => lines.filter((l) => !isEmfLine(l)).map((l) => JSON.parse(l) as Record<string, unknown>);
  const day = [obj('2024/01/01/a'), obj(fits), obj(tooLong), obj(tooLongUnicode)];

  beforeEach(() => {
    config = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: PREFIX, COPY_CONCURRENCY: '2' }));
    marked = { ...config, dayMarker: true };
    lines = [];
    src.on(ListObjectsV2Command).callsFake(fakeList(day));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    // S3's own answer to a key over 1,024 bytes; moto would take it.
    dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => {
      if (Buffer.byteLength(input.Key!) > MAX_KEY_BYTES) throw awsError('KeyTooLongError', 400, 'Your key is too long');
      return {};
    });
  });

  it('the plan leaves them out: never sent, counted and listed with the destination key\'s length, not a failure; the day completes', async () => {
    const r = await replicateDay(clients, config, { date: DAY });
    expect(copiedKeys(dst).sort()).to.deep.equal([`${PREFIX}2024/01/01/a`, `${PREFIX}${fits}`]);
    expect(Buffer.byteLength(`${PREFIX}${fits}`)).to.equal(MAX_KEY_BYTES);
    expect(r.summary).to.deep.include({ listed: 4, copied: 2, skipped: 0, failed: 0, tooLong: 2 });
    expect(r.summary.tooLongKeys).to.deep.equal([
      { key: tooLong, destinationBytes: 1025 },
      { key: tooLongUnicode, destinationBytes: 1030 },
    ]);
    expect(r).to.deep.include({ complete: true, failures: [], lastKey: tooLongUnicode });
  });

  it('a dry run shows them as tooLong, not as objects to copy', async () => {
    const r = await replicateDay(clients, config, { date: DAY, dryRun: true });
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(0);
    expect(r.summary).to.deep.include({ listed: 4, copied: 2, missing: 2, differ: 0, failed: 0, tooLong: 2 });
  });

  it('a day of only ordinary keys says nothing of it (no field, no line, no metric)', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([obj('2024/01/01/a')]));
    const summary = await runEvent({ dates: [DAY] }, config, clients, { logger: logger(), metrics: createRunMetrics('f', { sink: (l) => lines.push(l) }) });
    expect(summary.dates[0]).not.to.have.property('tooLong');
    expect(summary).not.to.have.property('tooLong');
    expect(parsedLines().map((l) => l.message)).not.to.include(TOO_LONG_LOG_MESSAGE);
    expect(emfValues(lines.find(isEmfLine)!)).not.to.have.property(METRIC.tooLong);
  });

  it('lists at most the first 10 per day and counts them all', async () => {
    const many = Array.from({ length: 25 }, (_, i) => obj(keyOf(1020, String.fromCharCode(97 + i))));
    src.on(ListObjectsV2Command).callsFake(fakeList(many));
    const r = await replicateDay(clients, config, { date: DAY });
    expect(r.summary.tooLong).to.equal(25);
    expect(r.summary.tooLongKeys!.map((k) => k.key)).to.deep.equal(many.slice(0, MAX_LISTED_TOO_LONG).map((o) => o.key));
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(0);
  });

  it('a scheduled run: one WARN line for the day with the keys and the reason, the ObjectsTooLong metric, the day completed, the run does not fail', async () => {
    const emf: string[] = [];
    const summary = await runEvent(scheduledEvent('2024-01-02T06:00:00Z'), config, clients, { logger: logger(), metrics: createRunMetrics('f', { sink: (l) => emf.push(l) }) });
    expect(summary).to.deep.include({ copied: 2, failed: 0, tooLong: 2 });
    const warns = parsedLines().filter((l) => l.message === TOO_LONG_LOG_MESSAGE);
    expect(warns).to.have.length(1);
    expect(warns[0]).to.deep.include({ level: 'WARN', date: DAY, tooLong: 2 });
    expect(warns[0]!.tooLongKeys).to.deep.equal([{ key: tooLong, destinationBytes: 1025 }, { key: tooLongUnicode, destinationBytes: 1030 }]);
    expect(String(warns[0]!.why)).to.match(/at most 1024 bytes of UTF-8 .*not copied on any run .*S3_REPLICATE_DEST_PREFIX/);
    expect(emfValues(emf[0]!)).to.include({ [METRIC.tooLong]: 2, [METRIC.failed]: 0, [METRIC.scheduledDayCompleted]: 1 });
  });

  describe('with DAY_MARKER: the day gets its marker, which names them in leftOut', () => {
    const putMarker = (): DayMarkerDocument => {
      const input: PutObjectCommandInput = dst.commandCalls(PutObjectCommand)[0]!.args[0].input;
      return JSON.parse(Buffer.from(input.Body as Uint8Array).toString('utf8')) as DayMarkerDocument;
    };
    beforeEach(() => {
      // After the copies the destination holds the two ordinary objects (as copied).
      let copied = false;
      dst.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => fakeList(copied ? [{ ...day[0]!, key: `${PREFIX}2024/01/01/a` }, { ...day[1]!, key: `${PREFIX}${fits}` }] : [])(input));
      dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => {
        if (Buffer.byteLength(input.Key!) > MAX_KEY_BYTES) throw awsError('KeyTooLongError', 400, 'Your key is too long');
        copied = true;
        return {};
      });
      dst.on(HeadObjectCommand).rejects(awsError('NotFound', 404, 'Not Found'));
      dst.on(PutObjectCommand).resolves({});
    });

    const expectMarker = (): void => {
      const doc = putMarker();
      expect(doc.keys.map((k) => k.key)).to.deep.equal([`${PREFIX}2024/01/01/a`, `${PREFIX}${fits}`]);
      expect(doc.leftOut).to.deep.equal({ count: 2, first: [{ key: `${PREFIX}${tooLong}`, reason: 'tooLong' }, { key: `${PREFIX}${tooLongUnicode}`, reason: 'tooLong' }] });
    };

    it('inline run', async () => {
      const summary = await runEvent({ dates: [DAY] }, marked, clients, { logger: logger() });
      expect(summary.dates[0]).to.deep.include({ marker: 'written', tooLong: 2, failed: 0 });
      expectMarker();
    });

    it('fan-out work item', async () => {
      const sent: WorkItem[] = [];
      const queue: WorkQueue = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', send: (items) => { sent.push(...items); return Promise.resolve(); } };
      const res = await runWorkBatch([{ messageId: 'm1', body: JSON.stringify({ date: DAY }), eventSource: 'aws:sqs' }], marked, clients, queue, { logger: logger() });
      expect(res.items).to.deep.equal([{ messageId: 'm1', outcome: 'done', date: DAY }]);
      expect(res.response.batchItemFailures).to.deep.equal([]);
      expect(res.summary.dates[0]).to.deep.include({ marker: 'written', tooLong: 2 });
      expect(parsedLines().filter((l) => l.message === TOO_LONG_LOG_MESSAGE)).to.have.length(1);
      expectMarker();
    });
  });

  describe('push on write', () => {
    it('an event for such a key: ignored as tooLong with the reason, nothing sent for it (no lookup at the destination, no copy), the record not retried', async () => {
      const outcomes = await pushObjects(parseObjectEvents(objectCreatedEvent(tooLong)), config, clients);
      expect(outcomes).to.deep.equal([{ bucket: config.sourceBucket, key: tooLong, date: DAY, outcome: 'tooLong', error: 'its destination key would be 1025 bytes of UTF-8, over S3\'s limit of 1024 (S3 refuses such a copy with KeyTooLongError on every run)' }]);
      expect(dst.commandCalls(ListObjectsV2Command)).to.have.length(0);
      expect(dst.commandCalls(CopyObjectCommand)).to.have.length(0);

      const res = await runObjectBatch([sqsRecord('r1', JSON.stringify(objectCreatedEvent(tooLong))), sqsRecord('r2', JSON.stringify(objectCreatedEvent(fits)))] as unknown as SqsRecordLike[], config, clients, { logger: logger() });
      expect(res.response.batchItemFailures).to.deep.equal([]);
      expect(res.summary).to.deep.include({ copied: 1, failed: 0 });
      expect(res.summary.ignored.tooLong).to.equal(1);
      const line = parsedLines().find((l) => l.message === 's3-push object events')!;
      expect(line.level).to.equal('INFO');
      expect(line.notable).to.deep.equal([{ bucket: config.sourceBucket, key: tooLong, date: DAY, outcome: 'tooLong', error: outcomes[0]!.error }]);
    });
  });
});
