import { expect } from 'chai';
import { CopyObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, type DeleteObjectsCommandInput, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { ReplicationFailedError } from '../../../../handler/errors.ts';
import { deleteExtras, settleDayExtras, tooManyFailure, type ExtrasSettings } from '../../../../handler/copy/exactDay.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { runWorkBatch } from '../../../../handler/fanOut/workBatch.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { createLogger } from '../../../../handler/logger.ts';
import type { ObjectInfo } from '../../../../handler/copy/plan.ts';
import type { IsoDate } from '../../../../rules/dates.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { daySettings, DESTINATION_ACCOUNT, handlerEnv } from '../../../helpers/fixtures.ts';
import { mockReplicationClients } from '../../../helpers/awsMocks.ts';

const date = '2024-07-01' as IsoDate;
const o = (key: string, size = 10): ObjectInfo => ({ key, size, etag: `etag-${key.split('/').pop()}`, lastModified: new Date('2024-07-02T00:00:00Z') });
const settings = (over: Partial<ExtrasSettings> = {}): ExtrasSettings => ({ ...daySettings({ destinationPrefix: 'in/' }), exactDays: true, exactDaysMaxDeletes: 10_000, ...over });
const deletedKeys = (calls: { args: [{ input: DeleteObjectsCommandInput }] }[]): string[] => calls.flatMap((c) => c.args[0].input.Delete!.Objects!.map((x) => x.Key!));

describe('handler/copy/exactDay deleteExtras (the delete pass of a day\'s extras)', () => {
  const { clients, src, dst } = mockReplicationClients();
  /** The source day and the destination, as both listings (and the per-key lookups) answer. */
  const world = (source: string[], destination: string[]): void => {
    src.on(ListObjectsV2Command).callsFake(fakeList(source.map((k) => o(k)), 3));
    dst.on(ListObjectsV2Command).callsFake(fakeList(destination.map((k) => o(k)), 3));
  };
  beforeEach(() => {
    dst.on(DeleteObjectsCommand).resolves({});
  });

  it('deletes the destination-only objects of the day, never the marker, never outside the day, with ExpectedBucketOwner', async () => {
    world(['2024/07/01/part-new-0', '2024/07/01/part-new-1', '2024/07/01/_SUCCESS', '2024/07/02/x'], [
      'in/2024/07/01/_S3PUSH_COMPLETE.json', 'in/2024/07/01/_SUCCESS', 'in/2024/07/01/part-new-0', 'in/2024/07/01/part-new-1',
      'in/2024/07/01/part-old-0', 'in/2024/07/01/part-old-1', 'in/2024/07/01/sub/old', 'in/2024/07/02/other-day', 'in/2024/07/010', 'elsewhere/2024/07/01/x',
    ]);
    const r = await deleteExtras(clients, settings(), date);
    expect(r).to.deep.include({ deleted: 3, failed: 0, stopped: false, backAtSource: 0, emptySource: false, tooMany: false, reached: '2024/07/01/sub/old' });
    const calls = dst.commandCalls(DeleteObjectsCommand);
    expect(calls).to.have.length(1);
    expect(calls[0]!.args[0].input).to.deep.include({ Bucket: 'dst', ExpectedBucketOwner: DESTINATION_ACCOUNT });
    expect(deletedKeys(calls)).to.deep.equal(['in/2024/07/01/part-old-0', 'in/2024/07/01/part-old-1', 'in/2024/07/01/sub/old']);
  });

  it('sends batches of at most 1,000 keys', async () => {
    const extras = Array.from({ length: 2345 }, (_, i) => `in/2024/07/01/old-${String(i).padStart(5, '0')}`);
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/07/01/new')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList(extras.map((k) => o(k))));
    const r = await deleteExtras(clients, settings({ copyConcurrency: 64 }), date);
    expect(r).to.deep.include({ deleted: 2345 });
    expect(dst.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete!.Objects!.length)).to.deep.equal([1000, 1000, 345]);
  });

  it('deletes nothing from a source day that lists no object (a marker-named key is none), and says so', async () => {
    world([], ['in/2024/07/01/a', 'in/2024/07/01/b']);
    expect(await deleteExtras(clients, settings(), date)).to.deep.include({ deleted: 0, emptySource: true, stopped: false });
    world(['2024/07/01/_S3PUSH_COMPLETE.json'], ['in/2024/07/01/a']);
    expect(await deleteExtras(clients, settings(), date)).to.deep.include({ deleted: 0, emptySource: true });
    expect(dst.commandCalls(DeleteObjectsCommand)).to.have.length(0);
  });

  it('resumed past the day\'s first keys, still deletes nothing from a source day that lists no object', async () => {
    world([], ['in/2024/07/01/a', 'in/2024/07/01/b', 'in/2024/07/01/c']);
    expect(await deleteExtras(clients, settings(), date, { startAfter: '2024/07/01/a' })).to.deep.include({ deleted: 0, emptySource: true });
    expect(dst.commandCalls(DeleteObjectsCommand)).to.have.length(0);
  });

  it('never deletes an excluded key: EXCLUDE\'s patterns by default, or the caller\'s rule', async () => {
    world(['2024/07/01/a'], ['in/2024/07/01/a', 'in/2024/07/01/a.crc', 'in/2024/07/01/_temporary/0/x', 'in/2024/07/01/b']);
    const r = await deleteExtras(clients, settings({ exclude: ['*.crc', '_temporary/**'] }), date);
    expect(r).to.deep.include({ deleted: 1 });
    expect(deletedKeys(dst.commandCalls(DeleteObjectsCommand))).to.deep.equal(['in/2024/07/01/b']);
    dst.resetHistory();
    const own = await deleteExtras(clients, settings(), date, { isExcluded: (k) => k.endsWith('.crc') || k.includes('_temporary') });
    expect(own).to.deep.include({ deleted: 1 });
    expect(deletedKeys(dst.commandCalls(DeleteObjectsCommand))).to.deep.equal(['in/2024/07/01/b']);
  });

  it('keeps an extra whose source object is back when looked up just before the delete', async () => {
    // The day's listing (MaxKeys absent) has only `a`; the lookup of `b` (MaxKeys 1) finds it again.
    const listing = fakeList([o('2024/07/01/a')]);
    const now = fakeList([o('2024/07/01/a'), o('2024/07/01/b')]);
    src.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => (input.MaxKeys === 1 ? now(input) : listing(input)));
    dst.on(ListObjectsV2Command).callsFake(fakeList([o('in/2024/07/01/a'), o('in/2024/07/01/b'), o('in/2024/07/01/c')]));
    const r = await deleteExtras(clients, settings(), date);
    expect(r).to.deep.include({ deleted: 1, backAtSource: 1 });
    expect(deletedKeys(dst.commandCalls(DeleteObjectsCommand))).to.deep.equal(['in/2024/07/01/c']);
  });

  it('reports each key S3 refused, and a whole request that failed, as failures', async () => {
    world(['2024/07/01/a'], ['in/2024/07/01/a', 'in/2024/07/01/b', 'in/2024/07/01/c']);
    dst.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'in/2024/07/01/c', Code: 'AccessDenied', Message: 'Access Denied' }] });
    const refused = await deleteExtras(clients, settings(), date);
    expect(refused).to.deep.include({ deleted: 1, failed: 1 });
    expect(refused.failures).to.deep.equal([{ key: 'in/2024/07/01/c', error: 'DeleteObjects refused it: AccessDenied: Access Denied' }]);
    dst.on(DeleteObjectsCommand).rejects(Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' }));
    const failed = await deleteExtras(clients, settings(), date);
    expect(failed).to.deep.include({ deleted: 0, failed: 2 });
    expect(failed.failures.map((f) => f.key)).to.deep.equal(['in/2024/07/01/b', 'in/2024/07/01/c']);
  });

  it('stopped by the time budget, sends the batch it holds and says where it got: resumed there, it deletes the rest, none twice', async () => {
    const destination = ['in/2024/07/01/a', 'in/2024/07/01/b', 'in/2024/07/01/c', 'in/2024/07/01/d', 'in/2024/07/01/e', 'in/2024/07/01/f'];
    world(['2024/07/01/a', '2024/07/01/d'], destination);
    let asked = 0;
    const first = await deleteExtras(clients, settings(), date, { shouldStop: () => ++asked > 3, batchSize: 10 });
    expect(first).to.deep.include({ stopped: true, deleted: 1, reached: '2024/07/01/b' });
    expect(deletedKeys(dst.commandCalls(DeleteObjectsCommand))).to.deep.equal(['in/2024/07/01/b']);
    dst.resetHistory();
    src.resetHistory();
    const rest = await deleteExtras(clients, settings(), date, { startAfter: first.reached, deletedBefore: first.deleted, batchSize: 10 });
    expect(rest).to.deep.include({ stopped: false, deleted: 3, reached: '2024/07/01/f' });
    expect(deletedKeys(dst.commandCalls(DeleteObjectsCommand))).to.deep.equal(['in/2024/07/01/c', 'in/2024/07/01/e', 'in/2024/07/01/f']);
    // Both listings of the pass start after where it got (the source's first page is read once, for the empty-day check).
    const pages = dst.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(pages[0]!.StartAfter).to.equal('in/2024/07/01/b');
    expect(pages.every((p) => p.StartAfter !== undefined || p.ContinuationToken !== undefined)).to.equal(true);
  });

  it('never deletes more than EXACT_DAYS_MAX_DELETES in a day, over all its invocations: the batch over it is not sent', async () => {
    world(['2024/07/01/a'], ['in/2024/07/01/a', 'in/2024/07/01/b', 'in/2024/07/01/c', 'in/2024/07/01/d', 'in/2024/07/01/e']);
    const r = await deleteExtras(clients, settings({ exactDaysMaxDeletes: 3 }), date, { batchSize: 2, deletedBefore: 1 });
    expect(r).to.deep.include({ tooMany: true, deleted: 2, failed: 1, stopped: false });
    expect(r.failures[0]!.key).to.equal('in/2024/07/01/');
    expect(r.failures[0]!.error).to.include('EXACT_DAYS_MAX_DELETES (3)');
    expect(deletedKeys(dst.commandCalls(DeleteObjectsCommand))).to.deep.equal(['in/2024/07/01/b', 'in/2024/07/01/c']);
  });
});

