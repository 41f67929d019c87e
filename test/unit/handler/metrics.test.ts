import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import { CopyObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type CopyObjectCommandInput } from '@aws-sdk/client-s3';
import { handleEvent } from '../../../handler/index.ts';
import { runEvent } from '../../../handler/copy/runCopy.ts';
import { parseHandlerConfig, type HandlerConfig } from '../../../handler/config.ts';
import { runWorkBatch } from '../../../handler/fanOut/workBatch.ts';
import { createLogger } from '../../../handler/logger.ts';
import { createRunMetrics, FUNCTION_DIMENSION, METRIC, METRICS_NAMESPACE } from '../../../handler/metrics.ts';
import type { WorkItem } from '../../../handler/fanOut/workItems.ts';
import { EXTERNAL_ID, handlerEnv, scheduledEvent } from '../../helpers/fixtures.ts';
import { fakeList } from '../../helpers/fakeListing.ts';
import { emfProblems, emfValues, isEmfLine } from '../../helpers/emfSpec.ts';

const obj = (key: string, size = 5) => ({ key, size, etag: 'e' });
const FUNCTION = 'replicate-to-partner-landing-zone';

describe('handler/metrics (EMF)', () => {
  let config: HandlerConfig;
  before(() => {
    config = parseHandlerConfig(handlerEnv({ COPY_CONCURRENCY: '2' }));
  });
  const sourceS3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const destinationS3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'c', secretAccessKey: 'd' } });
  const src = mockClient(sourceS3);
  const dst = mockClient(destinationS3);
  const clients = { sourceS3, destinationS3 };
  let lines: string[];
  const sink = (l: string) => lines.push(l);
  const options = () => ({ logger: createLogger([EXTERNAL_ID], sink, { requestId: 'req-1' }), metrics: createRunMetrics(FUNCTION, { sink, requestId: 'req-1' }) });
  const emf = () => lines.filter(isEmfLine);
  beforeEach(() => {
    lines = [];
    src.on(ListObjectsV2Command).callsFake(fakeList([obj('2024/01/01/a', 7), obj('2024/01/01/b', 11), obj('2024/01/02/c'), obj('2024/01/03/d')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([obj('2024/01/01/b', 11)]));
    dst.on(CopyObjectCommand).resolves({});
  });
  afterEach(() => {
    src.reset();
    dst.reset();
  });

  it('writes one EMF line per day, valid by the specification, with the summary counts, namespace S3Push and the function as the one dimension', async () => {
    const summary = await runEvent({ from: '2024-01-01', to: '2024-01-02' }, config, clients, options());
    const docs = emf();
    expect(docs).to.have.length(2);
    for (const [i, line] of docs.entries()) {
      expect(emfProblems(line)).to.deep.equal([]);
      const doc = JSON.parse(line) as { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] } } & Record<string, unknown>;
      expect(doc._aws.CloudWatchMetrics[0]!.Namespace).to.equal(METRICS_NAMESPACE);
      expect(doc._aws.CloudWatchMetrics[0]!.Dimensions).to.deep.equal([[FUNCTION_DIMENSION]]);
      expect(doc[FUNCTION_DIMENSION]).to.equal(FUNCTION);
      expect(doc).to.include({ date: summary.dates[i]!.date, requestId: 'req-1' });
      const day = summary.dates[i]!;
      const values = emfValues(line);
      expect(values).to.include({
        [METRIC.listed]: day.listed,
        [METRIC.copied]: day.copied,
        [METRIC.skipped]: day.skipped,
        [METRIC.failed]: day.failed,
        [METRIC.archived]: day.archived,
        [METRIC.bytesCopied]: day.bytesCopied,
      });
      expect(values[METRIC.durationSeconds]).to.be.a('number').and.at.least(0);
      // Not a scheduled run: no scheduled-day metric.
      expect(values).not.to.have.property(METRIC.scheduledDayCompleted);
    }
    expect(summary.dates[0]).to.include({ listed: 2, copied: 1, skipped: 1 });
  });

  it('reports the archived objects of a day as ObjectsArchived (not copied, not failed)', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([obj('2024/01/05/a'), { ...obj('2024/01/05/cold'), storageClass: 'GLACIER' }, { ...obj('2024/01/05/colder'), storageClass: 'DEEP_ARCHIVE' }]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(HeadObjectCommand).callsFake((input: { Key: string }) => ({ StorageClass: input.Key.endsWith('colder') ? 'DEEP_ARCHIVE' : 'GLACIER' }));
    const summary = await runEvent({ dates: ['2024-01-05'] }, config, clients, options());
    expect(summary).to.deep.include({ archived: 2, copied: 1, failed: 0 });
    const [line] = emf();
    expect(emfProblems(line!)).to.deep.equal([]);
    expect(emfValues(line!)).to.include({ [METRIC.archived]: 2, [METRIC.copied]: 1, [METRIC.failed]: 0 });
  });

  it('keeps the external id and the secret out of every line, and adds the request id to each log line', async () => {
    await runEvent({ dates: ['2024-01-01'] }, config, clients, options());
    expect(lines.join('\n')).not.to.include(EXTERNAL_ID);
    for (const line of lines) expect(JSON.parse(line)).to.have.property('requestId', 'req-1');
  });

  it('reports a scheduled day that completed as ScheduledDayCompleted 1, with the objects it listed', async () => {
    await runEvent(scheduledEvent('2024-01-02T06:00:00Z'), config, clients, options());
    const [line] = emf();
    expect(emfProblems(line!)).to.deep.equal([]);
    expect(emfValues(line!)).to.include({ [METRIC.scheduledDayCompleted]: 1, [METRIC.scheduledDayObjectsListed]: 2 });
  });

  it('reports an empty scheduled day: ScheduledDayObjectsListed 0, completed 1', async () => {
    await runEvent(scheduledEvent('2024-01-10T06:00:00Z'), config, clients, options());
    expect(emfValues(emf()[0]!)).to.include({ [METRIC.scheduledDayObjectsListed]: 0, [METRIC.scheduledDayCompleted]: 1, [METRIC.listed]: 0 });
  });

  it('reports a scheduled day with a failed object as ScheduledDayCompleted 0, before throwing', async () => {
    dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => input.Key === '2024/01/01/a' ? Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDenied' })) : Promise.resolve({}));
    await runEvent(scheduledEvent('2024-01-02T06:00:00Z'), config, clients, options()).catch(() => undefined);
    expect(emfValues(emf()[0]!)).to.include({ [METRIC.scheduledDayCompleted]: 0, [METRIC.failed]: 1 });
  });

  it('hands a scheduled day that ran out of time on with "scheduled": true, and decides nothing yet; the continuation that finishes it says 1', async () => {
    const sent: WorkItem[] = [];
    let n = 0;
    await runEvent(scheduledEvent('2024-01-02T06:00:00Z'), config, clients, { ...options(), shouldStop: () => ++n > 1, continueLater: (rest) => { sent.push(...rest); return Promise.resolve(); } });
    expect(sent).to.deep.equal([{ date: '2024-01-01', startAfter: '2024/01/01/a', scheduled: true }]);
    expect(emfValues(emf()[0]!)).not.to.have.property(METRIC.scheduledDayCompleted);

    lines = [];
    const queue = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/work', send: () => Promise.resolve() };
    await runWorkBatch([{ messageId: 'm1', body: JSON.stringify(sent[0]), eventSource: 'aws:sqs' }], config, clients, queue, options());
    const line = emf()[0]!;
    expect(emfProblems(line)).to.deep.equal([]);
    expect(emfValues(line)).to.include({ [METRIC.scheduledDayCompleted]: 1, [METRIC.listed]: 1 });
    expect(emfValues(line)).not.to.have.property(METRIC.scheduledDayObjectsListed);
  });

  it('emits nothing for a dry run, inline or as a work item', async () => {
    await runEvent({ dates: ['2024-01-01'], dryRun: true }, config, clients, options());
    await handleEvent(scheduledEvent('2024-01-02T06:00:00Z'), config, clients, options()).then(() => undefined);
    const queue = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/work', send: () => Promise.resolve() };
    lines = [];
    await runWorkBatch([{ messageId: 'm1', body: '{"date":"2024-01-02","dryRun":true}', eventSource: 'aws:sqs' }], config, clients, queue, options());
    expect(emf()).to.deep.equal([]);
  });

  it('counts a day whose listing failed as one failure, ObjectsFailed 1', async () => {
    src.on(ListObjectsV2Command, { Prefix: '2024/01/01/' }).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    await runEvent({ dates: ['2024-01-01'] }, config, clients, options()).catch(() => undefined);
    expect(emfValues(emf()[0]!)).to.include({ [METRIC.failed]: 1, [METRIC.listed]: 0 });
  });
});

