import { expect } from 'chai';
import fc from 'fast-check';
import { compareKeys, decide, joinListings, normalizeEtag, type ObjectInfo } from '../../../../handler/copy/plan.ts';

const t0 = new Date('2024-01-02T00:00:00Z');
const later = new Date('2024-01-02T00:00:05Z');
const o = (key: string, size: number, etag: string, lastModified = t0): ObjectInfo => ({ key, size, etag, lastModified });

async function* iter<T>(items: T[]): AsyncGenerator<T> {
  for (const i of items) yield await Promise.resolve(i);
}

describe('handler/plan', () => {
  it('strips quotes from ETags before comparing', () => {
    expect(normalizeEtag('"ABC"')).to.equal('abc');
    expect(decide(o('k', 1, '"abc"'), o('k', 1, 'abc'))).to.equal('equal');
  });

  it('classifies missing, equal and changed (size or ETag)', () => {
    expect(decide(o('k', 1, 'a'), undefined)).to.equal('missing');
    expect(decide(o('k', 1, 'a'), o('k', 1, 'a'))).to.equal('equal');
    expect(decide(o('k', 1, 'a'), o('k', 2, 'a', later))).to.equal('changed');
    // Same size, other ETag, destination not newer than the source: the source changed.
    expect(decide(o('k', 1, 'a', later), o('k', 1, 'b', t0))).to.equal('changed');
    expect(decide(o('k', 1, 'a', t0), o('k', 1, 'b', t0))).to.equal('changed');
  });

  it('does not copy a multipart or KMS copy again when the destination is newer than the source', () => {
    expect(decide(o('k', 20e6, '"5d41402abc4b2a76b9719d911017c592"', t0), o('k', 20e6, '"9b2cf535f27731c974343645a3985328-3"', later))).to.equal('equal');
    expect(decide(o('k', 20e6, '"9b2cf535f27731c974343645a3985328-3"', t0), o('k', 20e6, '"5d41402abc4b2a76b9719d911017c592"', later))).to.equal('equal');
    // ...and copies it again once the source is rewritten after the copy.
    expect(decide(o('k', 20e6, '"aaaa"', new Date('2024-01-02T00:00:09Z')), o('k', 20e6, '"bbbb-3"', later))).to.equal('changed');
  });

  it('treats a destination written in the same second as the source as changed (one extra copy, never a missed change)', () => {
    expect(decide(o('k', 1, 'a', new Date('2024-01-02T00:00:00.100Z')), o('k', 1, 'b-2', new Date('2024-01-02T00:00:00.900Z')))).to.equal('changed');
  });

  it('plans a day: missing, equal, changed, destination-only left alone', async () => {
    const out = [];
    for await (const j of joinListings(
      iter([o('d/a', 1, 'x'), o('d/b', 2, 'y'), o('d/c', 3, 'z')]),
      iter([o('p/d/b', 2, 'y'), o('p/d/c', 4, 'z', later), o('p/d/only', 9, 'q')]),
      (k) => `p/${k}`,
    )) out.push([j.source.key, j.decision]);
    expect(out).to.deep.equal([['d/a', 'missing'], ['d/b', 'equal'], ['d/c', 'changed']]);
  });

  it('never copies an object again because its storage class differs (DESTINATION_STORAGE_CLASS, a lifecycle rule)', () => {
    const src: ObjectInfo = { ...o('k', 10, 'a', t0), storageClass: 'STANDARD' };
    for (const storageClass of ['GLACIER_IR', 'DEEP_ARCHIVE', 'INTELLIGENT_TIERING', undefined]) {
      expect(decide(src, { ...o('k', 10, 'a', later), ...(storageClass ? { storageClass } : {}) }), storageClass).to.equal('equal');
      expect(decide(src, { ...o('k', 10, 'b-2', later), ...(storageClass ? { storageClass } : {}) }), storageClass).to.equal('equal');
    }
  });

  it('orders keys by UTF-8 bytes, as S3 lists them', () => {
    const keys = ['a\u{1F600}', 'a\uFF21', 'a b', 'a+b', 'a%b', 'a/', 'aé'];
    const sorted = [...keys].sort(compareKeys);
    expect(sorted).to.deep.equal(['a b', 'a%b', 'a+b', 'a/', 'aé', 'a\uFF21', 'a\u{1F600}']);
    // JavaScript's default order puts the emoji (a surrogate pair) before U+FF21.
    expect([...keys].sort().indexOf('a\u{1F600}')).to.be.lessThan([...keys].sort().indexOf('a\uFF21'));
  });

  it('joins two sorted listings as a stream, skipping destination-only objects', async () => {
    const src = [o('a', 1, 'x'), o('b', 1, 'x'), o('c\u{1F600}', 1, 'x'), o('d', 1, 'x')];
    const dst = [o('P/0', 1, 'x'), o('P/a', 1, 'x'), o('P/b', 2, 'x', later), o('P/bb', 1, 'x'), o('P/c\uFF21', 1, 'x'), o('P/c\u{1F600}', 1, 'x')];
    const out = [];
    for await (const j of joinListings(iter(src), iter(dst), (k) => `P/${k}`)) out.push([j.source.key, j.destination?.key, j.decision]);
    expect(out).to.deep.equal([
      ['a', 'P/a', 'equal'],
      ['b', 'P/b', 'changed'],
      ['c\u{1F600}', 'P/c\u{1F600}', 'equal'],
      ['d', undefined, 'missing'],
    ]);
  });

  it('decides tooLong for a source object whose destination key would be over 1,024 bytes of UTF-8, and goes on with the walk', async () => {
    // P/ adds 2 bytes: a 1,022-byte key lands at exactly 1,024 (copied), 1,023 bytes at 1,025 (never sent).
    const fits = `a${'x'.repeat(1021)}`;
    const over = `b${'x'.repeat(1022)}`;
    const wide = `c${'é'.repeat(511)}`; // 1,023 bytes in 512 units
    const src = [o(fits, 1, 'x'), o(over, 1, 'x'), o(wide, 1, 'x'), o('d', 1, 'x')];
    const dst = [o(`P/${fits}`, 1, 'x'), o('P/d', 1, 'x')];
    const out = [];
    for await (const j of joinListings(iter(src), iter(dst), (k) => `P/${k}`)) out.push([j.source.key, j.destination?.key, j.decision]);
    expect(out).to.deep.equal([
      [fits, `P/${fits}`, 'equal'],
      [over, undefined, 'tooLong'],
      [wide, undefined, 'tooLong'],
      ['d', 'P/d', 'equal'],
    ]);
  });

  it('strips a weak-ETag marker and lower-cases, so the same data compares equal however S3 quotes it', () => {
    expect(normalizeEtag('W/"AbC-2"')).to.equal('abc-2');
    expect(normalizeEtag('"a"b"')).to.equal('a"b');
    expect(normalizeEtag('"abW/"')).to.equal('abw/');
    expect(decide(o('k', 1, 'W/"ABC"', later), o('k', 1, '"abc"', t0))).to.equal('equal');
  });

  it('copies again when either side has no LastModified and the ETags differ (cannot prove the copy is newer)', () => {
    const noTime = (key: string, etag: string): ObjectInfo => ({ key, size: 1, etag });
    expect(decide(noTime('k', 'a'), o('k', 1, 'b', later))).to.equal('changed');
    expect(decide(o('k', 1, 'a', t0), noTime('k', 'b'))).to.equal('changed');
    expect(decide(noTime('k', 'a'), noTime('k', 'a'))).to.equal('equal');
  });

  it('counts a destination one whole second newer as equal, and rounds both times down to the second', () => {
    expect(decide(o('k', 1, 'a', new Date('2024-01-02T00:00:00.900Z')), o('k', 1, 'b', new Date('2024-01-02T00:00:01.000Z')))).to.equal('equal');
    expect(decide(o('k', 1, 'a', new Date('2024-01-02T00:00:00.000Z')), o('k', 1, 'b', new Date('2024-01-02T00:00:00.500Z')))).to.equal('changed');
    expect(decide(o('k', 1, 'a', new Date('2024-01-02T00:00:01.000Z')), o('k', 1, 'b', new Date('2024-01-02T00:00:00.000Z')))).to.equal('changed');
  });

  it('orders keys by their bytes: a shorter key first, equal keys 0, later keys after', () => {
    expect(compareKeys('a', 'a')).to.equal(0);
    expect(compareKeys('a', 'ab')).to.be.lessThan(0);
    expect(compareKeys('b', 'a')).to.be.greaterThan(0);
    // U+1F600 (a surrogate pair) is after U+FFFD in UTF-8, before it in UTF-16 units.
    expect(compareKeys('k\u{1F600}', 'k\uFFFD')).to.be.greaterThan(0);
    expect(compareKeys('k\uFFFD', 'k\u{1F600}')).to.be.lessThan(0);
  });

  it('orders any two keys as their UTF-8 bytes compare', () => {
    // Keys mixing ASCII, U+E000-U+FFFF and characters above U+FFFF, often sharing a start.
    const unit = fc.constantFrom('a', 'b', '/', '\u00e9', '\uE000', '\uFFFD', '\u{10000}', '\u{1F600}', '\uD800', '\uDC00');
    const key = fc.array(unit, { maxLength: 6 }).map((units) => units.join(''));
    fc.assert(fc.property(key, key, (a, b) => {
      expect(Math.sign(compareKeys(a, b))).to.equal(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      expect(Math.sign(compareKeys(`p/${a}`, `p/${a}${b}`))).to.equal(Math.sign(Buffer.compare(Buffer.from(`p/${a}`), Buffer.from(`p/${a}${b}`))));
    }), { numRuns: 2000 });
  });

  // A missing source object must never be compared with the destination object listed after it:
  // if that neighbour has the same size and is newer, it would count as "equal" and never be copied.
  async function joined(src: ObjectInfo[], dst: ObjectInfo[], prefix = ''): Promise<[string, string | undefined, string][]> {
    const out: [string, string | undefined, string][] = [];
    for await (const j of joinListings(iter(src), iter(dst), (k) => prefix + k)) out.push([j.source.key, j.destination?.key, j.decision]);
    return out;
  }

  it('finds a source key missing in the middle of the destination listing (a, b, c against a, c: b is missing)', async () => {
    const out = await joined([o('a', 1, 'x'), o('b', 1, 'y'), o('c', 1, 'z')], [o('a', 1, 'x'), o('c', 1, 'other', later)]);
    expect(out).to.deep.equal([
      ['a', 'a', 'equal'],
      ['b', undefined, 'missing'],
      ['c', 'c', 'equal'],
    ]);
  });

  it('finds a missing key whose same-size, newer neighbour sits under a destination prefix', async () => {
    const out = await joined([o('d/a', 7, 'x'), o('d/b', 7, 'y'), o('d/c', 7, 'z')], [o('in/d/a', 7, 'x'), o('in/d/c', 7, 'q', later)], 'in/');
    expect(out).to.deep.equal([
      ['d/a', 'in/d/a', 'equal'],
      ['d/b', undefined, 'missing'],
      ['d/c', 'in/d/c', 'equal'],
    ]);
  });

  it('finds missing keys at the start and at the end of the destination listing', async () => {
    const out = await joined([o('a', 1, 'x'), o('b', 1, 'x'), o('c', 1, 'x')], [o('b', 1, 'x', later)]);
    expect(out).to.deep.equal([
      ['a', undefined, 'missing'],
      ['b', 'b', 'equal'],
      ['c', undefined, 'missing'],
    ]);
    expect(await joined([o('a', 1, 'x')], [])).to.deep.equal([['a', undefined, 'missing']]);
  });

  it('closes the destination listing when the caller stops early, and when it runs to the end', async () => {
    const closed: string[] = [];
    // A listing that records when its consumer closes it (as a paginator stops fetching pages).
    const tracked = (name: string, items: ObjectInfo[]): AsyncIterable<ObjectInfo> => ({
      [Symbol.asyncIterator]: () => {
        let i = 0;
        return {
          next: () => Promise.resolve(i < items.length ? { done: false, value: items[i++]! } : { done: true, value: undefined }),
          return: () => {
            closed.push(name);
            return Promise.resolve({ done: true, value: undefined });
          },
        };
      },
    });
    for await (const j of joinListings(iter([o('a', 1, 'x'), o('b', 1, 'x')]), tracked('early', [o('a', 1, 'x'), o('b', 1, 'x')]), (k) => k)) {
      expect(j.source.key).to.equal('a');
      break;
    }
    expect(closed).to.deep.equal(['early']);
    for await (const _ of joinListings(iter([o('a', 1, 'x')]), tracked('end', [o('a', 1, 'x'), o('z', 1, 'x')]), (k) => k)) {
      // read everything
    }
    expect(closed).to.deep.equal(['early', 'end']);
  });

  it('reports each destination-only object to onDestinationOnly, in order, those after the source\'s last key too', async () => {
    const src = [o('b', 1, 'x'), o('d', 1, 'x')];
    const dst = [o('P/a', 1, 'x'), o('P/b', 1, 'x'), o('P/c', 1, 'x'), o('P/d', 1, 'x'), o('P/e', 1, 'x'), o('P/f', 1, 'x')];
    const events: string[] = [];
    for await (const j of joinListings(iter(src), iter(dst), (k) => `P/${k}`, { onDestinationOnly: (d) => events.push(`extra ${d.key}`) })) events.push(`source ${j.source.key}`);
    expect(events).to.deep.equal(['extra P/a', 'source b', 'extra P/c', 'source d', 'extra P/e', 'extra P/f']);
    const empty: string[] = [];
    for await (const _ of joinListings(iter([]), iter(dst.slice(0, 2)), (k) => `P/${k}`, { onDestinationOnly: (d) => empty.push(d.key) })) expect.fail('no source object');
    expect(empty).to.deep.equal(['P/a', 'P/b']);
  });

  it('without onDestinationOnly ends with the source: the destination is listed no further', async () => {
    const read: string[] = [];
    async function* listing(items: ObjectInfo[]): AsyncGenerator<ObjectInfo> {
      for (const i of items) {
        read.push(i.key);
        yield await Promise.resolve(i);
      }
    }
    const dst = [o('a', 1, 'x'), o('y', 1, 'x'), o('z', 1, 'x')];
    for await (const _ of joinListings(iter([o('a', 1, 'x')]), listing(dst), (k) => k)) { /* read all */ }
    expect(read).to.deep.equal(['a']);
    read.length = 0;
    for await (const _ of joinListings(iter([o('a', 1, 'x')]), listing(dst), (k) => k, { onDestinationOnly: () => undefined })) { /* read all */ }
    expect(read).to.deep.equal(['a', 'y', 'z']);
  });

  it('asks shouldStop before each destination-only object after the source\'s last key, and reports none past the stop', async () => {
    const seen: string[] = [];
    let asked = 0;
    const dst = ['a', 'b', 'c', 'd'].map((k) => o(k, 1, 'x'));
    for await (const _ of joinListings(iter([o('a', 1, 'x')]), iter(dst), (k) => k, { shouldStop: () => ++asked > 2, onDestinationOnly: (d) => seen.push(d.key) })) { /* read all */ }
    expect(seen).to.deep.equal(['b', 'c']);
    expect(asked).to.equal(3);
  });

  it('reports exactly the destination keys no source key maps to (property, against a set difference)', async () => {
    const key = fc.stringMatching(/^[a-c\u00e9\u{1F600}/]{1,4}$/u);
    await fc.assert(fc.asyncProperty(fc.uniqueArray(key, { maxLength: 12 }), fc.uniqueArray(key, { maxLength: 12 }), async (source, destinationRest) => {
      const destination = [...new Set([...source.filter((_, i) => i % 2 === 0), ...destinationRest])];
      const sorted = (keys: string[]): ObjectInfo[] => [...keys].sort(compareKeys).map((k) => o(`P/${k}`, 1, 'x'));
      const reported: string[] = [];
      for await (const _ of joinListings(iter(sorted(source).map((x) => ({ ...x, key: x.key.slice(2) }))), iter(sorted(destination)), (k) => `P/${k}`, { onDestinationOnly: (d) => reported.push(d.key) })) { /* read all */ }
      expect(reported).to.deep.equal(destination.filter((d) => !source.includes(d)).sort(compareKeys).map((k) => `P/${k}`));
    }), { numRuns: 200 });
  });

  it('joins listings whose iterators cannot be closed early (no return method), on either side', async () => {
    const plain = (items: ObjectInfo[]): AsyncIterable<ObjectInfo> => ({
      [Symbol.asyncIterator]: () => {
        const rest = [...items];
        return { next: () => Promise.resolve(rest.length > 0 ? { done: false, value: rest.shift()! } : { done: true, value: undefined }) };
      },
    });
    const out = [];
    for await (const j of joinListings(iter([o('a', 1, 'x'), o('b', 1, 'x')]), plain([o('a', 1, 'x')]), (k) => k)) out.push(j.decision);
    expect(out).to.deep.equal(['equal', 'missing']);
    const first = [];
    for await (const j of joinListings(plain([o('a', 1, 'x'), o('b', 1, 'x')]), plain([o('a', 1, 'x')]), (k) => k)) {
      first.push(j.decision);
      break;
    }
    expect(first).to.deep.equal(['equal']);
  });
});
