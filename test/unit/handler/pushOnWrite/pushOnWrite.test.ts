import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { CopyObjectCommand, CreateMultipartUploadCommand, InvalidObjectState, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type CopyObjectCommandInput, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { handleEvent } from '../../../../handler/index.ts';
import { parseHandlerConfig, type HandlerConfig } from '../../../../handler/config.ts';
import { EventValidationError } from '../../../../handler/errors.ts';
import { createLogger, type Logger } from '../../../../handler/logger.ts';
import { ObjectEventsFailedError, pushObjects, runObjectBatch, summarizeObjects, type ObjectEventsSummary } from '../../../../handler/pushOnWrite/pushOnWrite.ts';
import { parseObjectEvents } from '../../../../handler/pushOnWrite/objectEvents.ts';
import type { ObjectInfo } from '../../../../handler/copy/plan.ts';
import type { SQSBatchResponse as BatchResponse } from 'aws-lambda';
import type { SqsRecordLike } from '../../../../handler/fanOut/workItems.ts';
import { fakeQueue } from '../../../helpers/fakeWorkQueue.ts';
import { lambdaResponse } from '../../../../handler/result.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { DESTINATION_BUCKET, handlerEnv, objectCreatedEvent, s3NotificationRecord, sqsRecord, SOURCE_ACCOUNT, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';

const MiB = 1024 * 1024;

/** Two buckets in memory behind mocked clients: listings see what is there now, CopyObject copies what is there now. */
function world() {
  const sourceS3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const destinationS3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'c', secretAccessKey: 'd' } });
  const src = mockClient(sourceS3);
  const dst = mockClient(destinationS3);
  const source = new Map<string, ObjectInfo>();
  const destination = new Map<string, ObjectInfo>();
  let clock = Date.parse('2024-01-01T00:00:00Z');
  const put = (key: string, size: number, etag: string) => source.set(key, { key, size, etag, lastModified: new Date((clock += 1000)) });
  src.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => fakeList([...source.values()])(input));
  dst.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => fakeList([...destination.values()])(input));
  const copiedKeys: string[] = [];
  dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => {
    const key = decodeURIComponent(input.CopySource!.slice(`${SOURCE_BUCKET}/`.length));
    const now = source.get(key);
    if (!now) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    copiedKeys.push(key);
    destination.set(input.Key!, { ...now, key: input.Key!, lastModified: new Date((clock += 1000)) });
    return {};
  });
  return { clients: { sourceS3, destinationS3 }, src, dst, source, destination, put, copiedKeys, reset: () => { src.reset(); dst.reset(); } };
}

function capture(): { logger: Logger; entries: { level: string; message: string; fields: Record<string, unknown> }[] } {
  const entries: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  return { logger: { log: (level, message, fields = {}) => entries.push({ level, message, fields }) }, entries };
}

