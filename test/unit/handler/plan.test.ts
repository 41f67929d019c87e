import { expect } from 'chai';
import { compareKeys, decide, joinListings, normalizeEtag, type ObjectInfo } from '../../../handler/plan.ts';

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
      'p/',
    )) out.push([j.source.key, j.decision]);
    expect(out).to.deep.equal([['d/a', 'missing'], ['d/b', 'equal'], ['d/c', 'changed']]);
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
    for await (const j of joinListings(iter(src), iter(dst), 'P/')) out.push([j.source.key, j.destination?.key, j.decision]);
    expect(out).to.deep.equal([
      ['a', 'P/a', 'equal'],
      ['b', 'P/b', 'changed'],
      ['c\u{1F600}', 'P/c\u{1F600}', 'equal'],
      ['d', undefined, 'missing'],
    ]);
  });
});
