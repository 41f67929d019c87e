/**
 * The time budget bounds a multipart copy already running (issue 11, item 7). AWS's rules: Lambda
 * stops a function at its timeout, at most 900 s, whatever it is doing
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html), so an upload it was
 * copying is left incomplete; an incomplete multipart upload stays (and its parts are billed)
 * until AbortMultipartUpload or a lifecycle rule removes it
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpu-abort-incomplete-mpu-lifecycle-config.html).
 * So the budget is asked between parts: when it runs low, no part starts, the upload is aborted and
 * the object is not finished; the day's continuation starts at it.
 */
import { expect } from 'chai';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { multipartCopy } from '../../../../handler/aws/s3Copy.ts';
import { CopyInterruptedError } from '../../../../handler/errors.ts';
import { replicateDay } from '../../../../handler/copy/replicateDay.ts';
import { runWorkBatch } from '../../../../handler/fanOut/workBatch.ts';
import { parseHandlerConfig, type HandlerConfig } from '../../../../handler/config.ts';
import { createLogger } from '../../../../handler/logger.ts';
import type { WorkItem } from '../../../../handler/fanOut/workItems.ts';
import { DESTINATION_ACCOUNT, SOURCE_ACCOUNT, handlerEnv, daySettings } from '../../../helpers/fixtures.ts';
import type { IsoDate } from '../../../../rules/dates.ts';
import type { ObjectInfo } from '../../../../handler/copy/plan.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';

const MiB = 1024 * 1024;
/** A date literal as an IsoDate (a cast: code run while the file loads would make its mutants static). */
const date = '2024-01-01' as IsoDate;
const settings = daySettings();
const o = (key: string, size: number): ObjectInfo => ({ key: `2024/01/01/${key}`, size, etag: `e-${key}`, lastModified: new Date('2024-01-02T00:00:00Z') });

