import { expect } from 'chai';
import fc from 'fast-check';
import { compareKeys, type ObjectInfo } from '../../../../handler/copy/plan.ts';
import { DEFAULT_MAX_DELETES_PER_DAY, destinationOnly, isDeletable, MAX_KEYS_PER_DELETE, notDeletedReason, NOT_DELETED_HELP, type DayScope, type WalkEnd } from '../../../../handler/copy/extras.ts';

const obj = (key: string): ObjectInfo => ({ key, size: 1, etag: 'e' });
async function* stream(keys: readonly string[], read?: string[]): AsyncGenerator<ObjectInfo> {
  for (const k of [...keys].sort(compareKeys)) {
    read?.push(k);
    yield await Promise.resolve(obj(k));
  }
}
async function collect(source: readonly string[], destination: readonly string[], prefix = 'in/', options: Parameters<typeof destinationOnly>[4] = {}, end: WalkEnd = { stopped: false }): Promise<string[]> {
  const out: string[] = [];
  for await (const d of destinationOnly(stream(source), stream(destination), (k) => prefix + k, end, options)) out.push(d.key);
  return out;
}

describe('handler/copy/extras notDeletedReason (may this run delete the extras of a day?)', () => {
  const ok = { exactDays: true, dryRun: false, failedSoFar: 0, maxDeletes: 100 };
  it('deletes only with exact days, no failed copy in any part, a source day with objects, within the ceiling, and not in a dry run', () => {
    expect(notDeletedReason(ok, 1, 1)).to.equal(undefined);
    expect(notDeletedReason(ok, 7, 100)).to.equal(undefined);
  });
  it('never without EXACT_DAYS, whatever else holds', () => {
    expect(notDeletedReason({ ...ok, exactDays: false }, 5, 1)).to.equal('exactDaysOff');
    expect(notDeletedReason({ exactDays: false, dryRun: true, failedSoFar: 3, maxDeletes: 1 }, 0, 9)).to.equal('exactDaysOff');
  });
  it('never after a failed copy, in this part or an earlier one (failedSoFar counts both)', () => {
    expect(notDeletedReason({ ...ok, failedSoFar: 1 }, 5, 1)).to.equal('copyFailed');
    expect(notDeletedReason({ ...ok, failedSoFar: 1 }, 0, 1)).to.equal('copyFailed');
  });
  it('never from a source day that lists no object (upstream failed or the prefix is wrong)', () => {
    expect(notDeletedReason(ok, 0, 1)).to.equal('emptySourceDay');
    expect(notDeletedReason({ ...ok, dryRun: true }, 0, 1)).to.equal('emptySourceDay');
    expect(notDeletedReason(ok, 0, 1000)).to.equal('emptySourceDay');
  });
  it('never more extras than EXACT_DAYS_MAX_DELETES (1 source object, 100,000 at the destination), and a dry run says so too', () => {
    expect(notDeletedReason(ok, 1, 101)).to.equal('tooMany');
    expect(notDeletedReason({ ...ok, maxDeletes: 10_000 }, 1, 99_999)).to.equal('tooMany');
    expect(notDeletedReason({ ...ok, dryRun: true }, 1, 101)).to.equal('tooMany');
    expect(notDeletedReason({ ...ok, dryRun: true }, 1, 100)).to.equal('dryRun');
  });
  it('in a dry run reports what it would delete instead', () => {
    expect(notDeletedReason({ ...ok, dryRun: true }, 2, 2)).to.equal('dryRun');
  });
  it('has words for every reason, a default ceiling, and S3\'s batch limit of 1,000 keys', () => {
    for (const text of Object.values(NOT_DELETED_HELP)) expect(text.length).to.be.greaterThan(20);
    expect(NOT_DELETED_HELP.emptySourceDay).to.include('lists no object');
    expect(NOT_DELETED_HELP.tooMany).to.include('S3_REPLICATE_EXACT_DAYS_MAX_DELETES');
    expect(DEFAULT_MAX_DELETES_PER_DAY).to.equal(10_000);
    expect(MAX_KEYS_PER_DELETE).to.equal(1000);
  });
});

