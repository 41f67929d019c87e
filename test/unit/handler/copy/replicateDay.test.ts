import { expect } from 'chai';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  UploadPartCopyCommand,
  type CopyObjectCommandInput,
} from '@aws-sdk/client-s3';
import { MAX_FAILURES_PER_DAY, replicateDay } from '../../../../handler/copy/replicateDay.ts';
import type { IsoDate } from '../../../../rules/dates.ts';
import { compareKeys, type ObjectInfo } from '../../../../handler/copy/plan.ts';
import fc from 'fast-check';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { daySettings } from '../../../helpers/fixtures.ts';
import { mockReplicationClients } from '../../../helpers/awsMocks.ts';

const MiB = 1024 * 1024;
const date = '2024-01-01' as IsoDate; // not parsed at import: code run at import belongs to no test
const old = new Date('2024-01-02T00:00:00Z');
const settings = daySettings({ destinationPrefix: 'in/' });
const o = (key: string, size = 10, etag = `etag-${key}`): ObjectInfo => ({ key, size, etag, lastModified: old });
const keyOf = (input: CopyObjectCommandInput): string => decodeURIComponent(input.CopySource!.slice('src/'.length));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('handler/replicateDay (copy engine)', () => {
  const { clients, src, dst } = mockReplicationClients();

  it('copies what is missing or changed, skips what is equal, leaves destination-only objects alone', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/01/01/a'), o('2024/01/01/b'), o('2024/01/01/c', 20), o('2024/01/02/next-day'), o('2023/12/31/z')], 2));
    dst.on(ListObjectsV2Command).callsFake(fakeList([{ ...o('2024/01/01/b'), key: 'in/2024/01/01/b' }, { ...o('2024/01/01/c', 10), key: 'in/2024/01/01/c' }, { ...o('x'), key: 'in/2024/01/01/only-here' }], 2));
    dst.on(CopyObjectCommand).resolves({});
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.equal({ date: '2024-01-01', prefix: '2024/01/01/', listed: 3, copied: 2, skipped: 1, failed: 0, archived: 0, bytesCopied: 30 });
    expect(r).to.deep.include({ complete: true, lastKey: '2024/01/01/c', failures: [] });
    expect(dst.commandCalls(CopyObjectCommand).map((c) => [keyOf(c.args[0].input), c.args[0].input.Key]).sort()).to.deep.equal([
      ['2024/01/01/a', 'in/2024/01/01/a'],
      ['2024/01/01/c', 'in/2024/01/01/c'],
    ]);
    // Source listed with the function's credentials, destination with the assumed ones, each under its own prefix.
    expect(src.commandCalls(ListObjectsV2Command).every((c) => c.args[0].input.Bucket === 'src' && c.args[0].input.Prefix === '2024/01/01/')).to.equal(true);
    expect(dst.commandCalls(ListObjectsV2Command).every((c) => c.args[0].input.Bucket === 'dst' && c.args[0].input.Prefix === 'in/2024/01/01/')).to.equal(true);
    expect(src.commandCalls(CopyObjectCommand)).to.have.length(0);
  });

  it('copies a source object missing at the destination when the destination page ends right before it, and its neighbour is the same size and newer', async () => {
    const newer = new Date('2024-01-03T00:00:00Z');
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/01/01/a'), o('2024/01/01/b'), o('2024/01/01/c')], 1));
    // One key per page: the page with in/…/a ends, the next page starts at in/…/c (b's neighbour).
    dst.on(ListObjectsV2Command).callsFake(fakeList([{ ...o('2024/01/01/a'), key: 'in/2024/01/01/a' }, { key: 'in/2024/01/01/c', size: 10, etag: 'other', lastModified: newer }], 1));
    dst.on(CopyObjectCommand).resolves({});
    const r = await replicateDay(clients, settings, { date });
    expect(dst.commandCalls(CopyObjectCommand).map((c) => c.args[0].input.Key)).to.deep.equal(['in/2024/01/01/b']);
    expect(r.summary).to.deep.include({ listed: 3, copied: 1, skipped: 2, failed: 0 });
  });

  it('keeps going when one object fails, and reports it', async () => {
    const keys = Array.from({ length: 10 }, (_, i) => `2024/01/01/k${i}`);
    src.on(ListObjectsV2Command).callsFake(fakeList(keys.map((k) => o(k))));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(CopyObjectCommand).callsFake(async (input: CopyObjectCommandInput) => {
      await sleep(1);
      if (keyOf(input) === '2024/01/01/k3') throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
      return {};
    });
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ listed: 10, copied: 9, failed: 1, bytesCopied: 90 });
    expect(r.failures).to.have.length(1);
    expect(r.failures[0]!.key).to.equal('2024/01/01/k3');
    expect(r.failures[0]!.error).to.match(/CopyObject s3:\/\/src\/2024\/01\/01\/k3 .* failed: AccessDenied: Access Denied/);
    expect(r.complete).to.equal(true);
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(10);
  });

  it('never has more than COPY_CONCURRENCY copies in flight', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList(Array.from({ length: 40 }, (_, i) => o(`2024/01/01/${i}`))));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    let now = 0;
    let max = 0;
    dst.on(CopyObjectCommand).callsFake(async () => {
      max = Math.max(max, ++now);
      await sleep(2);
      now--;
      return {};
    });
    const r = await replicateDay(clients, { ...settings, copyConcurrency: 3 }, { date });
    expect(r.summary.copied).to.equal(40);
    expect(max).to.equal(3);
  });

  it('by default starts at 16 copies in flight under a higher COPY_CONCURRENCY, and halves them on the clients\' throttling answers', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList(Array.from({ length: 200 }, (_, i) => o(`2024/01/01/${String(i).padStart(3, '0')}`))));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    const throttles = { count: 0 };
    let now = 0;
    const inFlightAtStart: number[] = [];
    // S3 answers every copy SlowDown once before it succeeds (as the clients' counter sees it).
    dst.on(CopyObjectCommand).callsFake(async () => {
      inFlightAtStart.push(++now);
      throttles.count++;
      await sleep(2);
      now--;
      return {};
    });
    const r = await replicateDay({ ...clients, throttles }, { ...settings, copyConcurrency: 62 }, { date });
    expect(r.summary.copied).to.equal(200);
    expect(Math.max(...inFlightAtStart)).to.equal(16);
    // Halved once per round of copies in flight, down to one at a time.
    expect(Math.max(...inFlightAtStart.slice(-50))).to.equal(1);
  });

  it('asks the write pacer before each copy, and starts no copy before a pacer\'s wait is over; not in a dry run', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/01/01/a'), o('2024/01/01/b'), o('2024/01/01/c'), o('2024/01/01/d')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([{ ...o('2024/01/01/b'), key: 'in/2024/01/01/b' }]));
    const events: string[] = [];
    dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => {
      events.push(`copy ${keyOf(input)}`);
      return {};
    });
    let asked = 0;
    // The third copy must wait for the pacer: its copy may not start before the wait resolves.
    const beforeCopy = (): Promise<void> | undefined => {
      asked++;
      events.push(`pace ${asked}`);
      return asked === 2 ? sleep(20).then(() => void events.push('waited')) : undefined;
    };
    const r = await replicateDay(clients, { ...settings, copyConcurrency: 8 }, { date, beforeCopy });
    expect(r.summary).to.deep.include({ copied: 3, skipped: 1 });
    expect(events).to.deep.equal(['pace 1', 'copy 2024/01/01/a', 'pace 2', 'waited', 'copy 2024/01/01/c', 'pace 3', 'copy 2024/01/01/d']);
    asked = 0;
    await replicateDay(clients, settings, { date, dryRun: true, beforeCopy });
    expect(asked).to.equal(0);
  });

  it('holds a day to S3\'s 3,500 copies per second per prefix by default', async () => {
    const keys = Array.from({ length: 3502 }, (_, i) => o(`2024/01/01/${String(i).padStart(5, '0')}`));
    src.on(ListObjectsV2Command).callsFake(fakeList(keys));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    const starts: number[] = [];
    dst.on(CopyObjectCommand).callsFake(() => {
      starts.push(performance.now());
      return {};
    });
    const called = performance.now();
    const r = await replicateDay(clients, { ...settings, copyConcurrency: 256 }, { date });
    expect(r.summary.copied).to.equal(3502);
    // The 3,501st copy starts a second after the first was let go, whatever the copies in flight.
    // Counted from the call: the first copy reaches S3 later than the pacer lets it go (its SDK
    // stack runs first; 11 ms under load), so from its arrival the second came out 988.7 ms.
    expect(starts[3500]! - called).to.be.at.least(999);
  });

  it('copies objects above the threshold in parts, with the destination credentials', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/01/01/big', 12 * MiB), o('2024/01/01/small', 8 * MiB)]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(CopyObjectCommand).resolves({});
    dst.on(HeadObjectCommand).resolves({ ContentLength: 12 * MiB, ETag: '"x"' });
    dst.on(GetObjectTaggingCommand).resolves({ TagSet: [] });
    dst.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u' });
    dst.on(UploadPartCopyCommand).resolves({ CopyPartResult: { ETag: '"p"' } });
    dst.on(CompleteMultipartUploadCommand).resolves({});
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ copied: 2, bytesCopied: 20 * MiB });
    expect(dst.commandCalls(UploadPartCopyCommand)).to.have.length(3);
    expect(dst.commandCalls(CopyObjectCommand).map((c) => c.args[0].input.Key)).to.deep.equal(['in/2024/01/01/small']);
  });

  it('in a dry run counts what it would copy and copies nothing', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/01/01/a'), o('2024/01/01/b', 20 * MiB)]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([{ ...o('2024/01/01/a'), key: 'in/2024/01/01/a' }]));
    const r = await replicateDay(clients, settings, { date, dryRun: true });
    expect(r.summary).to.deep.include({ listed: 2, copied: 1, skipped: 1, bytesCopied: 20 * MiB });
    expect(dst.calls().map((c) => c.args[0].constructor.name)).to.deep.equal(['ListObjectsV2Command']);
  });

  it('stops at the time budget, lets copies in flight finish, and resumes from lastKey without copying anything twice', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `2024/01/01/${String(i).padStart(2, '0')}`);
    src.on(ListObjectsV2Command).callsFake(fakeList(keys.map((k) => o(k)), 7));
    dst.on(ListObjectsV2Command).callsFake(fakeList([{ ...o(keys[1]!), key: `in/${keys[1]}` }], 7));
    const finished: string[] = [];
    dst.on(CopyObjectCommand).callsFake(async (input: CopyObjectCommandInput) => {
      const k = keyOf(input);
      // Earlier keys take longer, so copies finish out of order.
      await sleep(30 - Number(k.slice(-2)));
      finished.push(k);
      return {};
    });
    // Stop once eleven copies were sent (the budget is asked before listing pages too, so count copies, not asks).
    const first = await replicateDay(clients, settings, { date, shouldStop: () => dst.commandCalls(CopyObjectCommand).length >= 11 });
    expect(first.complete).to.equal(false);
    expect(first.summary).to.deep.include({ listed: 12, copied: 11, skipped: 1 });
    expect(first.lastKey).to.equal(keys[11]);
    // Out of order, yet every key handled by the first run is at or before lastKey.
    expect(finished).not.to.deep.equal([...finished].sort());
    expect(finished.every((k) => k <= first.lastKey!)).to.equal(true);

    const second = await replicateDay(clients, settings, { date, startAfter: first.lastKey });
    expect(second).to.deep.include({ complete: true, lastKey: keys[29] });
    expect(second.summary).to.deep.include({ listed: 18, copied: 18, skipped: 0 });
    const copiedKeys = dst.commandCalls(CopyObjectCommand).map((c) => keyOf(c.args[0].input));
    expect(copiedKeys.length).to.equal(29);
    expect(new Set(copiedKeys).size).to.equal(29);
    expect(dst.commandCalls(ListObjectsV2Command).at(-1)!.args[0].input).to.satisfy((i: { StartAfter?: string; ContinuationToken?: string }) => i.StartAfter === `in/${keys[11]}` || i.ContinuationToken !== undefined);
    expect(src.commandCalls(ListObjectsV2Command).some((c) => c.args[0].input.StartAfter === keys[11])).to.equal(true);
  });

  it('reports lastKey as the end of the finished run of keys, not the last key to finish', async () => {
    const keys = ['2024/01/01/a', '2024/01/01/b', '2024/01/01/c'];
    src.on(ListObjectsV2Command).callsFake(fakeList(keys.map((k) => o(k))));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    let release: () => void = () => undefined;
    const aBlocked = new Promise<void>((r) => { release = r; });
    dst.on(CopyObjectCommand).callsFake(async (input: CopyObjectCommandInput) => {
      if (keyOf(input) === '2024/01/01/a') await aBlocked;
      return {};
    });
    let calls = 0;
    // Stop before the third object; then a is still copying while b is done.
    const run = replicateDay(clients, settings, { date, startAfter: '2024/01/00/zz', shouldStop: () => ++calls > 2 });
    await sleep(5);
    release();
    const r = await run;
    // b finished before a; a naive "last key to finish" would say a.
    expect(r).to.deep.include({ complete: false, lastKey: '2024/01/01/b' });
  });

  it('returns startAfter as lastKey when it stops before handling anything', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/01/01/a')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    const r = await replicateDay(clients, settings, { date, startAfter: '2024/01/01/', shouldStop: () => true });
    expect(r).to.deep.include({ complete: false, lastKey: '2024/01/01/' });
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(0);
  });

  it('lets copies in flight finish before a listing failure is thrown', async () => {
    let page = 0;
    src.on(ListObjectsV2Command).callsFake(async () => {
      if (page++ === 0) return { Contents: [{ Key: '2024/01/01/a', Size: 1, ETag: '"e"' }], IsTruncated: true, NextContinuationToken: 't' };
      await sleep(1);
      throw Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' });
    });
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    let done = false;
    dst.on(CopyObjectCommand).callsFake(async () => {
      await sleep(20);
      done = true;
      return {};
    });
    const err = await replicateDay(clients, settings, { date }).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('listing s3://src/2024/01/01/ failed: InternalError: We encountered an internal error');
    expect(done).to.equal(true);
  });
});