describe('handler/copy/exactDay settleDayExtras (the rules, and the day\'s summary)', () => {
  const { clients, src, dst } = mockReplicationClients();
  const day = { date, prefix: '2024/07/01/', listed: 1, copied: 0, skipped: 1, failed: 0, archived: 0, bytesCopied: 0 };
  const base = { dryRun: false, failedSoFar: 0, extra: 1, extraKeys: ['in/2024/07/01/b'], sourceListed: true };
  beforeEach(() => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/07/01/a')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([o('in/2024/07/01/a'), o('in/2024/07/01/b')]));
    dst.on(DeleteObjectsCommand).resolves({});
  });

  it('records a day without extras with no request at all', async () => {
    const r = await settleDayExtras(clients, settings(), day, { ...base, extra: 0, extraKeys: [] });
    expect(r.summary).to.deep.equal({ ...day, extra: 0, deleted: 0, exactDays: true });
    expect(src.calls().length + dst.calls().length).to.equal(0);
  });

  it('keeps the extras, with the reason, after a failed copy, without exact days, from an empty source day, or in a dry run (which counts what it would delete)', async () => {
    expect((await settleDayExtras(clients, settings(), day, { ...base, failedSoFar: 1 })).summary).to.deep.include({ extra: 1, deleted: 0, notDeleted: 'copyFailed' });
    expect((await settleDayExtras(clients, settings({ exactDays: false }), day, base)).summary).to.deep.equal({ ...day, extra: 1, deleted: 0, extraKeys: ['in/2024/07/01/b'], notDeleted: 'exactDaysOff' });
    expect((await settleDayExtras(clients, settings(), day, { ...base, sourceListed: false })).summary).to.deep.include({ deleted: 0, notDeleted: 'emptySourceDay' });
    expect((await settleDayExtras(clients, settings(), day, { ...base, dryRun: true })).summary).to.deep.include({ extra: 1, deleted: 1, notDeleted: 'dryRun' });
    expect(src.calls().length + dst.calls().length).to.equal(0);
  });

  it('fails a day with more extras than the ceiling before any request, and a dry run shows it', async () => {
    const over = await settleDayExtras(clients, settings({ exactDaysMaxDeletes: 2 }), day, { ...base, extra: 3 });
    expect(over.summary).to.deep.include({ failed: 1, extra: 3, deleted: 0, notDeleted: 'tooMany' });
    expect(over.failures).to.deep.equal([tooManyFailure('in/2024/07/01/', '3', 2)]);
    expect(over.failures[0]!.error).to.match(/^3 extras under "in\/2024\/07\/01\/", more than EXACT_DAYS_MAX_DELETES \(2\)/);
    const dry = await settleDayExtras(clients, settings({ exactDaysMaxDeletes: 2 }), day, { ...base, extra: 3, dryRun: true });
    expect(dry.summary).to.deep.include({ failed: 0, deleted: 0, notDeleted: 'tooMany' });
    expect(src.calls().length + dst.calls().length).to.equal(0);
  });

  it('deletes, recording a delete failure as one more failure of the day, a broken listing as one', async () => {
    dst.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'in/2024/07/01/b', Code: 'InternalError', Message: 'x' }] });
    const r = await settleDayExtras(clients, settings(), day, base);
    expect(r.summary).to.deep.equal({ ...day, failed: 1, extra: 1, deleted: 0, extraKeys: ['in/2024/07/01/b'], exactDays: true });
    expect(r.failures).to.have.length(1);
    dst.on(ListObjectsV2Command).rejects(new Error('listing broke'));
    const broken = await settleDayExtras(clients, settings(), day, base);
    expect(broken.summary.failed).to.equal(1);
    expect(broken.failures[0]!.error).to.include('listing broke');
  });

  it('cut by the budget, says where the pass goes on and how far it got', async () => {
    dst.on(ListObjectsV2Command).callsFake(fakeList(['a', 'b', 'c', 'd'].map((k) => o(`in/2024/07/01/${k}`))));
    let asked = 0;
    const r = await settleDayExtras(clients, settings(), day, { ...base, extra: 3, shouldStop: () => ++asked > 3 });
    expect(r).to.deep.include({ stopped: true, pass: { after: '2024/07/01/b', extra: 3, deleted: 1, advanced: true } });
    expect(r.summary).to.deep.include({ extra: 3, deleted: 1 });
    const stuck = await settleDayExtras(clients, settings(), day, { ...base, extra: 3, resume: { after: '2024/07/01/b', extra: 3, deleted: 1 }, shouldStop: () => true });
    expect(stuck).to.deep.include({ stopped: true, pass: { after: '2024/07/01/b', extra: 3, deleted: 1, advanced: false } });
    const rest = await settleDayExtras(clients, settings(), day, { ...base, extra: 3, resume: { after: '2024/07/01/b', extra: 3, deleted: 1 } });
    expect(rest).to.deep.include({ stopped: false, pass: { after: '2024/07/01/d', extra: 3, deleted: 3, advanced: true } });
    expect(rest.summary).to.deep.include({ extra: 3, deleted: 2 });
  });
});