describe('the time budget between the parts of a multipart copy', () => {
  const sourceS3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const destinationS3 = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'c', secretAccessKey: 'd' } });
  const src = mockClient(sourceS3);
  const dst = mockClient(destinationS3);
  afterEach(() => {
    src.reset();
    dst.reset();
  });

  function upload(size: number): void {
    dst.on(HeadObjectCommand).resolves({ ContentLength: size, ETag: '"x"' });
    dst.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    dst.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u-1' });
    dst.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"p"' } });
    dst.on(CompleteMultipartUploadCommand).resolves({});
    dst.on(AbortMultipartUploadCommand).resolves({});
  }

  it('starts no part once the budget runs low, aborts the upload and throws CopyInterruptedError', async () => {
    upload(100 * MiB);
    let parts = 0;
    const err = await multipartCopy(
      destinationS3,
      { sourceBucket: 'src', sourceKey: 'k', sourceOwner: SOURCE_ACCOUNT, destinationBucket: 'dst', destinationKey: 'k', destinationOwner: DESTINATION_ACCOUNT },
      { partSizeBytes: 5 * MiB, partConcurrency: 2, shouldStop: () => parts++ >= 6 },
    ).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(CopyInterruptedError);
    expect((err as Error).message).to.match(/stopped: the time budget ran low after \d+ of 20 parts \(upload aborted\)/);
    expect(dst.commandCalls(UploadPartCopyCommand).length).to.equal(6);
    expect(dst.commandCalls(CompleteMultipartUploadCommand)).to.have.length(0);
    expect(dst.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input)).to.deep.equal([{ Bucket: 'dst', Key: 'k', ExpectedBucketOwner: DESTINATION_ACCOUNT, UploadId: 'u-1' }]);
  });

  it('reports the object as not finished, so the continuation starts at it, and the day as not complete', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('a-small', 1 * MiB), o('b-big', 100 * MiB)]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(CopyObjectCommand).resolves({});
    upload(100 * MiB);
    // Budget checks: one per object (2) then one per part; it runs low during the big copy.
    let asked = 0;
    const r = await replicateDay({ sourceS3, destinationS3 }, settings, { date, partConcurrency: 1, shouldStop: () => ++asked > 5 });
    expect(r.complete).to.equal(false);
    expect(r.interrupted).to.deep.equal(['2024/01/01/b-big']);
    expect(r.lastKey).to.equal('2024/01/01/a-small');
    expect(r.summary).to.deep.include({ copied: 1, failed: 0 });
    expect(r.failures).to.deep.equal([]);
    expect(dst.commandCalls(AbortMultipartUploadCommand)).to.have.length(1);
    expect(dst.commandCalls(CompleteMultipartUploadCommand)).to.have.length(0);
  });

  it('copies the whole object when the budget holds', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('b-big', 100 * MiB)]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    upload(100 * MiB);
    const r = await replicateDay({ sourceS3, destinationS3 }, settings, { date, shouldStop: () => false });
    expect(r).to.deep.include({ complete: true, interrupted: [], lastKey: '2024/01/01/b-big' });
    expect(dst.commandCalls(UploadPartCopyCommand)).to.have.length(20);
  });

  describe('in a fan-out work item', () => {
    let config: HandlerConfig;
    before(() => {
      config = { ...parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: '', MULTIPART_THRESHOLD_BYTES: String(8 * MiB), PART_SIZE_BYTES: String(5 * MiB) })), sourceBucket: 'src', destinationBucket: 'dst' };
    });
    const record = (item: Omit<WorkItem, 'date'> & { date: string }) => ({ messageId: 'm1', body: JSON.stringify(item), eventSource: 'aws:sqs' });
    let sent: WorkItem[];
    const queue = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', send: (items: readonly WorkItem[]) => { sent.push(...items); return Promise.resolve(); } };
    beforeEach(() => {
      sent = [];
      dst.on(ListObjectsV2Command).callsFake(fakeList([]));
      dst.on(CopyObjectCommand).resolves({});
      upload(100 * MiB);
    });

    it('hands the rest of the day on from before the stopped object, which the continuation copies again', async () => {
      src.on(ListObjectsV2Command).callsFake(fakeList([o('a-small', 1 * MiB), o('b-big', 100 * MiB), o('c-small', 1 * MiB)]));
      let asked = 0;
      const r = await runWorkBatch([record({ date: '2024-01-01' })], config, { sourceS3, destinationS3 }, queue, { logger: createLogger([], () => undefined), shouldStop: () => ++asked > 6 });
      expect(r.response.batchItemFailures).to.deep.equal([]);
      expect(r.items[0]).to.deep.include({ outcome: 'continued', continueAfter: '2024/01/01/a-small' });
      expect(sent).to.deep.equal([{ date: '2024-01-01', startAfter: '2024/01/01/a-small' }]);
      expect(dst.commandCalls(AbortMultipartUploadCommand)).to.have.length(1);
    });

    it('counts an object a whole invocation could not finish as failed, naming it, and hands the rest of the day on past it (no endless continuations)', async () => {
      src.on(ListObjectsV2Command).callsFake(fakeList([o('a-small', 1 * MiB), o('b-big', 100 * MiB), o('c-small', 1 * MiB)]));
      let asked = 0;
      const r = await runWorkBatch([record({ date: '2024-01-01', startAfter: '2024/01/01/a-small' })], config, { sourceS3, destinationS3 }, queue, { logger: createLogger([], () => undefined), shouldStop: () => ++asked > 6 });
      expect(r.response.batchItemFailures).to.deep.equal([]);
      expect(r.items[0]).to.deep.include({ outcome: 'continued', continueAfter: '2024/01/01/b-big' });
      // The day's last part fails with it (dead-letter queue), after the rest is copied.
      expect(sent).to.deep.equal([{ date: '2024-01-01', startAfter: '2024/01/01/b-big', failedBefore: 1, firstFailedKey: '2024/01/01/b-big' }]);
      expect(r.summary).to.deep.include({ failed: 1 });
      expect(r.summary.failures[0]!.key).to.equal('2024/01/01/b-big');
      expect(r.summary.failures[0]!.error).to.match(/multipart copy of "2024\/01\/01\/b-big" did not finish within a whole invocation.*handed on past it.*copy it by hand/i);
      expect(dst.commandCalls(AbortMultipartUploadCommand)).to.have.length(1);
    });

    it('does not judge an object too large when an earlier item of the batch used the budget: the item fails and SQS delivers it again', async () => {
      src.on(ListObjectsV2Command).callsFake(fakeList([o('a-small', 1 * MiB), o('b-big', 100 * MiB)]));
      let asked = 0;
      const records = [
        { ...record({ date: '2023-12-31' }), messageId: 'm0' },
        record({ date: '2024-01-01', startAfter: '2024/01/01/a-small' }),
      ];
      // The first item (an empty day) asks twice; the second item's copy is stopped after a few parts.
      const r = await runWorkBatch(records, config, { sourceS3, destinationS3 }, queue, { logger: createLogger([], () => undefined), shouldStop: () => ++asked > 6 });
      expect(r.items.map((i) => i.outcome)).to.deep.equal(['done', 'failed']);
      expect(r.response.batchItemFailures).to.deep.equal([{ itemIdentifier: 'm1' }]);
      expect(sent).to.deep.equal([]);
      expect(r.summary.failed).to.equal(0);
    });
  });
});