describe('handler/replicateDay (bounds: issue 15)', () => {
  const { clients, src, dst } = mockReplicationClients();

  it('takes no more than maxPendingKeys keys past a copy that is still in flight, then finishes the day', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `2024/01/01/${String(i).padStart(3, '0')}`);
    src.on(ListObjectsV2Command).callsFake(fakeList(keys.map((k) => o(k)), 10));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    let release: () => void = () => undefined;
    const firstBlocked = new Promise<void>((r) => { release = r; });
    dst.on(CopyObjectCommand).callsFake(async (input: CopyObjectCommandInput) => {
      if (keyOf(input) === keys[0]) await firstBlocked;
      return {};
    });
    const run = replicateDay(clients, settings, { date, maxPendingKeys: 30 });
    // Give the walk every chance to run ahead while the first copy hangs.
    for (let i = 0; i < 50; i++) await sleep(1);
    const startedWhileBlocked = dst.commandCalls(CopyObjectCommand).length;
    expect(startedWhileBlocked).to.be.at.most(30);
    expect(startedWhileBlocked).to.be.at.least(2);
    release();
    const r = await run;
    expect(r.summary).to.deep.include({ listed: 200, copied: 200, failed: 0 });
    expect(r).to.deep.include({ complete: true, lastKey: keys[199] });
  });

  it('keeps the count of every failure but only the first MAX_FAILURES_PER_DAY of them', async () => {
    const keys = Array.from({ length: MAX_FAILURES_PER_DAY + 50 }, (_, i) => `2024/01/01/${String(i).padStart(4, '0')}`);
    src.on(ListObjectsV2Command).callsFake(fakeList(keys.map((k) => o(k))));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(CopyObjectCommand).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ listed: keys.length, failed: keys.length, copied: 0 });
    expect(r.failures).to.have.length(MAX_FAILURES_PER_DAY);
  });

  it('asks the budget while it walks destination-only keys, and stops there', async () => {
    // A partner's own files sort before the day's one source key.
    const destOnly = Array.from({ length: 5000 }, (_, i) => ({ ...o(`2024/01/01/0-${String(i).padStart(5, '0')}`), key: `in/2024/01/01/0-${String(i).padStart(5, '0')}` }));
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/01/01/z')]));
    dst.on(ListObjectsV2Command).callsFake(fakeList(destOnly));
    dst.on(CopyObjectCommand).resolves({});
    const r = await replicateDay(clients, settings, { date, shouldStop: () => dst.commandCalls(ListObjectsV2Command).length >= 2 });
    expect(r).to.deep.include({ complete: false, lastKey: undefined });
    expect(r.summary.listed).to.equal(0);
    // One page read, the next prefetched; the other three were never asked for.
    expect(dst.commandCalls(ListObjectsV2Command).length).to.be.at.most(3);
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(0);
  });

  it('asks the budget before every listing page: empty pages with a fresh token each end at the budget, the day not complete (issue 22)', async () => {
    // A hostile endpoint: IsTruncated, no object, a new continuation token on every page.
    let pages = 0;
    src.on(ListObjectsV2Command).callsFake(() => ({ IsTruncated: true, NextContinuationToken: `t${++pages}`, Contents: [] }));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    let asked = 0;
    const r = await replicateDay(clients, settings, { date, shouldStop: () => ++asked > 20 });
    expect(r).to.deep.include({ complete: false, lastKey: undefined });
    expect(r.summary.listed).to.equal(0);
    // The first page, then one more for each of the 20 answers that said go on.
    expect(pages).to.equal(21);
    expect(asked).to.equal(21);
  });

  it('a source listing that repeats its continuation token fails the day as a protocol error, after one repeat (issue 22)', async () => {
    src.on(ListObjectsV2Command).resolves({ IsTruncated: true, NextContinuationToken: 'same', Contents: [] });
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    const err = await replicateDay(clients, settings, { date }).catch((e: unknown) => e);
    expect((err as Error).name).to.equal('ListingProtocolError');
    expect(src.commandCalls(ListObjectsV2Command)).to.have.length(2);
  });
});