describe('handler/copy/runCopy with EXACT_DAYS (copies first, then deletes)', () => {
  const { clients, src, dst } = mockReplicationClients();
  const logger = createLogger([], () => undefined);
  const config = () => parseHandlerConfig(handlerEnv({ EXACT_DAYS: 'true', DESTINATION_PREFIX: 'in/' }));
  beforeEach(() => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/07/01/new-0'), o('2024/07/01/new-1')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([o('in/2024/07/01/old-0'), o('in/2024/07/01/old-1'), o('in/2024/07/01/old-2')]));
    dst.on(DeleteObjectsCommand).resolves({});
  });

  it('deletes the extras after the day\'s copies, and reports extra and deleted', async () => {
    dst.on(CopyObjectCommand).resolves({});
    const summary = await runEvent({ dates: [date] }, config(), clients, { logger });
    expect(summary.dates[0]).to.deep.include({ copied: 2, extra: 3, deleted: 3, exactDays: true });
    expect(summary).to.deep.include({ extra: 3, deleted: 3 });
    const order = dst.calls().map((c) => c.args[0].constructor.name).filter((n) => n !== 'ListObjectsV2Command');
    expect(order).to.deep.equal(['CopyObjectCommand', 'CopyObjectCommand', 'DeleteObjectsCommand']);
  });

  it('deletes nothing when a copy of the day failed', async () => {
    dst.on(CopyObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const err = await runEvent({ dates: [date] }, config(), clients, { logger }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ReplicationFailedError);
    expect((err as ReplicationFailedError).summary.dates[0]).to.deep.include({ failed: 2, extra: 3, deleted: 0, notDeleted: 'copyFailed' });
    expect(dst.commandCalls(DeleteObjectsCommand)).to.have.length(0);
  });

  it('deletes nothing when the time budget cut the day\'s copies', async () => {
    dst.on(CopyObjectCommand).resolves({});
    let asked = 0;
    await runEvent({ dates: [date] }, config(), clients, { logger, shouldStop: () => ++asked > 2 }).catch(() => undefined);
    expect(dst.commandCalls(DeleteObjectsCommand)).to.have.length(0);
  });

  it('costs no request more than without exact days on a day without extras (the copy walk counted none)', async () => {
    dst.on(CopyObjectCommand).resolves({});
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/07/01/a'), o('2024/07/01/b')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([o('in/2024/07/01/a'), o('in/2024/07/01/b')]));
    const requests = (): string[] => [...src.calls(), ...dst.calls()].map((c) => c.args[0].constructor.name).sort();
    const exact = await runEvent({ dates: [date] }, config(), clients, { logger });
    const withExact = requests();
    src.resetHistory();
    dst.resetHistory();
    const plain = await runEvent({ dates: [date] }, parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: 'in/' })), clients, { logger });
    expect(requests()).to.deep.equal(withExact).and.deep.equal(['ListObjectsV2Command', 'ListObjectsV2Command']);
    expect(exact.dates[0]).to.deep.include({ skipped: 2, extra: 0, deleted: 0, exactDays: true });
    expect(plain.dates[0]).to.deep.include({ skipped: 2, extra: 0, deleted: 0 });
  });

  it('fails a day with more extras than EXACT_DAYS_MAX_DELETES, copies first, deletes none', async () => {
    dst.on(CopyObjectCommand).resolves({});
    const err = await runEvent({ dates: [date] }, parseHandlerConfig(handlerEnv({ EXACT_DAYS: 'true', EXACT_DAYS_MAX_DELETES: '2', DESTINATION_PREFIX: 'in/' })), clients, { logger }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ReplicationFailedError);
    expect((err as ReplicationFailedError).summary.dates[0]).to.deep.include({ copied: 2, failed: 1, extra: 3, deleted: 0, notDeleted: 'tooMany' });
    expect((err as ReplicationFailedError).message).to.include('EXACT_DAYS_MAX_DELETES (2)');
    expect(dst.commandCalls(DeleteObjectsCommand)).to.have.length(0);
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(2);
  });

  it('a day waiting for upstream\'s ready key counts no extras and deletes nothing (its source is not the day yet)', async () => {
    const waiting = parseHandlerConfig(handlerEnv({ EXACT_DAYS: 'true', DESTINATION_PREFIX: 'in/', SOURCE_READY_KEY: '_SUCCESS' }));
    const summary = await runEvent({ dates: [date] }, waiting, clients, { logger });
    expect(summary.dates[0]).to.deep.include({ waiting: true, listed: 0 });
    expect(summary.dates[0]).to.not.have.property('extra');
    expect(dst.commandCalls(DeleteObjectsCommand)).to.have.length(0);
    expect(dst.commandCalls(ListObjectsV2Command)).to.have.length(0);
  });

  it('counts no excluded key as an extra, and deletes none (EXCLUDE)', async () => {
    dst.on(CopyObjectCommand).resolves({});
    dst.on(ListObjectsV2Command).callsFake(fakeList([o('in/2024/07/01/old-0'), o('in/2024/07/01/old-0.crc'), o('in/2024/07/01/_temporary/0/part')]));
    const summary = await runEvent({ dates: [date] }, parseHandlerConfig(handlerEnv({ EXACT_DAYS: 'true', DESTINATION_PREFIX: 'in/', EXCLUDE: '*.crc,_temporary/**' })), clients, { logger });
    expect(summary.dates[0]).to.deep.include({ copied: 2, extra: 1, deleted: 1 });
    expect(deletedKeys(dst.commandCalls(DeleteObjectsCommand))).to.deep.equal(['in/2024/07/01/old-0']);
  });

  it('in a dry run deletes nothing and counts what it would delete', async () => {
    const summary = await runEvent({ dates: [date], dryRun: true }, config(), clients, { logger });
    expect(summary.dates[0]).to.deep.include({ extra: 3, deleted: 3, notDeleted: 'dryRun' });
    expect(dst.commandCalls(DeleteObjectsCommand)).to.have.length(0);
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(0);
  });
});