describe('test/helpers/emfSpec (the validator itself)', () => {
  const valid = { _aws: { Timestamp: 1700000000000, CloudWatchMetrics: [{ Namespace: 'S3Push', Dimensions: [['FunctionName']], Metrics: [{ Name: 'ObjectsCopied', Unit: 'Count' }] }] }, FunctionName: 'f', ObjectsCopied: 3 };
  it('accepts a valid document and names what breaks each rule', () => {
    expect(emfProblems(JSON.stringify(valid))).to.deep.equal([]);
    const broken = (patch: (d: typeof valid & Record<string, unknown>) => void) => {
      const d = structuredClone(valid) as typeof valid & Record<string, unknown>;
      patch(d);
      return emfProblems(JSON.stringify(d)).join('; ');
    };
    expect(broken((d) => { delete (d as Record<string, unknown>).ObjectsCopied; })).to.match(/metric "ObjectsCopied" has no numeric value/);
    expect(broken((d) => { d.ObjectsCopied = '3' as unknown as number; })).to.match(/no numeric value/);
    expect(broken((d) => { delete (d as Record<string, unknown>).FunctionName; })).to.match(/dimension "FunctionName"/);
    expect(broken((d) => { d._aws.CloudWatchMetrics[0]!.Metrics[0]!.Unit = 'Things'; })).to.match(/not a CloudWatch unit/);
    expect(broken((d) => { d._aws.CloudWatchMetrics[0]!.Namespace = ' '; })).to.match(/Namespace/);
    expect(broken((d) => { d._aws.Timestamp = 1.5; })).to.match(/Timestamp/);
    expect(emfProblems('{"a":1}')).to.deep.equal(['no "_aws" object']);
  });
});

describe('handler/workItems "scheduled"', () => {
  it('round-trips "scheduled": true and refuses any other value', async () => {
    const { parseWorkItem, serializeWorkItem } = await import('../../../handler/fanOut/workItems.ts');
    const item = parseWorkItem('{"date":"2024-01-01","startAfter":"2024/01/01/a","scheduled":true}', '{YYYY}/{MM}/{DD}/');
    expect(item).to.deep.equal({ date: '2024-01-01', startAfter: '2024/01/01/a', scheduled: true });
    expect(serializeWorkItem(item)).to.equal('{"date":"2024-01-01","startAfter":"2024/01/01/a","scheduled":true}');
    expect(() => parseWorkItem('{"date":"2024-01-01","scheduled":"yes"}', '{YYYY}/{MM}/{DD}/')).to.throw(/"scheduled" is "yes": expected true or false/);
  });
});