describe('handler/replicateDay extras (destination-only objects, counted by the walk itself)', () => {
  const { clients, src, dst } = mockReplicationClients();

  it('counts and names the day\'s extras, none of them the marker or another day\'s, with no request of their own', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([o('2024/01/01/b'), o('2024/01/01/d')], 2));
    const same = (k: string): ObjectInfo => ({ ...o(`2024/01/01/${k}`), key: `in/2024/01/01/${k}` });
    dst.on(ListObjectsV2Command).callsFake(fakeList([
      { ...o('x'), key: 'in/2024/01/01/a' }, same('b'), { ...o('x'), key: 'in/2024/01/01/c' }, same('d'), { ...o('x'), key: 'in/2024/01/01/_S3PUSH_COMPLETE.json' },
      { ...o('x'), key: 'in/2024/01/01/e' }, { ...o('x'), key: 'in/2024/01/02/next-day' },
    ], 2));
    const r = await replicateDay(clients, settings, { date });
    expect(r).to.deep.include({ complete: true, extra: 3, extraKeys: ['in/2024/01/01/a', 'in/2024/01/01/c', 'in/2024/01/01/e'] });
    expect(r.summary).to.deep.include({ listed: 2, skipped: 2, copied: 0 });
    // Two pages a side, as the walk that compares the day needs anyway.
    expect(src.commandCalls(ListObjectsV2Command)).to.have.length(1);
    expect(dst.commandCalls(ListObjectsV2Command)).to.have.length(3);
  });

  it('counts every destination object of an empty source day', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(ListObjectsV2Command).callsFake(fakeList(['a', 'b', 'c'].map((k) => ({ ...o('x'), key: `in/2024/01/01/${k}` }))));
    expect(await replicateDay(clients, settings, { date, dryRun: true })).to.deep.include({ complete: true, extra: 3 });
  });

  it('over the parts of a day, counts each extra once, however the budget cuts it (property)', async function () {
    // Each run walks a whole day in up to 50 parts through the mocked client: seconds on a loaded machine.
    this.timeout(60_000);
    dst.on(CopyObjectCommand).resolves({});
    const name = fc.stringMatching(/^[a-e]{1,3}$/);
    await fc.assert(fc.asyncProperty(fc.uniqueArray(name, { maxLength: 10 }), fc.uniqueArray(name, { maxLength: 10 }), fc.integer({ min: 2, max: 6 }), async (source, destination, budget) => {
      src.on(ListObjectsV2Command).callsFake(fakeList(source.map((k) => o(`2024/01/01/${k}`)), 2));
      dst.on(ListObjectsV2Command).callsFake(fakeList(destination.map((k) => ({ ...o(`2024/01/01/${k}`), key: `in/2024/01/01/${k}` })), 2));
      let startAfter: string | undefined;
      let extra = 0;
      const keys: string[] = [];
      let allowed = budget;
      for (let part = 0; part < 50; part++) {
        let asked = 0;
        const r = await replicateDay(clients, settings, { date, startAfter, shouldStop: () => ++asked > allowed });
        extra += r.extra;
        keys.push(...r.extraKeys);
        if (r.complete) break;
        // A part that handled no key would be this part again (the fan-out fails such an item): a longer budget.
        if (r.lastKey === startAfter) allowed *= 2;
        startAfter = r.lastKey;
      }
      const expected = destination.filter((k) => !source.includes(k)).map((k) => `in/2024/01/01/${k}`).sort(compareKeys);
      expect(extra).to.equal(expected.length);
      // Each part names its own first extras: together, never one twice.
      expect(new Set(keys).size).to.equal(keys.length);
      for (const k of keys) expect(expected).to.include(k);
    }), { numRuns: 60 });
  });
});