describe('handler/pushOnWrite (copies on object events)', () => {
  let config: HandlerConfig;
  before(() => {
    config = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: 'from-acme/', COPY_CONCURRENCY: '4' }));
  });
  let w: ReturnType<typeof world>;
  beforeEach(() => {
    w = world();
  });
  afterEach(() => w.reset());

  it('copies an object under a day\'s prefix to the destination prefix, signed by the destination role', async () => {
    w.put('2024/01/01/a b+c.csv', 5, 'e1');
    const { logger, entries } = capture();
    const summary = lambdaResponse(await handleEvent(objectCreatedEvent('2024/01/01/a b+c.csv'), config, w.clients, { logger })) as ObjectEventsSummary;
    expect(summary).to.deep.include({ events: 1, copied: 1, skipped: 0, failed: 0, bytesCopied: 5 });
    expect([...w.destination.keys()]).to.deep.equal(['from-acme/2024/01/01/a b+c.csv']);
    expect(w.dst.commandCalls(CopyObjectCommand)[0]!.args[0].input).to.deep.include({ Bucket: DESTINATION_BUCKET, MetadataDirective: 'COPY', TaggingDirective: 'COPY' });
    // The source is looked up with the function's own credentials (s3:ListBucket under the prefix), by its exact key.
    expect(w.src.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).to.deep.equal([{ Bucket: SOURCE_BUCKET, ExpectedBucketOwner: SOURCE_ACCOUNT, Prefix: '2024/01/01/a b+c.csv', MaxKeys: 1, EncodingType: 'url' }]);
    expect(entries.map((e) => e.message)).to.deep.equal(['s3-push object events']);
  });

  it('skips an object the destination already holds equal (the plan\'s rule), and copies a changed one', async () => {
    w.put('2024/01/01/a', 5, 'e1');
    w.put('2024/01/01/b', 5, 'e1');
    w.destination.set('from-acme/2024/01/01/a', { key: 'from-acme/2024/01/01/a', size: 5, etag: 'e1', lastModified: new Date('2023-12-31T00:00:00Z') });
    w.destination.set('from-acme/2024/01/01/b', { key: 'from-acme/2024/01/01/b', size: 4, etag: 'old', lastModified: new Date('2025-01-01T00:00:00Z') });
    const outcomes = await pushObjects(parseObjectEvents({ Records: [s3NotificationRecord('2024/01/01/a'), s3NotificationRecord('2024/01/01/b')] }), config, w.clients);
    expect(outcomes.map((o) => [o.key, o.outcome])).to.deep.equal([['2024/01/01/a', 'skipped'], ['2024/01/01/b', 'copied']]);
    expect(w.copiedKeys).to.deep.equal(['2024/01/01/b']);
  });

  it("counts and ignores what it must not copy: other buckets, its own copies, keys outside the pattern or without a date, a key named like its day's marker, deletes, gone objects", async () => {
    const same: HandlerConfig = parseHandlerConfig(handlerEnv({ DESTINATION_BUCKET: SOURCE_BUCKET, DESTINATION_PREFIX: 'mirror/', PREFIX_FORMAT: '{YYYY}/{MM}/{DD}/' }));
    for (const key of ['2024/01/01/x', 'mirror/2024/01/01/x', 'raw/2024/01/01/x', '2024/02/30/x', '2024/01/01/_S3PUSH_COMPLETE.json', '2024/01/01/deleted']) w.put(key, 1, 'e');
    const events = parseObjectEvents({ Records: [
      s3NotificationRecord('2024/01/01/x', { bucket: 'someone-elses-bucket' }),
      s3NotificationRecord('mirror/2024/01/01/x'),
      s3NotificationRecord('raw/2024/01/01/x'),
      s3NotificationRecord('2024/02/30/x'),
      s3NotificationRecord('2024/01/01/_S3PUSH_COMPLETE.json'),
      s3NotificationRecord('2024/01/01/deleted', { eventName: 'ObjectRemoved:Delete' }),
      s3NotificationRecord('2024/01/01/never-there'),
    ] });
    const { logger, entries } = capture();
    const outcomes = await pushObjects(events, same, w.clients);
    expect(outcomes.map((o) => o.outcome)).to.deep.equal(['otherBucket', 'ownDestination', 'outsidePattern', 'noCalendarDate', 'markerName', 'notCreated', 'gone']);
    expect(summarizeObjects(outcomes)).to.deep.include({ events: 7, copied: 0, skipped: 0, failed: 0, ignored: { otherBucket: 1, ownDestination: 1, outsidePattern: 1, noCalendarDate: 1, notCreated: 1, markerName: 1, excluded: 0, gone: 1, tooLong: 0 } });
    expect(w.dst.commandCalls(CopyObjectCommand)).to.have.length(0);
    // Never an error, even given directly: counted and logged.
    const summary = lambdaResponse(await handleEvent(objectCreatedEvent('2024/01/01/never-there'), config, w.clients, { logger })) as ObjectEventsSummary;
    expect(summary.ignored.gone).to.equal(1);
    expect(entries[0]!.level).to.equal('INFO');
  });

  it('copies one key once for duplicate events in a batch, and skips a duplicate delivered later', async () => {
    w.put('2024/01/01/a', 5, 'e1');
    const dup = parseObjectEvents({ Records: [s3NotificationRecord('2024/01/01/a'), s3NotificationRecord('2024/01/01/a')] });
    expect((await pushObjects(dup, config, w.clients)).map((o) => o.outcome)).to.deep.equal(['copied', 'skipped']);
    expect((await pushObjects(dup.slice(0, 1), config, w.clients)).map((o) => o.outcome)).to.deep.equal(['skipped']);
    expect(w.copiedKeys).to.deep.equal(['2024/01/01/a']);
  });

  it('never leaves an older version at the destination, whatever order the events of one key arrive in', async () => {
    const key = '2024/01/01/a';
    // v1 written, v2 written over it; the events arrive late and in the wrong order.
    w.put(key, 5, 'v1');
    const v1 = parseObjectEvents(objectCreatedEvent(key, { size: 5, etag: 'v1' }));
    w.put(key, 7, 'v2');
    const v2 = parseObjectEvents(objectCreatedEvent(key, { size: 7, etag: 'v2' }));
    const first = await pushObjects(v2, config, w.clients);
    const late = await pushObjects(v1, config, w.clients);
    expect(first[0]).to.deep.include({ outcome: 'copied', bytes: 7 });
    // The late event describes v1, but the object is v2 now: handled from the object as it is, so nothing to do.
    expect(late[0]).to.deep.include({ outcome: 'skipped', changedSinceEvent: true });
    expect(w.destination.get(`from-acme/${key}`)).to.deep.include({ size: 7, etag: 'v2' });

    // In order, with a rewrite in between: each event copies what is there when it is handled.
    w.put(key, 9, 'v3');
    await pushObjects(parseObjectEvents(objectCreatedEvent(key, { size: 9, etag: 'v3' })), config, w.clients);
    expect(w.destination.get(`from-acme/${key}`)).to.deep.include({ size: 9, etag: 'v3' });
  });

  it('handles an event for an object deleted since as gone: no copy, no error', async () => {
    w.put('2024/01/01/a', 5, 'e1');
    const events = parseObjectEvents(objectCreatedEvent('2024/01/01/a'));
    w.source.delete('2024/01/01/a');
    expect((await pushObjects(events, config, w.clients)).map((o) => o.outcome)).to.deep.equal(['gone']);
    expect(w.dst.commandCalls(CopyObjectCommand)).to.have.length(0);
  });

  describe('keys in either encoding (AWS does not document whether EventBridge encodes detail.object.key)', () => {
    // [real key, how an EventBridge event may carry it, how an S3 notification carries it]
    const KEYS: [string, string[], string][] = [
      ['2024/01/01/a b.csv', ['2024/01/01/a b.csv', '2024/01/01/a+b.csv', '2024/01/01/a%20b.csv'], '2024/01/01/a+b.csv'],
      ['2024/01/01/a+b.csv', ['2024/01/01/a+b.csv', '2024/01/01/a%2Bb.csv'], '2024/01/01/a%2Bb.csv'],
      ['2024/01/01/100%.csv', ['2024/01/01/100%.csv', '2024/01/01/100%25.csv'], '2024/01/01/100%25.csv'],
      ['2024/01/01/50%41.csv', ['2024/01/01/50%41.csv', '2024/01/01/50%2541.csv'], '2024/01/01/50%2541.csv'],
      ['2024/01/01/café ✓.csv', ['2024/01/01/café ✓.csv', '2024/01/01/caf%C3%A9+%E2%9C%93.csv'], '2024/01/01/caf%C3%A9+%E2%9C%93.csv'],
      ['2024/01/01/k=v.csv', ['2024/01/01/k=v.csv', '2024/01/01/k%3Dv.csv'], '2024/01/01/k%3Dv.csv'],
    ];
    for (const [real, eventBridgeForms, notificationForm] of KEYS) {
      for (const form of eventBridgeForms) {
        it(`copies ${JSON.stringify(real)} from an EventBridge event carrying ${JSON.stringify(form)}`, async () => {
          w.put(real, 5, 'e1');
          const outcomes = await pushObjects(parseObjectEvents(objectCreatedEvent(form)), config, w.clients);
          expect(outcomes.map((o) => o.outcome)).to.deep.equal(['copied']);
          expect(w.copiedKeys).to.deep.equal([real]);
        });
      }
      it(`copies ${JSON.stringify(real)} from an S3 notification carrying ${JSON.stringify(notificationForm)}`, async () => {
        w.put(real, 5, 'e1');
        const outcomes = await pushObjects(parseObjectEvents({ Records: [s3NotificationRecord(notificationForm)] }), config, w.clients);
        expect(outcomes.map((o) => o.outcome)).to.deep.equal(['copied']);
        expect(w.copiedKeys).to.deep.equal([real]);
      });
    }

    it('looks a key up as written first: a literal "+" wins over its decoded twin', async () => {
      w.put('2024/01/01/a+b.csv', 5, 'plus');
      w.put('2024/01/01/a b.csv', 6, 'space');
      await pushObjects(parseObjectEvents(objectCreatedEvent('2024/01/01/a+b.csv')), config, w.clients);
      expect(w.copiedKeys).to.deep.equal(['2024/01/01/a+b.csv']);
    });

    it('classifies a Hive-style key after decoding when the form as written does not fit the pattern', async () => {
      const hive = parseHandlerConfig(handlerEnv({ PREFIX_FORMAT: 'events/dt={YYYY}-{MM}-{DD}/' }));
      w.put('events/dt=2024-07-01/part-0.parquet', 5, 'e1');
      const outcomes = await pushObjects(parseObjectEvents(objectCreatedEvent('events/dt%3D2024-07-01/part-0.parquet')), hive, w.clients);
      expect(outcomes[0]).to.deep.include({ outcome: 'copied', date: '2024-07-01' });
      expect(w.copiedKeys).to.deep.equal(['events/dt=2024-07-01/part-0.parquet']);
    });

    it('is gone only when no form exists, and outside the pattern only when no form fits', async () => {
      const [gone] = await pushObjects(parseObjectEvents(objectCreatedEvent('2024/01/01/x+y.csv')), config, w.clients);
      expect(gone!.outcome).to.equal('gone');
      const [outside] = await pushObjects(parseObjectEvents(objectCreatedEvent('other%2F2024/01/01/x.csv')), config, w.clients);
      expect(outside!.outcome).to.equal('outsidePattern');
    });
  });

  it('copies an object above the threshold in parts, as the daily copy does', async () => {
    const big = parseHandlerConfig(handlerEnv({ MULTIPART_THRESHOLD_BYTES: String(5 * MiB), PART_SIZE_BYTES: String(5 * MiB) }));
    w.put('2024/01/01/big', 6 * MiB, 'e1');
    w.dst.on(HeadObjectCommand).resolves({ ContentLength: 6 * MiB, ETag: '"e1"' });
    w.dst.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    w.dst.on(CreateMultipartUploadCommand).rejects(Object.assign(new Error('stop here'), { name: 'AccessDenied' }));
    const outcomes = await pushObjects(parseObjectEvents(objectCreatedEvent('2024/01/01/big')), big, w.clients);
    expect(outcomes[0]).to.deep.include({ outcome: 'failed' });
    expect(outcomes[0]!.error).to.match(/multipart copy .* AccessDenied: stop here/);
    expect(w.dst.commandCalls(CopyObjectCommand)).to.have.length(0);
  });

  it('fails a direct event whose copy failed after logging the summary, and rejects a malformed one before any request', async () => {
    w.put('2024/01/01/a', 5, 'e1');
    w.dst.on(CopyObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const { logger, entries } = capture();
    const err = await handleEvent(objectCreatedEvent('2024/01/01/a'), config, w.clients, { logger }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ObjectEventsFailedError);
    expect((err as ObjectEventsFailedError).summary).to.deep.include({ failed: 1, copied: 0 });
    expect(entries[0]).to.deep.include({ level: 'ERROR', message: 's3-push object events' });

    w.reset();
    const bad = await handleEvent({ ...objectCreatedEvent('x'), detail: {} }, config, w.clients, { logger: createLogger([], () => undefined) }).then(() => undefined, (e: unknown) => e);
    expect(bad).to.be.instanceOf(EventValidationError);
    expect(w.src.calls()).to.have.length(0);
    expect(w.dst.calls()).to.have.length(0);
  });

  describe('an SQS batch from the object queue', () => {
    const body = (doc: unknown) => JSON.stringify(doc);

    it('reports only the poisoned record as failed; the others are copied', async () => {
      for (const k of ['a', 'b', 'c']) w.put(`2024/01/01/${k}`, 1, 'e');
      const records = [
        sqsRecord('m1', body(objectCreatedEvent('2024/01/01/a'))),
        sqsRecord('m2', body({ ...objectCreatedEvent('2024/01/01/b'), detail: { bucket: { name: SOURCE_BUCKET } } })),
        sqsRecord('m3', body({ Records: [s3NotificationRecord('2024/01/01/c')] })),
      ] as unknown as SqsRecordLike[];
      const { logger, entries } = capture();
      const r = await runObjectBatch(records, config, w.clients, { logger });
      expect(r.response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
      expect(w.copiedKeys.sort()).to.deep.equal(['2024/01/01/a', '2024/01/01/c']);
      expect(entries[0]!.fields.rejected).to.deep.equal([{ messageId: 'm2', error: 'bad object event: "detail.object" is undefined: expected {"key": "<key>", …}' }]);
    });

    it('reports every malformed record, and logs the first 100 of them with why', async () => {
      const records = Array.from({ length: 150 }, (_, i) => sqsRecord(`m${i}`, i % 2 ? '{"source": "aws.s3", "detail-type": "Object Created"}' : '{"Records": [{"eventSource": "aws:s3"'));
      const { logger, entries } = capture();
      const r = await runObjectBatch(records as unknown as SqsRecordLike[], config, w.clients, { logger });
      expect(r.rejected).to.equal(150);
      expect(r.response.batchItemFailures).to.have.length(150);
      const logged = entries[0]!.fields.rejected as { messageId: string; error: string }[];
      expect(logged.map((x) => x.messageId)).to.deep.equal(records.slice(0, 100).map((x) => x.messageId));
      expect(logged[0]!.error).to.match(/^body is not JSON: /);
      expect(logged[1]!.error).to.equal('bad object event: "detail" is undefined: expected {"bucket": {"name": …}, "object": {"key": …}}');
      expect(entries[0]!.fields.records).to.equal(150);
    });

    it('reports a record whose copy failed, so SQS retries it (and only it)', async () => {
      w.put('2024/01/01/a', 1, 'e');
      w.put('2024/01/01/b', 1, 'e');
      w.dst.on(CopyObjectCommand, { Key: 'from-acme/2024/01/01/b' }).rejects(Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' }));
      const response = lambdaResponse(await handleEvent({ Records: [
        sqsRecord('m1', body(objectCreatedEvent('2024/01/01/a'))),
        sqsRecord('m2', body(objectCreatedEvent('2024/01/01/b'))),
        sqsRecord('m3', body(objectCreatedEvent('outside/x'))),
      ] }, config, w.clients, { logger: capture().logger })) as BatchResponse;
      expect(response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    });

    it('counts an archived object (CopyObject answers InvalidObjectState) as archived: the record is not failed, so SQS does not retry it', async () => {
      w.put('2024/01/01/a', 1, 'e');
      w.put('2024/01/01/cold', 1, 'e');
      // AWS: InvalidObjectState (403) for an object in Glacier Flexible Retrieval, Deep Archive or an
      // Intelligent-Tiering archive tier (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
      w.dst.on(CopyObjectCommand, { Key: 'from-acme/2024/01/01/cold' }).rejects(new InvalidObjectState({ message: "The operation is not valid for the object's storage class", $metadata: { httpStatusCode: 403 }, StorageClass: 'GLACIER' }));
      const { logger, entries } = capture();
      const response = lambdaResponse(await handleEvent({ Records: [
        sqsRecord('m1', body(objectCreatedEvent('2024/01/01/a'))),
        sqsRecord('m2', body(objectCreatedEvent('2024/01/01/cold'))),
      ] }, config, w.clients, { logger })) as BatchResponse;
      expect(response).to.deep.equal({ batchItemFailures: [] });
      expect(entries[0]!.fields).to.deep.include({ copied: 1, failed: 0, archived: 1 });
      const notable = entries[0]!.fields.notable as { key: string; outcome: string; error: string }[];
      expect(notable).to.have.length(1);
      expect(notable[0]).to.deep.include({ key: '2024/01/01/cold', outcome: 'archived' });
      expect(notable[0]!.error).to.match(/^GLACIER: .*restore-object/);
    });

    it('takes a batch of object events without a work queue, and reports a non-JSON body as failed', async () => {
      w.put('2024/01/01/a', 1, 'e');
      const noQueue = parseHandlerConfig(handlerEnv());
      expect(noQueue.workQueueUrl).to.equal(undefined);
      const response = lambdaResponse(await handleEvent({ Records: [sqsRecord('m1', body(objectCreatedEvent('2024/01/01/a')))] }, noQueue, w.clients, { logger: capture().logger })) as BatchResponse;
      expect(response).to.deep.equal({ batchItemFailures: [] });
      const r = await runObjectBatch([sqsRecord('m9', '{"source": "aws.s3", ') as unknown as SqsRecordLike], config, w.clients, { logger: capture().logger });
      expect(r.response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'm9' }]);
    });
  });

  describe('upstream\'s ready key (SOURCE_READY_KEY): its event triggers the day, which copies it last', () => {
    let ready: HandlerConfig;
    before(() => {
      ready = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: 'from-acme/', COPY_CONCURRENCY: '4', SOURCE_READY_KEY: '_SUCCESS' }));
    });
    const body = (doc: unknown) => JSON.stringify(doc);
    it('copies the objects of a day before its ready key as they arrive, and the ready key\'s event copies the day with the ready key last (inline)', async () => {
      for (const k of ['part-0', 'part-1', 'part-2']) w.put(`2024/01/01/${k}`, 3, `e-${k}`);
      const early = lambdaResponse(await handleEvent(objectCreatedEvent('2024/01/01/part-1'), ready, w.clients, { logger: capture().logger })) as ObjectEventsSummary;
      expect(early).to.deep.include({ copied: 1 });
      expect(early).not.to.have.property('readyDays');
      w.put('2024/01/01/_SUCCESS', 0, 'e-ready');
      const { logger, entries } = capture();
      const summary = lambdaResponse(await handleEvent(objectCreatedEvent('2024/01/01/_SUCCESS'), ready, w.clients, { logger })) as ObjectEventsSummary;
      expect(summary).to.deep.include({ events: 1, copied: 0, failed: 0, readyKeys: 1, readyDays: { '2024-01-01': { outcome: 'copied' } } });
      // part-1 went early; the day's copy took the other two, then the ready key.
      expect(w.copiedKeys).to.deep.equal(['2024/01/01/part-1', '2024/01/01/part-0', '2024/01/01/part-2', '2024/01/01/_SUCCESS']);
      expect([...w.destination.keys()].sort()).to.deep.equal(['_SUCCESS', 'part-0', 'part-1', 'part-2'].map((k) => `from-acme/2024/01/01/${k}`));
      // The day's copy logged its own summary, then the events' line.
      expect(entries.map((e) => e.message)).to.deep.equal(['s3-push summary', 's3-push object events']);
      const dates = entries[0]!.fields.dates as Record<string, unknown>[];
      expect(dates).to.have.length(1);
      expect(dates[0]).to.deep.include({ date: '2024-01-01', prefix: '2024/01/01/', listed: 4, copied: 3, skipped: 1, failed: 0, archived: 0, bytesCopied: 6, ready: 'copied' });
    });

    it('with a work queue, sends one work item per day whose ready key an event named, and copies nothing itself', async () => {
      for (const k of ['2024/01/01/_SUCCESS', '2024/01/02/_SUCCESS', '2024/01/02/part-0']) w.put(k, 1, 'e');
      const queue = fakeQueue();
      const { logger } = capture();
      const response = lambdaResponse(await handleEvent({ Records: [
        sqsRecord('m1', body(objectCreatedEvent('2024/01/02/_SUCCESS'))),
        sqsRecord('m2', body({ Records: [s3NotificationRecord('2024/01/01/_SUCCESS'), s3NotificationRecord('2024/01/02/_SUCCESS')] })),
        sqsRecord('m3', body(objectCreatedEvent('2024/01/02/part-0'))),
      ] }, ready, w.clients, { logger, workQueue: queue })) as BatchResponse;
      expect(response).to.deep.equal({ batchItemFailures: [] });
      // In date order, once each: the fan-out path copies each day, its ready key last.
      expect(queue.sent).to.deep.equal([{ date: '2024-01-01' }, { date: '2024-01-02' }]);
      expect(w.copiedKeys).to.deep.equal(['2024/01/02/part-0']);
    });

    it('fails exactly the records of a ready key whose day could not be handed on, and names the ready key', async () => {
      for (const k of ['2024/01/01/_SUCCESS', '2024/01/01/part-0']) w.put(k, 1, 'e');
      const queue = fakeQueue();
      queue.failing = true;
      const { logger, entries } = capture();
      const r = await runObjectBatch([
        sqsRecord('m1', body(objectCreatedEvent('2024/01/01/part-0'))),
        sqsRecord('m2', body(objectCreatedEvent('2024/01/01/_SUCCESS'))),
      ] as unknown as SqsRecordLike[], ready, w.clients, { logger, workQueue: queue });
      expect(r.response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
      expect(r.summary).to.deep.include({ copied: 1, failed: 1 });
      expect(r.summary.failures).to.deep.equal([{ key: '2024/01/01/_SUCCESS', error: 'the day\'s work item could not be enqueued: SQS is down' }]);
      expect(entries.at(-1)).to.deep.include({ level: 'ERROR', message: 's3-push object events' });
    });

    it('inline, a day with a failed object fails the event and leaves the ready key at the source', async () => {
      for (const k of ['_SUCCESS', 'part-0', 'part-1']) w.put(`2024/01/01/${k}`, 1, 'e');
      w.dst.on(CopyObjectCommand, { Key: 'from-acme/2024/01/01/part-1' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
      const err = await handleEvent(objectCreatedEvent('2024/01/01/_SUCCESS'), ready, w.clients, { logger: capture().logger }).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ObjectEventsFailedError);
      const summary = (err as ObjectEventsFailedError).summary;
      expect(summary.readyDays).to.have.nested.property('2024-01-01.outcome', 'failed');
      expect(summary.failures[0]).to.deep.include({ key: '2024/01/01/_SUCCESS' });
      expect(summary.failures[0]!.error).to.match(/1 object\(s\) failed to copy/);
      expect(w.copiedKeys).not.to.include('2024/01/01/_SUCCESS');
    });

    it('a ready key gone again when its day runs leaves the day waiting, not failed', async () => {
      w.put('2024/01/01/part-0', 1, 'e');
      const summary = lambdaResponse(await handleEvent(objectCreatedEvent('2024/01/01/_SUCCESS'), ready, w.clients, { logger: capture().logger })) as ObjectEventsSummary;
      expect(summary).to.deep.include({ failed: 0, readyDays: { '2024-01-01': { outcome: 'waiting' } } });
      expect(w.copiedKeys).to.deep.equal([]);
    });

    it('without SOURCE_READY_KEY, _SUCCESS is an object like any other', async () => {
      w.put('2024/01/01/_SUCCESS', 0, 'e');
      const summary = lambdaResponse(await handleEvent(objectCreatedEvent('2024/01/01/_SUCCESS'), config, w.clients, { logger: capture().logger })) as ObjectEventsSummary;
      expect(summary).to.deep.include({ copied: 1 });
      expect(summary).not.to.have.property('readyKeys');
    });
  });
});