describe('handler/fanOut/workBatch with EXACT_DAYS (only the day\'s last part deletes, and only when no part failed)', () => {
  const { clients, src, dst } = mockReplicationClients();
  const logger = createLogger([], () => undefined);
  const config = () => parseHandlerConfig(handlerEnv({ EXACT_DAYS: 'true', DESTINATION_PREFIX: 'in/', WORK_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/work' }));
  const sent: unknown[] = [];
  const queue = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/work', send: (items: readonly unknown[]) => { sent.push(...items); return Promise.resolve(); } };
  const record = (body: unknown) => ({ messageId: 'm1', body: JSON.stringify(body), eventSource: 'aws:sqs' as const });
  beforeEach(() => {
    sent.length = 0;
    src.on(ListObjectsV2Command).callsFake(fakeList(['a', 'b', 'c', 'd'].map((k) => o(`2024/07/01/${k}`))));
    dst.on(ListObjectsV2Command).callsFake(fakeList([o('in/2024/07/01/old-0'), o('in/2024/07/01/old-1')]));
    dst.on(CopyObjectCommand).resolves({});
    dst.on(DeleteObjectsCommand).resolves({});
  });

  it('a part cut by the budget hands the rest on and deletes nothing; the last part deletes', async () => {
    let asked = 0;
    const first = await runWorkBatch([record({ date })], config(), clients, queue, { logger, shouldStop: () => ++asked > 3 });
    expect(first.items[0]).to.deep.include({ outcome: 'continued' });
    expect(dst.commandCalls(DeleteObjectsCommand)).to.have.length(0);
    expect(first.summary.dates[0]).to.not.have.property('extra');
    const rest = await runWorkBatch([record(sent[0])], config(), clients, queue, { logger });
    expect(rest.items[0]).to.deep.include({ outcome: 'done' });
    expect(rest.summary.dates[0]).to.deep.include({ extra: 2, deleted: 2 });
  });

  it('counts each extra once over the parts of a day: a continuation carries those before its startAfter', async () => {
    // Extras between the source's keys: each part counts the ones before its last key's destination key.
    src.on(ListObjectsV2Command).callsFake(fakeList(['a', 'c', 'e', 'g'].map((k) => o(`2024/07/01/${k}`))));
    const destination = ['b', 'd', 'f', 'h'].map((k) => `in/2024/07/01/${k}`);
    dst.on(ListObjectsV2Command).callsFake(fakeList(destination.map((k) => o(k))));
    let asked = 0;
    const first = await runWorkBatch([record({ date })], config(), clients, queue, { logger, shouldStop: () => ++asked > 4 });
    expect(first.items[0]).to.deep.include({ outcome: 'continued' });
    const next = sent[0] as { startAfter: string; extraBefore?: number };
    const before = destination.filter((k) => k < `in/${next.startAfter}`).length;
    expect(before).to.be.greaterThan(0);
    expect(next.extraBefore).to.equal(before);
    const rest = await runWorkBatch([record(next)], config(), clients, queue, { logger });
    expect(rest.items[0]).to.deep.include({ outcome: 'done' });
    expect(rest.summary.dates[0]).to.deep.include({ extra: 4, deleted: 4 });
    expect(deletedKeys(dst.commandCalls(DeleteObjectsCommand))).to.deep.equal(destination);
  });

  it('a delete pass cut by the budget hands itself on; the continuation copies nothing and deletes the rest after where it got', async () => {
    const equal = ['a', 'b', 'c', 'd'].map((k) => o(`in/2024/07/01/${k}`));
    const extras = ['old-0', 'old-1', 'old-2', 'old-3', 'old-4'].map((k) => `in/2024/07/01/${k}`);
    dst.on(ListObjectsV2Command).callsFake(fakeList([...equal, ...extras.map((k) => o(k))]));
    // The budget runs out once the pass (the source's second listing of the day) has taken the first
    // extra: it asks before each destination object and each source object it moves on to (9 asks).
    const passStarted = (): boolean => src.commandCalls(ListObjectsV2Command).filter((c) => c.args[0].input.MaxKeys !== 1).length >= 2;
    let asked = 0;
    const first = await runWorkBatch([record({ date })], config(), clients, queue, { logger, shouldStop: () => passStarted() && ++asked > 9 });
    expect(first.items[0]).to.deep.include({ outcome: 'continued' });
    expect(first.summary.dates[0]).to.deep.include({ copied: 0, skipped: 4, extra: 5, deleted: 1 });
    expect(sent[0]).to.deep.equal({ date, startAfter: '2024/07/01/d', extraBefore: 5, deleting: true, deleteAfter: '2024/07/01/old-0', deletedBefore: 1 });
    dst.resetHistory();
    const rest = await runWorkBatch([record(sent[0])], config(), clients, queue, { logger });
    expect(rest.items[0]).to.deep.include({ outcome: 'done' });
    expect(rest.summary.dates[0]).to.deep.include({ listed: 0, copied: 0, extra: 5, deleted: 4 });
    expect(deletedKeys(dst.commandCalls(DeleteObjectsCommand))).to.deep.equal(extras.slice(1));
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(0);
    expect(dst.commandCalls(ListObjectsV2Command)[0]!.args[0].input.StartAfter).to.equal('in/2024/07/01/old-0');
  });

  it('the last part of a day whose earlier part failed a copy deletes nothing', async () => {
    const last = await runWorkBatch([record({ date, startAfter: '2024/07/01/b', failedBefore: 1, firstFailedKey: '2024/07/01/a' })], config(), clients, queue, { logger });
    expect(last.items[0]).to.deep.include({ outcome: 'failed' });
    expect(last.summary.dates[0]).to.deep.include({ extra: 2, deleted: 0, notDeleted: 'copyFailed' });
    expect(dst.commandCalls(DeleteObjectsCommand)).to.have.length(0);
  });
});
