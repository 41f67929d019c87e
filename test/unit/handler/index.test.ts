import { expect } from 'chai';
import { CopyObjectCommand, ListObjectsV2Command, type CopyObjectCommandInput } from '@aws-sdk/client-s3';
import sinon from 'sinon';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { handleEvent, handler, lazySqsWorkQueue } from '../../../handler/index.ts';
import { runEvent } from '../../../handler/copy/runCopy.ts';
import { parseHandlerConfig, type HandlerConfig } from '../../../handler/config.ts';
import { EventValidationError, ReplicationFailedError, TimeBudgetError } from '../../../handler/errors.ts';
import { ConfigError } from '../../../rules/errors.ts';
import { parseIsoDate } from '../../../rules/dates.ts';
import { createLogger } from '../../../handler/logger.ts';
import { EXTERNAL_ID, handlerEnv, scheduledEvent } from '../../helpers/fixtures.ts';
import { fakeList } from '../../helpers/fakeListing.ts';
import { mockReplicationClients } from '../../helpers/awsMocks.ts';

// Parsed in a beforeEach, not at import: code run at import belongs to no test (mutation testing).
let config: HandlerConfig;
const obj = (key: string) => ({ key, size: 5, etag: 'e' });

describe('handler/index runEvent', () => {
  beforeEach(() => {
    config = parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: '2' }));
  });
  const { clients, src, dst } = mockReplicationClients();
  let lines: string[];
  let logger: ReturnType<typeof createLogger>;
  beforeEach(() => {
    lines = [];
    logger = createLogger([EXTERNAL_ID], (l) => lines.push(l));
    src.on(ListObjectsV2Command).callsFake(fakeList([obj('2024/01/01/a'), obj('2024/01/01/b'), obj('2024/01/02/c'), obj('2024/01/03/d')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(CopyObjectCommand).resolves({});
  });

  it('copies each day and logs the summary as one JSON line without the external id', async () => {
    const summary = await runEvent({ from: '2024-01-01', to: '2024-01-02' }, config, clients, { logger });
    expect(summary).to.deep.equal({
      dryRun: false,
      dates: [
        { date: '2024-01-01', prefix: '2024/01/01/', listed: 2, copied: 2, skipped: 0, failed: 0, archived: 0, bytesCopied: 10, extra: 0, deleted: 0 },
        { date: '2024-01-02', prefix: '2024/01/02/', listed: 1, copied: 1, skipped: 0, failed: 0, archived: 0, bytesCopied: 5, extra: 0, deleted: 0 },
      ],
      copied: 3, skipped: 0, failed: 0, archived: 0, bytesCopied: 15, failures: [], archivedObjects: [], extra: 0, deleted: 0,
    });
    expect(lines).to.have.length(1);
    const logged = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(logged).to.deep.include({ level: 'INFO', message: 's3-push summary', ...summary });
    expect(lines.join()).not.to.include(EXTERNAL_ID);
  });

  it('logs at most a few KB of a rejected event, saying how much was cut (issue 15)', async () => {
    const huge = { dates: ['2024-01-01'], junk: 'x'.repeat(5 * 1024 * 1024) };
    const err = await runEvent(huge, config, clients, { logger }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EventValidationError);
    expect(lines).to.have.length(1);
    expect(Buffer.byteLength(lines[0]!)).to.be.below(8 * 1024);
    const logged = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(logged).to.not.have.property('event');
    expect(logged.eventBytes).to.equal(Buffer.byteLength(JSON.stringify(huge)));
    expect(logged.eventBytesCut).to.equal((logged.eventBytes as number) - Buffer.byteLength(logged.eventExcerpt as string));
    expect(logged.eventExcerpt).to.match(/^\{"dates":\["2024-01-01"\],"junk":"xxx/);
    // A small bad event is still logged whole.
    lines.length = 0;
    await runEvent({ dates: ['2024-13-01'] }, config, clients, { logger }).catch(() => undefined);
    expect(JSON.parse(lines[0]!)).to.deep.include({ event: { dates: ['2024-13-01'] } });
    // A malformed object event (push on write's path) is cut the same way.
    lines.length = 0;
    const object = { source: 'aws.s3', 'detail-type': 'Object Created', detail: { junk: 'y'.repeat(5 * 1024 * 1024) } };
    expect(await handleEvent(object, config, clients, { logger }).catch((e: unknown) => e)).to.be.instanceOf(EventValidationError);
    expect(lines).to.have.length(1);
    expect(Buffer.byteLength(lines[0]!)).to.be.below(8 * 1024);
    expect(JSON.parse(lines[0]!)).to.include({ eventBytes: Buffer.byteLength(JSON.stringify(object)) });
  });

  it('copies the day before a scheduled event', async () => {
    const summary = await runEvent(scheduledEvent('2024-01-04T06:00:00Z'), config, clients, { logger });
    expect(summary.dates.map((d) => d.date)).to.deep.equal(['2024-01-03']);
    expect(dst.commandCalls(CopyObjectCommand).map((c) => c.args[0].input.Key)).to.deep.equal(['2024/01/03/d']);
  });

  it('says how many objects a scheduled run had to copy (reconciled: what push on write missed); other runs do not', async () => {
    dst.on(ListObjectsV2Command).callsFake(fakeList([{ ...obj('2024/01/03/d'), key: '2024/01/03/d' }]));
    const nothingMissed = await runEvent(scheduledEvent('2024-01-04T06:00:00Z'), config, clients, { logger });
    expect(nothingMissed).to.deep.include({ copied: 0, skipped: 1, reconciled: 0 });
    const missed = await runEvent(scheduledEvent('2024-01-02T06:00:00Z'), config, clients, { logger });
    expect(missed).to.deep.include({ copied: 2, reconciled: 2 });
    expect(await runEvent({ dates: ['2024-01-01'] }, config, clients, { logger })).to.not.have.property('reconciled');
  });

  it('rejects a bad event before any request', async () => {
    const err = await runEvent({ dates: ['2024-01-01', '2023-02-29'] }, config, clients, { logger }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(EventValidationError);
    expect((err as Error).message).to.match(/"dates"\[1\] is "2023-02-29"/);
    expect(src.calls()).to.have.length(0);
    expect(dst.calls()).to.have.length(0);
    expect(JSON.parse(lines[0]!)).to.deep.include({ level: 'ERROR' });
  });

  it('throws after logging when an object failed, naming how many', async () => {
    dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => {
      if (input.Key === '2024/01/01/b') return Promise.reject(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
      return Promise.resolve({});
    });
    const err = await runEvent({ dates: ['2024-01-01', '2024-01-02'] }, config, clients, { logger }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ReplicationFailedError);
    expect((err as Error).message).to.match(/^1 object\(s\) failed to copy \(2 copied, 0 skipped\); first: 2024\/01\/01\/b: CopyObject .*AccessDenied/);
    const logged = JSON.parse(lines[0]!) as { level: string; failed: number; failures: unknown[] };
    expect(logged).to.deep.include({ level: 'ERROR', failed: 1 });
    expect(logged.failures).to.have.length(1);
  });

  it('counts a day that cannot be listed as a failure and still copies the other days', async () => {
    src.on(ListObjectsV2Command, { Prefix: '2024/01/01/' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const err = await runEvent({ dates: ['2024-01-01', '2024-01-02'] }, config, clients, { logger }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ReplicationFailedError);
    const logged = JSON.parse(lines[0]!) as { dates: unknown[]; failures: unknown[] };
    expect(logged.dates[0]).to.deep.include({ date: '2024-01-01', failed: 1, copied: 0 });
    expect(logged.dates[1]).to.deep.include({ date: '2024-01-02', copied: 1 });
    expect(logged.failures[0]).to.deep.equal({ key: '2024/01/01/', error: 'listing s3://acme-source-data/2024/01/01/ failed: AccessDenied: Access Denied' });
    // The message says a day could not be listed; it never counts that day as failed objects.
    expect((err as Error).message).to.match(/^1 day\(s\) could not be listed \(2024-01-01\) \(1 copied, 0 skipped\); first: 2024\/01\/01\/: listing /);
    expect((err as Error).message).to.not.include('object(s) failed');
  });

  it('stops at the time budget and says how to resume', async () => {
    let n = 0;
    const err = await runEvent({ dates: ['2024-01-01', '2024-01-02', '2024-01-03'] }, config, clients, { logger, shouldStop: () => ++n > 1 }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(TimeBudgetError);
    expect((err as Error).message).to.equal('time budget ran out during 2024-01-01 (finished up to and including key "2024/01/01/a"); not started: 2024-01-02, 2024-01-03. Run the same event again: what is already copied is skipped');
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(1);
  });

  it('leaves {"check": true} to handleEvent (it returns a report, not a summary)', async () => {
    const err = await runEvent({ check: true }, config, clients, { logger }).catch((e: unknown) => e);
    expect((err as Error).message).to.match(/goes through handleEvent/);
    expect(src.calls()).to.have.length(0);
  });
});

describe('handler/index handler (the Lambda entry)', () => {
  const names = ['SOURCE_BUCKET', 'DESTINATION_BUCKET', 'DESTINATION_ROLE_ARN', 'SOURCE_ACCOUNT_ID', 'COPY_CONCURRENCY'];
  const saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    for (const n of names) saved[n] = process.env[n];
  });
  afterEach(() => {
    sinon.restore();
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  });

  it('fails on a bad environment before any client is built, naming every bad variable in one log line', async () => {
    delete process.env.SOURCE_BUCKET;
    delete process.env.DESTINATION_BUCKET;
    process.env.DESTINATION_ROLE_ARN = 'not-an-arn';
    process.env.SOURCE_ACCOUNT_ID = '123456789012';
    process.env.COPY_CONCURRENCY = '0';
    const log = sinon.stub(console, 'log');
    const err = await handler({ dates: ['2024-01-01'] }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => p.split(' ')[0])).to.deep.equal(['SOURCE_BUCKET', 'DESTINATION_BUCKET', 'DESTINATION_ROLE_ARN', 'COPY_CONCURRENCY']);
    expect(log.callCount).to.equal(1);
    expect(JSON.parse(String(log.firstCall.args[0]))).to.deep.include({ level: 'ERROR', userFault: true });
  });
});

describe('handler/index lazySqsWorkQueue (the container\'s work queue)', () => {
  // Every SQSClient (the one the lazy import builds is out of reach), mocked for this suite only.
  let sqs: AwsClientStub<SQSClient>;
  beforeEach(() => {
    sqs = mockClient(SQSClient);
  });
  afterEach(() => sqs.restore());
  const URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/stack-WorkQueue-ABC';
  const day = (date: string) => ({ date: parseIsoDate(date)! });

  it('sends through SQS on the first send and the same client on the next; nothing before', async () => {
    const queue = lazySqsWorkQueue(URL);
    expect(queue.url).to.equal(URL);
    expect(sqs.calls()).to.have.length(0);
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await queue.send([day('2024-01-01')]);
    await queue.send([day('2024-01-02'), day('2024-01-03')]);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.QueueUrl)).to.deep.equal([URL, URL]);
    expect(calls.map((c) => c.args[0].input.Entries?.map((e) => e.MessageBody))).to.deep.equal([['{"date":"2024-01-01"}'], ['{"date":"2024-01-02"}', '{"date":"2024-01-03"}']]);
    expect(new Set(calls.map((c): unknown => c.thisValue)).size, 'one client for both sends').to.equal(1);
  });

  it('passes a failed send on, and the next send tries again', async () => {
    const queue = lazySqsWorkQueue(URL);
    sqs.on(SendMessageBatchCommand).rejectsOnce(new Error('throttled')).resolves({ Successful: [], Failed: [] });
    const err = await queue.send([day('2024-01-01')]).catch((e: unknown) => e);
    expect(err).to.have.property('name', 'AwsCallError');
    await queue.send([day('2024-01-01')]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).to.have.length(2);
  });
});
