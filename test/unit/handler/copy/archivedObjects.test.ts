/**
 * Archived source objects (issue 11, item 6). AWS's rule: CopyObject and UploadPartCopy answer
 * `InvalidObjectState` (HTTP 403, "The operation is not valid for the object's storage class") for
 * an object in S3 Glacier Flexible Retrieval, S3 Glacier Deep Archive, or an Intelligent-Tiering
 * archive access tier, until it is restored
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html, whose error list also names
 * ObjectNotInActiveTierError, and the InvalidObjectState error, which names the StorageClass and
 * AccessTier: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). ListObjectsV2
 * returns each object's StorageClass (https://docs.aws.amazon.com/AmazonS3/latest/API/API_Object.html),
 * but a restored GLACIER or DEEP_ARCHIVE object keeps its class ("unless you make a copy and change
 * its storage class, the object will still be stored in the S3 Glacier Flexible Retrieval or S3
 * Glacier Deep Archive storage classes":
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects.html); HeadObject's
 * x-amz-restore says `ongoing-request="false", expiry-date=…` once it can be read, and
 * `ongoing-request="true"` while the restore runs
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html). So those two classes get a
 * HeadObject, and an Intelligent-Tiering object in an archive tier (listed as INTELLIGENT_TIERING)
 * is known from the copy's error (or, for a multipart copy, from HeadObject's ArchiveStatus).
 */
import { expect } from 'chai';
import { mockReplicationClients } from '../../../helpers/awsMocks.ts';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  InvalidObjectState,
  ListObjectsV2Command,
  ObjectNotInActiveTierError,
  UploadPartCopyCommand,
  type CopyObjectCommandInput,
  type HeadObjectCommandInput,
} from '@aws-sdk/client-s3';
import { replicateDay } from '../../../../handler/copy/replicateDay.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { runWorkBatch } from '../../../../handler/fanOut/workBatch.ts';
import { parseHandlerConfig, type HandlerConfig } from '../../../../handler/config.ts';
import { createLogger } from '../../../../handler/logger.ts';
import type { IsoDate } from '../../../../rules/dates.ts';
import type { ObjectInfo } from '../../../../handler/copy/plan.ts';
import type { WorkItem } from '../../../../handler/fanOut/workItems.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { handlerEnv, daySettings } from '../../../helpers/fixtures.ts';

const MiB = 1024 * 1024;
/** A date literal as an IsoDate (a cast: code run while the file loads would make its mutants static). */
const date = '2024-01-01' as IsoDate;
const settings = daySettings();
const o = (key: string, storageClass?: string, size = 10): ObjectInfo => ({ key: `2024/01/01/${key}`, size, etag: `e-${key}`, lastModified: new Date('2024-01-02T00:00:00Z'), ...(storageClass ? { storageClass } : {}) });
const keyOf = (input: CopyObjectCommandInput): string => decodeURIComponent(input.CopySource!.slice('src/'.length));

/** S3's answer to a copy of an archived object, as the SDK throws it. */
function invalidObjectState(storageClass: 'GLACIER' | 'DEEP_ARCHIVE' | 'INTELLIGENT_TIERING', accessTier?: 'ARCHIVE_ACCESS' | 'DEEP_ARCHIVE_ACCESS'): InvalidObjectState {
  return new InvalidObjectState({ message: "The operation is not valid for the object's storage class", $metadata: { httpStatusCode: 403 }, StorageClass: storageClass, ...(accessTier ? { AccessTier: accessTier } : {}) });
}