describe('handler/copy/extras isDeletable (only inside the day\'s own destination prefix)', () => {
  const scope: DayScope = {
    destinationDayPrefix: 'in/2024/07/01/',
    markerKey: 'in/2024/07/01/_S3PUSH_COMPLETE.json',
    sourceKeyOf: (k) => (k.startsWith('in/2024/07/01/') ? k.slice(3) : undefined),
    isExcluded: (k) => k.endsWith('.crc'),
  };
  it('is true for a key of the day, at any depth', () => {
    expect(isDeletable('in/2024/07/01/part-0.parquet', scope)).to.equal(true);
    expect(isDeletable('in/2024/07/01/a/b/c', scope)).to.equal(true);
  });
  it('never the day marker, an excluded key, the prefix itself, or a key outside the day', () => {
    expect(isDeletable('in/2024/07/01/_S3PUSH_COMPLETE.json', scope)).to.equal(false);
    expect(isDeletable('in/2024/07/01/part-0.crc', scope)).to.equal(false);
    expect(isDeletable('in/2024/07/01/', scope)).to.equal(false);
    expect(isDeletable('in/2024/07/02/part-0', scope)).to.equal(false);
    expect(isDeletable('in/2024/07/0', scope)).to.equal(false);
    expect(isDeletable('other/2024/07/01/part-0', scope)).to.equal(false);
  });
  it('never a key the layout maps to no source key', () => {
    expect(isDeletable('in/2024/07/01/x', { ...scope, sourceKeyOf: () => undefined })).to.equal(false);
  });
  it('without exclusions, every key of the day but the marker', () => {
    const { isExcluded: _, ...plain } = scope;
    expect(isDeletable('in/2024/07/01/part-0.crc', plain)).to.equal(true);
  });
});

