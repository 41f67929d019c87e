import { expect } from 'chai';
import { CopyObjectCommand, DeleteObjectsCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { advanced, continuationOf, runDayPart, type DayPartOptions } from '../../../../handler/copy/dayPart.ts';
import { parseHandlerConfig, type HandlerConfig } from '../../../../handler/config.ts';
import { createLogger } from '../../../../handler/logger.ts';
import type { ObjectInfo } from '../../../../handler/copy/plan.ts';
import type { WorkItem } from '../../../../handler/fanOut/workItems.ts';
import type { IsoDate } from '../../../../rules/dates.ts';
import { mockReplicationClients } from '../../../helpers/awsMocks.ts';
import { awsError } from '../../../helpers/errors.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { handlerEnv } from '../../../helpers/fixtures.ts';

const date = '2024-01-01' as IsoDate;
const o = (name: string): ObjectInfo => ({ key: `2024/01/01/${name}`, size: 10, etag: `e-${name}`, lastModified: new Date('2024-01-02T00:00:00Z') });

describe('handler/copy/dayPart', () => {
  const { clients, src, dst } = mockReplicationClients();
  let config: HandlerConfig;
  before(() => {
    config = { ...parseHandlerConfig({ ...handlerEnv(), DESTINATION_PREFIX: '', DAY_MARKER: 'true' }), sourceBucket: 'src', destinationBucket: 'dst' };
  });
  const lines: string[] = [];
  const options = (more: Partial<DayPartOptions> = {}): DayPartOptions => ({ logger: createLogger([], (l) => lines.push(l)), ...more });
  /** The source holds `source`; the destination lists `destination` (a copy made now does not show in it). */
  function world(source: ObjectInfo[], destination: ObjectInfo[]): void {
    src.on(ListObjectsV2Command).callsFake(fakeList(source));
    dst.on(ListObjectsV2Command).callsFake(fakeList(destination));
    dst.on(CopyObjectCommand).resolves({});
    dst.on(HeadObjectCommand).rejects(awsError('NotFound', 404, 'Not Found'));
    dst.on(PutObjectCommand).resolves({});
  }
  beforeEach(() => { lines.length = 0; });

  it("logs one WARN line when S3 throttled the part's copies (with the back-offs and the copies in flight), and none when it did not", async () => {
    const keys = Array.from({ length: 120 }, (_, i) => o(String(i).padStart(3, '0')));
    world(keys, []);
    const throttles = { count: 0 };
    // S3 answers every copy SlowDown once before it succeeds, as the clients' counter sees it.
    dst.on(CopyObjectCommand).callsFake(async () => {
      throttles.count++;
      await new Promise((r) => setTimeout(r, 1));
      return {};
    });
    await runDayPart({ ...clients, throttles }, { ...config, dayMarker: false }, { date }, options());
    const warned = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 's3-push throttled by S3');
    expect(warned).to.have.length(1);
    expect(warned[0]).to.deep.include({ level: 'WARN', date });
    expect(warned[0]!.backoffs).to.be.a('number').and.at.least(1);
    expect(warned[0]!.copiesInFlight).to.deep.include({ cap: config.copyConcurrency, start: 16, peak: 16, end: 1 });
    lines.length = 0;
    dst.on(CopyObjectCommand).resolves({});
    await runDayPart({ ...clients, throttles }, { ...config, dayMarker: false }, { date }, options());
    expect(lines.filter((l) => l.includes('throttled'))).to.deep.equal([]);
  });

  it('writes the marker of a complete day, and the part is complete', async () => {
    world([o('a')], [o('a')]);
    const part = await runDayPart(clients, config, { date }, options());
    expect(part.complete).to.equal(true);
    expect(part.day).to.deep.include({ listed: 1, skipped: 1, marker: 'written' });
    expect(part.failures).to.deep.equal([]);
    expect(dst.commandCalls(PutObjectCommand)).to.have.length(1);
  });

  it('passes the exclusions and the left-out rule to the marker: without them an object missing at the destination makes it incomplete', async () => {
    // "b" is copied, but the destination's listing does not show it: the marker's walk finds it missing.
    world([o('a'), o('b')], [o('a')]);
    expect((await runDayPart(clients, config, { date }, options())).day).to.deep.include({ marker: 'incomplete', markerMissing: '2024/01/01/b' });
    const excluded = await runDayPart(clients, config, { date }, options({ isExcluded: (key) => key.endsWith('/b') }));
    expect(excluded.day).to.deep.include({ marker: 'written' });
    const leftOut = await runDayPart(clients, config, { date }, options({ leftOut: (s) => (s.key.endsWith('/b') ? 'tooLong' : undefined) }));
    expect(leftOut.day).to.deep.include({ marker: 'written' });
    const body = dst.commandCalls(PutObjectCommand).at(-1)!.args[0].input.Body as Buffer;
    expect(JSON.parse(body.toString('utf8'))).to.deep.include({ leftOut: { count: 1, first: [{ key: '2024/01/01/b', reason: 'tooLong' }] } });
  });

  for (const [why, part] of [
    ['a dry run', { date, dryRun: true }],
    ['a failure in an earlier part of the day', { date, startAfter: '2024/01/01/0', failedBefore: 1 }],
    ['an archived object in an earlier part of the day', { date, startAfter: '2024/01/01/0', archivedBefore: 1 }],
  ] as const) {
    it(`writes no marker after ${why}, and the part is still complete`, async () => {
      world([o('a')], [o('a')]);
      const r = await runDayPart(clients, config, part, options());
      expect(r.complete).to.equal(true);
      expect(r.day).not.to.have.property('marker');
      expect(dst.commandCalls(PutObjectCommand)).to.have.length(0);
    });
  }

  it('writes no marker when DAY_MARKER is off', async () => {
    world([o('a')], [o('a')]);
    const r = await runDayPart(clients, { ...config, dayMarker: false }, { date }, options());
    expect(r.day).not.to.have.property('marker');
    expect(dst.commandCalls(HeadObjectCommand)).to.have.length(0);
  });

  it("is not complete when the marker's walk runs out of time, though every object was handled", async () => {
    world([o('a')], [o('a')]);
    // The copy lists the source once; the marker's walk lists it again, and the budget is gone by then.
    const r = await runDayPart(clients, config, { date }, options({ shouldStop: () => src.commandCalls(ListObjectsV2Command).length > 1 }));
    expect(r.result?.complete).to.equal(true);
    expect(r.complete).to.equal(false);
    expect(r.day).to.deep.include({ marker: 'stopped' });
  });

  it('with exact days, a marker walk cut after the delete pass hands the day on past the pass: the rest deletes nothing again and writes the marker', async () => {
    world([o('a')], [o('a'), o('x')]);
    dst.on(DeleteObjectsCommand).resolves({});
    const exact = { ...config, exactDays: true };
    // Listings of the day (lookups before a delete list one key): the copy walk's, the delete pass's, then the marker's.
    const dayListings = () => src.commandCalls(ListObjectsV2Command).filter((c) => c.args[0].input.MaxKeys !== 1).length;
    const part = await runDayPart(clients, exact, { date }, options({ shouldStop: () => dayListings() > 2 }));
    expect(part).to.deep.include({ complete: false, deletePass: { after: '2024/01/01/x', extra: 1, deleted: 1, advanced: true } });
    expect(part.day).to.deep.include({ extra: 1, deleted: 1, marker: 'stopped' });
    const rest = continuationOf({ date }, part.result!.lastKey!, { failed: 0, firstFailedKey: undefined, archived: 0, extra: part.result!.extra }, part.deletePass);
    expect(rest).to.deep.equal({ date, startAfter: '2024/01/01/a', extraBefore: 1, deleting: true, deleteAfter: '2024/01/01/x', deletedBefore: 1 });
    src.resetHistory();
    dst.resetHistory();
    const last = await runDayPart(clients, exact, rest, options());
    expect(last.complete).to.equal(true);
    expect(last.day).to.deep.include({ listed: 0, extra: 1, deleted: 0, marker: 'written' });
    expect(dst.commandCalls(DeleteObjectsCommand)).to.have.length(0);
    expect(dst.commandCalls(CopyObjectCommand)).to.have.length(0);
  });

  it('counts a day that cannot be listed as one failure keyed by its prefix, not complete', async () => {
    src.on(ListObjectsV2Command).rejects(awsError('AccessDenied', 403, 'Access Denied'));
    const r = await runDayPart(clients, config, { date }, options());
    expect(r.result).to.equal(undefined);
    expect(r.complete).to.equal(false);
    expect(r.day).to.deep.equal({ date, prefix: '2024/01/01/', listed: 0, copied: 0, skipped: 0, failed: 1, archived: 0, bytesCopied: 0 });
    expect(r.failures).to.have.length(1);
    expect(r.failures[0]!.key).to.equal('2024/01/01/');
    expect(r.error).to.equal(r.failures[0]!.error).and.to.include('AccessDenied');
  });

  it('says a part advanced only when it handled a key past its startAfter', () => {
    expect(advanced({}, { lastKey: 'k' })).to.equal(true);
    expect(advanced({}, { lastKey: undefined })).to.equal(false);
    expect(advanced({ startAfter: 'k' }, { lastKey: 'k' })).to.equal(false);
    expect(advanced({ startAfter: 'k' }, { lastKey: 'l' })).to.equal(true);
  });

  it("hands on the rest of a day with the failures and archived objects of every part so far, the dry run and the schedule", () => {
    expect(continuationOf({ date }, 'k', { failed: 0, firstFailedKey: undefined, archived: 0 })).to.deep.equal({ date, startAfter: 'k' });
    const earlier: WorkItem = { date, startAfter: 'a', dryRun: true, scheduled: true, failedBefore: 2, firstFailedKey: 'x', archivedBefore: 1 };
    expect(continuationOf(earlier, 'k', { failed: 1, firstFailedKey: 'y', archived: 3 }))
      .to.deep.equal({ date, startAfter: 'k', dryRun: true, failedBefore: 3, firstFailedKey: 'x', archivedBefore: 4, scheduled: true });
    expect(continuationOf({ date }, 'k', { failed: 1, firstFailedKey: 'y', archived: 0 })).to.deep.equal({ date, startAfter: 'k', failedBefore: 1, firstFailedKey: 'y' });
    expect(continuationOf({ date }, 'k', { failed: 1, firstFailedKey: undefined, archived: 0 })).to.deep.equal({ date, startAfter: 'k', failedBefore: 1 });
  });
});