describe('archived source objects (InvalidObjectState)', () => {
  const { clients, src, dst } = mockReplicationClients();

  /** HeadObject's answer for the objects listed as GLACIER or DEEP_ARCHIVE, by key suffix. */
  const heads: Record<string, { StorageClass: 'GLACIER' | 'DEEP_ARCHIVE'; Restore?: string }> = {
    glacier: { StorageClass: 'GLACIER' },
    deep: { StorageClass: 'DEEP_ARCHIVE' },
    'glacier-restored': { StorageClass: 'GLACIER', Restore: 'ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"' },
    'glacier-restoring': { StorageClass: 'GLACIER', Restore: 'ongoing-request="true"' },
  };
  function world(objects: ObjectInfo[]): void {
    src.on(ListObjectsV2Command).callsFake(fakeList(objects));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(HeadObjectCommand).callsFake((input: HeadObjectCommandInput) => ({ ContentLength: 10, ETag: '"x"', ...heads[input.Key!.slice('2024/01/01/'.length)] }));
    dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => {
      if (keyOf(input).endsWith('it-archived')) throw invalidObjectState('INTELLIGENT_TIERING', 'ARCHIVE_ACCESS');
      return {};
    });
  }
  const objects = [
    o('a'),
    o('deep', 'DEEP_ARCHIVE'),
    o('glacier', 'GLACIER'),
    o('glacier-restored', 'GLACIER'),
    o('glacier-restoring', 'GLACIER'),
    o('instant', 'GLACIER_IR'),
    o('it-archived', 'INTELLIGENT_TIERING'),
    o('it-frequent', 'INTELLIGENT_TIERING'),
  ];
  const byKey = <T extends { key: string }>(list: readonly T[]): T[] => [...list].sort((x, y) => (x.key < y.key ? -1 : 1));
  const headed = () => dst.commandCalls(HeadObjectCommand).map((c) => c.args[0].input.Key).sort();

  it('copies a restored GLACIER object, sends no copy for GLACIER and DEEP_ARCHIVE objects not restored (HeadObject Restore), reads the tier from the error for Intelligent-Tiering, and fails nothing', async () => {
    world(objects);
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ listed: 8, copied: 4, failed: 0, archived: 4 });
    expect(r.complete).to.equal(true);
    expect(r.failures).to.deep.equal([]);
    expect(byKey(r.archived)).to.deep.equal([
      { key: '2024/01/01/deep', storageClass: 'DEEP_ARCHIVE' },
      { key: '2024/01/01/glacier', storageClass: 'GLACIER' },
      { key: '2024/01/01/glacier-restoring', storageClass: 'GLACIER, restore in progress' },
      { key: '2024/01/01/it-archived', storageClass: 'INTELLIGENT_TIERING (ARCHIVE_ACCESS)' },
    ]);
    const sent = dst.commandCalls(CopyObjectCommand).map((c) => keyOf(c.args[0].input)).sort();
    expect(sent).to.deep.equal(['2024/01/01/a', '2024/01/01/glacier-restored', '2024/01/01/instant', '2024/01/01/it-archived', '2024/01/01/it-frequent']);
    // HeadObject only for what lists as GLACIER or DEEP_ARCHIVE: a STANDARD day costs no request more.
    expect(headed()).to.deep.equal(['2024/01/01/deep', '2024/01/01/glacier', '2024/01/01/glacier-restored', '2024/01/01/glacier-restoring']);
    // The day is done: a continuation would not come back for them.
    expect(r.lastKey).to.equal('2024/01/01/it-frequent');
  });

  it('counts a copy answered with ObjectNotInActiveTierError (CopyObject\'s own code) as archived, not failed', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('expired', 'GLACIER')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    // Restored when HeadObject asked, expired by the time of the copy.
    dst.on(HeadObjectCommand).resolves({ StorageClass: 'GLACIER', Restore: 'ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"' });
    dst.on(CopyObjectCommand).rejects(new ObjectNotInActiveTierError({ message: 'The source object of the COPY action is not in the active tier and is only stored in Amazon S3 Glacier.', $metadata: { httpStatusCode: 403 } }));
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ failed: 0, archived: 1 });
    expect(r.archived).to.deep.equal([{ key: '2024/01/01/expired', storageClass: 'GLACIER' }]);
  });

  it('counts an object whose HeadObject fails as failed, with the error', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('glacier', 'GLACIER')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(HeadObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ failed: 1, archived: 0, copied: 0 });
    expect(r.failures[0]!.error).to.match(/HeadObject s3:\/\/src\/2024\/01\/01\/glacier failed: .*Access Denied/);
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(0);
  });

  it('skips an archived object that is already at the destination and equal', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('glacier', 'GLACIER')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([o('glacier')]));
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ skipped: 1, archived: 0 });
  });

  it('shows the archived GLACIER and DEEP_ARCHIVE objects in a dry run too (HeadObject, no copy), a restored one as to copy', async () => {
    world(objects);
    const r = await replicateDay(clients, settings, { date, dryRun: true });
    // An Intelligent-Tiering object in an archive tier is known only from the copy: a dry run counts it as to copy.
    expect(r.summary).to.deep.include({ copied: 5, missing: 5, archived: 3, failed: 0 });
    expect(byKey(r.archived).map((a) => a.key)).to.deep.equal(['2024/01/01/deep', '2024/01/01/glacier', '2024/01/01/glacier-restoring']);
    expect(headed()).to.have.length(4);
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(0);
  });

  it('stops a multipart copy of an Intelligent-Tiering object in an archive tier before creating the upload (HeadObject ArchiveStatus)', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('big', 'INTELLIGENT_TIERING', 20 * MiB)]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(HeadObjectCommand).resolves({ ContentLength: 20 * MiB, ETag: '"x"', StorageClass: 'INTELLIGENT_TIERING', ArchiveStatus: 'DEEP_ARCHIVE_ACCESS' });
    dst.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ failed: 0, archived: 1 });
    expect(r.archived[0]!.storageClass).to.equal('INTELLIGENT_TIERING (DEEP_ARCHIVE_ACCESS)');
    expect(dst.commandCalls(CreateMultipartUploadCommand)).to.have.length(0);
  });

  it('counts a part answered with InvalidObjectState as archived, after aborting the upload', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('big', 'INTELLIGENT_TIERING', 20 * MiB)]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(HeadObjectCommand).resolves({ ContentLength: 20 * MiB, ETag: '"x"' });
    dst.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    dst.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u' });
    dst.on(UploadPartCopyCommand).rejects(invalidObjectState('INTELLIGENT_TIERING', 'ARCHIVE_ACCESS'));
    dst.on(AbortMultipartUploadCommand).resolves({});
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ failed: 0, archived: 1 });
    expect(dst.commandCalls(AbortMultipartUploadCommand)).to.have.length(1);
  });

  it('a run with archived objects succeeds, counts them in the summary and logs how to restore them', async () => {
    world(objects);
    const lines: string[] = [];
    const config = parseHandlerConfig({ ...handlerEnv(), MULTIPART_THRESHOLD_BYTES: String(8 * MiB), DESTINATION_PREFIX: '' });
    const summary = await runEvent({ dates: ['2024-01-01'] }, { ...config, sourceBucket: 'src', destinationBucket: 'dst' }, clients, { logger: createLogger([], (l) => lines.push(l)) });
    expect(summary).to.deep.include({ copied: 4, failed: 0, archived: 4 });
    expect(summary.archivedObjects.map((a) => a.key).sort()).to.deep.equal(['2024/01/01/deep', '2024/01/01/glacier', '2024/01/01/glacier-restoring', '2024/01/01/it-archived']);
    const warn = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 's3-push archived objects');
    expect(warn).to.deep.include({ level: 'WARN', archived: 4 });
    expect(warn!.howToRestore).to.match(/restore-object/);
  });

  it('a fan-out work item with archived objects is done, not retried', async () => {
    world(objects);
    const sent: WorkItem[][] = [];
    const queue = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', send: (items: readonly WorkItem[]) => { sent.push([...items]); return Promise.resolve(); } };
    const config = parseHandlerConfig({ ...handlerEnv(), DESTINATION_PREFIX: '' });
    const lines: string[] = [];
    const r = await runWorkBatch([{ messageId: 'm1', body: JSON.stringify({ date: '2024-01-01' }), eventSource: 'aws:sqs' }], { ...config, sourceBucket: 'src', destinationBucket: 'dst' }, clients, queue, { logger: createLogger([], (l) => lines.push(l)) });
    expect(r.response.batchItemFailures).to.deep.equal([]);
    expect(sent).to.deep.equal([]);
    const batch = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.message === 's3-push work batch');
    expect(batch).to.deep.include({ archived: 4 });
    expect(lines.some((l) => l.includes('"s3-push archived objects"') && l.includes('restore-object'))).to.equal(true);
  });

  describe('and the day-complete marker (DAY_MARKER)', () => {
    let config: HandlerConfig;
    before(() => {
      config = { ...parseHandlerConfig({ ...handlerEnv(), DESTINATION_PREFIX: '', DAY_MARKER: 'true' }), sourceBucket: 'src', destinationBucket: 'dst' };
    });
    const queue = (sent: WorkItem[]) => ({ url: 'https://sqs.us-east-1.amazonaws.com/123456789012/q', send: (items: readonly WorkItem[]) => { sent.push(...items); return Promise.resolve(); } });
    const record = (body: Record<string, unknown>) => ({ messageId: 'm1', body: JSON.stringify(body), eventSource: 'aws:sqs' });
    beforeEach(() => {
      dst.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } }));
      dst.on(PutObjectCommand).resolves({});
    });

    it('writes none for a day with an archived object left out (the marker says every object is there), and writes one without', async () => {
      world([o('a'), o('glacier', 'GLACIER')]);
      const withArchived = await runEvent({ dates: ['2024-01-01'] }, config, clients, { logger: createLogger([], () => undefined) });
      expect(withArchived.dates[0]).to.deep.include({ archived: 1, failed: 0 });
      expect(withArchived.dates[0]).not.to.have.property('marker');
      expect(dst.commandCalls(PutObjectCommand)).to.have.length(0);

      world([o('a')]);
      // The copy is there: the marker's walk checks every source object at the destination.
      dst.on(ListObjectsV2Command).callsFake(fakeList([o('a')]));
      const without = await runEvent({ dates: ['2024-01-01'] }, config, clients, { logger: createLogger([], () => undefined) });
      expect(without.dates[0]).to.deep.include({ marker: 'written' });
    });

    it("carries the archived count of a fanned-out day's earlier parts (archivedBefore), so the part that completes it writes none", async () => {
      world([o('a'), o('b')]);
      const sent: WorkItem[] = [];
      const carried = await runWorkBatch([record({ date: '2024-01-01', startAfter: '2024/01/01/0', archivedBefore: 2 })], config, clients, queue(sent), { logger: createLogger([], () => undefined) });
      expect(carried.items[0]).to.deep.include({ outcome: 'done' });
      expect(carried.summary.dates[0]).not.to.have.property('marker');
      expect(dst.commandCalls(PutObjectCommand)).to.have.length(0);

      dst.on(ListObjectsV2Command).callsFake(fakeList([o('a'), o('b')]));
      const clean = await runWorkBatch([record({ date: '2024-01-01', startAfter: '2024/01/01/0' })], config, clients, queue(sent), { logger: createLogger([], () => undefined) });
      expect(clean.summary.dates[0]).to.deep.include({ marker: 'written' });
    });

    it('hands the archived count on with the rest of the day', async () => {
      world([o('a-glacier', 'GLACIER'), o('b'), o('c')]);
      dst.on(HeadObjectCommand).resolves({ StorageClass: 'GLACIER' });
      const sent: WorkItem[] = [];
      // Three budget checks pass: the item's own and the first two objects'; then the day stops.
      let asked = 0;
      const r = await runWorkBatch([record({ date: '2024-01-01' })], { ...config, copyConcurrency: 1 }, clients, queue(sent), { logger: createLogger([], () => undefined), shouldStop: () => ++asked > 3 });
      expect(r.items[0]).to.deep.include({ outcome: 'continued', continueAfter: '2024/01/01/b' });
      expect(sent).to.deep.equal([{ date: '2024-01-01', startAfter: '2024/01/01/b', archivedBefore: 1 }]);
    });
  });
});