describe('handler/copy/extras destinationOnly (the walk of a day\'s extras)', () => {
  it('yields the destination keys no source object maps to, in order', async () => {
    expect(await collect(['d/a', 'd/c', 'd/e'], ['in/d/a', 'in/d/b', 'in/d/c', 'in/d/d', 'in/d/f'])).to.deep.equal(['in/d/b', 'in/d/d', 'in/d/f']);
  });
  it('yields every destination key of an empty source, none of a destination equal to the source', async () => {
    expect(await collect([], ['in/d/a', 'in/d/b'])).to.deep.equal(['in/d/a', 'in/d/b']);
    expect(await collect(['d/a', 'd/b'], ['in/d/a', 'in/d/b'])).to.deep.equal([]);
    expect(await collect(['d/a', 'd/b'], [])).to.deep.equal([]);
  });
  it('has counted the source\'s first object before it yields the first extra', async () => {
    let counted = 0;
    const seen: number[] = [];
    for await (const _ of destinationOnly(stream(['d/z']), stream(['in/d/a', 'in/d/b']), (k) => `in/${k}`, { stopped: false }, { onSource: () => counted++ })) seen.push(counted);
    expect(seen).to.deep.equal([1, 1]);
  });
  it('leaves out the source objects skipSource names: their destination keys become extras', async () => {
    const counted: string[] = [];
    expect(await collect(['d/a', 'd/b'], ['in/d/a', 'in/d/b'], 'in/', { skipSource: (s) => s.key === 'd/b', onSource: (s) => counted.push(s.key) })).to.deep.equal(['in/d/b']);
    expect(counted).to.deep.equal(['d/a']);
  });
  it('stops when asked, before the next destination object, and says so', async () => {
    let asked = 0;
    const end: WalkEnd = { stopped: false };
    expect(await collect([], ['in/a', 'in/b', 'in/c'], 'in/', { shouldStop: () => ++asked > 2 }, end)).to.deep.equal(['in/a', 'in/b']);
    expect(end.stopped).to.equal(true);
    const whole: WalkEnd = { stopped: true };
    await collect(['a'], ['in/a'], 'in/', {}, whole);
    expect(whole.stopped).to.equal(false);
  });
  it('asks the budget while it passes over source objects the destination lacks', async () => {
    const end: WalkEnd = { stopped: false };
    let asked = 0;
    const many = Array.from({ length: 50 }, (_, i) => `d/${String(i).padStart(3, '0')}`);
    expect(await collect(many, ['in/d/zzz'], 'in/', { shouldStop: () => ++asked > 10 }, end)).to.deep.equal([]);
    expect(end.stopped).to.equal(true);
    expect(asked).to.equal(11);
  });
  it('lists the source no further than the destination goes', async () => {
    const read: string[] = [];
    const out: string[] = [];
    for await (const d of destinationOnly(stream(['d/a', 'd/b', 'd/c', 'd/d'], read), stream(['in/d/a']), (k) => `in/${k}`, { stopped: false })) out.push(d.key);
    expect(out).to.deep.equal([]);
    expect(read.length).to.be.lessThan(4);
  });
  it('closes both listings when the walk ends early (no listing left paging in the background)', async () => {
    const closed: string[] = [];
    async function* listing(name: string, keys: string[]): AsyncGenerator<ObjectInfo> {
      try {
        for (const k of keys) yield await Promise.resolve(obj(k));
      } finally {
        closed.push(name);
      }
    }
    for await (const _ of destinationOnly(listing('source', ['a', 'b', 'c']), listing('destination', ['in/0', 'in/1', 'in/2']), (k) => `in/${k}`, { stopped: false })) break;
    expect(closed.sort()).to.deep.equal(['destination', 'source']);
    closed.length = 0;
    await collect([], [], 'in/', { shouldStop: () => true });
    const end: WalkEnd = { stopped: false };
    for await (const _ of destinationOnly(listing('source', ['a']), listing('destination', ['in/0', 'in/1']), (k) => `in/${k}`, end, { shouldStop: () => true })) expect.fail('stopped before the first');
    expect(end.stopped).to.equal(true);
    expect(closed.sort()).to.deep.equal(['destination', 'source']);
  });

  it('says the last destination key it is done with: a walk resumed after it yields the rest, none twice', async () => {
    const end: WalkEnd = { stopped: false };
    let asked = 0;
    const destination = ['in/a', 'in/b', 'in/c', 'in/d', 'in/e'];
    const first = await collect(['b', 'd'], destination, 'in/', { shouldStop: () => ++asked > 3 }, end);
    // Stopped while it looked for the source's next key past in/c: in/c is not done with.
    expect(end).to.deep.equal({ stopped: true, lastKey: 'in/b' });
    expect(first).to.deep.equal(['in/a']);
    const rest = await collect(['d'], destination.filter((k) => compareKeys(k, end.lastKey!) > 0), 'in/', {}, end);
    expect(rest).to.deep.equal(['in/c', 'in/e']);
    expect(end).to.deep.equal({ stopped: false, lastKey: 'in/e' });
    await collect([], [], 'in/', {}, end);
    expect(end.lastKey).to.equal(undefined);
  });

  it('agrees with a set difference on any listing (property)', async () => {
    const key = fc.stringMatching(/^[a-c\u00e9\u{1F600}/]{1,4}$/u);
    await fc.assert(fc.asyncProperty(fc.uniqueArray(key, { maxLength: 12 }), fc.uniqueArray(key, { maxLength: 12 }), async (source, destinationRest) => {
      const destination = [...new Set([...source.filter((_, i) => i % 2 === 0), ...destinationRest])].map((k) => `in/${k}`);
      const expected = destination.filter((d) => !source.includes(d.slice(3))).sort(compareKeys);
      expect(await collect(source, destination)).to.deep.equal(expected);
    }), { numRuns: 200 });
  });
});
