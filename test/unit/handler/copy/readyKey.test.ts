import { expect } from 'chai';
import { CopyObjectCommand, ListObjectsV2Command, type CopyObjectCommandInput } from '@aws-sdk/client-s3';
import { replicateDay } from '../../../../handler/copy/replicateDay.ts';
import type { IsoDate } from '../../../../rules/dates.ts';
import type { ObjectInfo } from '../../../../handler/copy/plan.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { daySettings } from '../../../helpers/fixtures.ts';
import { mockReplicationClients } from '../../../helpers/awsMocks.ts';

const date = '2024-01-01' as IsoDate;
const o = (key: string): ObjectInfo => ({ key, size: 10, etag: `etag-${key}`, lastModified: new Date('2024-01-02T00:00:00Z') });
const keyOf = (input: CopyObjectCommandInput): string => decodeURIComponent(input.CopySource!.slice('src/'.length));
// _SUCCESS sorts before part-*: upstream's own order would copy it among the first.
const DAY = ['2024/01/01/_SUCCESS', ...Array.from({ length: 40 }, (_, i) => `2024/01/01/part-${String(i).padStart(5, '0')}.parquet`)];

describe('handler/replicateDay with SOURCE_READY_KEY (requests in order, at the SDK)', () => {
  const { clients, src, dst } = mockReplicationClients();
  const settings = daySettings({ sourceReadyKey: '_SUCCESS', copyConcurrency: 8 });

  it('a day without the ready key is waiting: one listing request, nothing else', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList(DAY.slice(1).map(o)));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ waiting: true, listed: 0, copied: 0 });
    expect(r.complete).to.equal(true);
    expect(src.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input.Prefix)).to.deep.equal(['2024/01/01/_SUCCESS']);
    expect(dst.calls()).to.have.length(0);
  });

  it('copies every other object first and the ready key in the last request of the day', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList(DAY.map(o), 7));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    // Some copies slower than others: the order of completion is not the order of the walk.
    dst.on(CopyObjectCommand).callsFake(async () => new Promise((resolve) => setTimeout(() => resolve({}), Math.random() * 5)));
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ listed: 41, copied: 41, failed: 0, ready: 'copied' });
    const calls = dst.calls();
    expect(keyOf(calls.at(-1)!.args[0].input as CopyObjectCommandInput)).to.equal('2024/01/01/_SUCCESS');
    expect(dst.commandCalls(CopyObjectCommand).filter((c) => keyOf(c.args[0].input) === '2024/01/01/_SUCCESS')).to.have.length(1);
  });

  it('holds the ready key back when an object of the day failed, or an earlier part had a failure', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList(DAY.map(o)));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(CopyObjectCommand).callsFake((input: CopyObjectCommandInput) => {
      if (keyOf(input).endsWith('part-00007.parquet')) return Promise.reject(Object.assign(new Error('AccessDenied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
      return Promise.resolve({});
    });
    const r = await replicateDay(clients, settings, { date });
    expect(r.summary).to.deep.include({ failed: 1, ready: 'held' });
    expect(dst.commandCalls(CopyObjectCommand).map((c) => keyOf(c.args[0].input))).not.to.include('2024/01/01/_SUCCESS');
    dst.reset();
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(CopyObjectCommand).resolves({});
    // The rest of a day after a part with a failure: no ready key either.
    const rest = await replicateDay(clients, settings, { date, startAfter: '2024/01/01/part-00030.parquet', earlierProblems: 1 });
    expect(rest.summary).to.deep.include({ ready: 'held' });
    expect(dst.commandCalls(CopyObjectCommand).map((c) => keyOf(c.args[0].input))).not.to.include('2024/01/01/_SUCCESS');
  });

  it('a continuation does not wait again, and ends the day with the ready key', async () => {
    src.on(ListObjectsV2Command).callsFake(fakeList(DAY.map(o)));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    dst.on(CopyObjectCommand).resolves({});
    const rest = await replicateDay(clients, settings, { date, startAfter: '2024/01/01/part-00035.parquet' });
    expect(dst.commandCalls(CopyObjectCommand).map((c) => keyOf(c.args[0].input))).to.deep.equal([
      '2024/01/01/part-00036.parquet', '2024/01/01/part-00037.parquet', '2024/01/01/part-00038.parquet', '2024/01/01/part-00039.parquet', '2024/01/01/_SUCCESS',
    ]);
    expect(rest.summary).to.deep.include({ ready: 'copied' });
  });
});
