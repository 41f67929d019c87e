import { expect } from 'chai';
import fc from 'fast-check';
import { gunzipSync } from 'node:zlib';
import { DAY_MARKER_NAME, ManifestText, manifestDigest, MARKER_FORMAT, MARKER_FORMAT_VERSION, MAX_LISTED_EXTRA, type DayMarkerDocument, type ManifestHeader } from '../../../../handler/marker/manifest.ts';
import { encodeMarkerBody, MARKER_GZIP_ABOVE_BYTES } from '../../../../handler/marker/markerBody.ts';
import type { IsoDate } from '../../../../rules/dates.ts';

const header: ManifestHeader = { date: '2024-03-01' as IsoDate, prefix: 'in/2024/03/01/', run: { listed: 2, copied: 1, skipped: 1 }, completedAt: '2024-03-02T06:00:00.000Z' };

function build(h: ManifestHeader, keys: { key: string; size: number; etag: string }[], extra: { key: string; size: number; etag: string }[] = [], leftOut: { key: string; reason: string }[] = []) {
  let text = '';
  const m = new ManifestText(h, (t) => {
    text += t;
  });
  for (const k of keys) m.key(k);
  for (const x of extra) m.extra(x);
  for (const l of leftOut) m.leftOut(l);
  const end = m.end();
  return { text, end, doc: JSON.parse(text) as DayMarkerDocument };
}

async function* pieces(text: string, size: number): AsyncGenerator<string> {
  await Promise.resolve();
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function bytesOf(chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<Buffer> {
  const all: Buffer[] = [];
  for await (const c of chunks) all.push(c);
  return Buffer.concat(all);
}

describe('handler/marker/manifest', () => {
  it('is one JSON document with the fields of the first format and the new ones', () => {
    const { doc, end } = build(header, [{ key: 'in/2024/03/01/a', size: 3, etag: 'x' }, { key: 'in/2024/03/01/b', size: 4, etag: 'y' }], [{ key: 'in/2024/03/01/old', size: 1, etag: 'z' }]);
    expect(doc).to.deep.equal({
      format: MARKER_FORMAT, version: MARKER_FORMAT_VERSION, date: '2024-03-01', prefix: 'in/2024/03/01/',
      keys: [{ key: 'in/2024/03/01/a', size: 3, etag: 'x' }, { key: 'in/2024/03/01/b', size: 4, etag: 'y' }],
      extra: { count: 1, first: [{ key: 'in/2024/03/01/old', size: 1, etag: 'z' }] },
      leftOut: { count: 0, first: [] },
      objects: 2, bytes: 7, run: header.run, completedAt: header.completedAt, sha256: end.digest,
    });
    expect(DAY_MARKER_NAME).to.equal('_S3PUSH_COMPLETE.json');
  });

  it('writes one key per line, so a reader can stream it', () => {
    const keys = ['a', 'b', 'c'].map((k) => ({ key: `in/2024/03/01/${k}`, size: 1, etag: 'e' }));
    const lines = build(header, keys).text.split('\n');
    for (const k of keys) expect(lines).to.include(`${JSON.stringify(k)}${k.key.endsWith('c') ? '' : ','}`);
  });

  it('an empty day is valid JSON with no keys', () => {
    expect(build(header, []).doc).to.deep.include({ keys: [], objects: 0, bytes: 0 });
  });

  it('keeps the digest over the manifest only: another run or time gives the same digest, another key, size, ETag, extra or left-out object another', () => {
    const keys = [{ key: 'in/2024/03/01/a', size: 3, etag: 'x' }];
    const base = build(header, keys).end.digest;
    expect(build({ ...header, completedAt: '2030-01-01T00:00:00.000Z', run: { listed: 9, copied: 9, skipped: 0 } }, keys).end.digest).to.equal(base);
    expect(build(header, [{ ...keys[0]!, size: 4 }]).end.digest).not.to.equal(base);
    expect(build(header, [{ ...keys[0]!, etag: 'y' }]).end.digest).not.to.equal(base);
    expect(build(header, [{ ...keys[0]!, key: 'in/2024/03/01/b' }]).end.digest).not.to.equal(base);
    expect(build(header, keys, [{ key: 'in/2024/03/01/z', size: 1, etag: 'e' }]).end.digest).not.to.equal(base);
    expect(build(header, keys, [], [{ key: 'in/2024/03/01/z', reason: 'tooLong' }]).end.digest).not.to.equal(base);
    // An object moved from keys to extra changes it too.
    expect(build(header, [], keys).end.digest).not.to.equal(base);
  });

  it('a reader recomputes the digest from the parsed document (any keys)', () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.record({ key: fc.string({ unit: 'grapheme', maxLength: 30 }), size: fc.nat(), etag: fc.string({ unit: fc.constantFrom(...'0123456789abcdef-'), maxLength: 34 }) }), { selector: (e) => e.key, maxLength: 20 }),
      fc.array(fc.record({ key: fc.string(), size: fc.nat(), etag: fc.string() }), { maxLength: 5 }),
      (keys, extra) => {
        const { doc, end } = build(header, keys, extra);
        expect(doc.keys).to.deep.equal(keys);
        expect(manifestDigest(doc)).to.equal(end.digest);
      },
    ));
  });

  it('lists the first 100 destination-only and left-out objects, counts them all, and holds no more', () => {
    const extra = Array.from({ length: 250 }, (_, i) => ({ key: `in/2024/03/01/x${i}`, size: 1, etag: 'e' }));
    const leftOut = Array.from({ length: 101 }, (_, i) => ({ key: `in/2024/03/01/l${i}`, reason: 'tooLong' }));
    const { doc, end } = build(header, [], extra, leftOut);
    expect(doc.extra.count).to.equal(250);
    expect(doc.extra.first).to.deep.equal(extra.slice(0, MAX_LISTED_EXTRA));
    expect(doc.leftOut).to.deep.equal({ count: 101, first: leftOut.slice(0, 100) });
    expect(end).to.include({ extra: 250, leftOut: 101 });
    // The reader cannot recompute a digest over objects it is not shown.
    expect(manifestDigest(doc)).to.equal(undefined);
  });

  it('refuses to end twice', () => {
    const m = new ManifestText(header, () => undefined);
    m.end();
    expect(() => m.end()).to.throw(/already ended/);
  });
});

describe('handler/marker/markerBody', () => {
  it('keeps a text of at most the limit as it is', async () => {
    const text = 'x'.repeat(1000);
    const body = await encodeMarkerBody(pieces(text, 100), 1000);
    expect(body.gzip).to.equal(false);
    expect((await bytesOf(body.chunks)).toString()).to.equal(text);
  });

  it('gzips a longer text, all of it, into one gzip stream', async () => {
    const text = Array.from({ length: 5000 }, (_, i) => `{"key":"k${i}"},\n`).join('');
    const body = await encodeMarkerBody(pieces(text, 777), 1000);
    expect(body.gzip).to.equal(true);
    expect(gunzipSync(await bytesOf(body.chunks)).toString()).to.equal(text);
    expect(MARKER_GZIP_ABOVE_BYTES).to.equal(1024 * 1024);
  });

  it('pulls the text only as the bytes are taken', async () => {
    let produced = 0;
    async function* endless(): AsyncGenerator<string> {
      for (;;) {
        await Promise.resolve();
        produced += 65_536;
        yield 'a'.repeat(65_536);
      }
    }
    const body = await encodeMarkerBody(endless(), 1000);
    const it = (body.chunks as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    await it.next();
    await it.return?.();
    // A few pieces ahead (stream buffers), never the whole: the generator is endless.
    expect(produced).to.be.below(64 * 65_536);
  });

  it('passes an error of the text on to the reader of the bytes', async () => {
    async function* failing(): AsyncGenerator<string> {
      await Promise.resolve();
      yield 'x'.repeat(2000);
      throw new Error('listing s3://b/p failed: SlowDown');
    }
    const body = await encodeMarkerBody(failing(), 1000);
    const err = await bytesOf(body.chunks).catch((e: unknown) => e);
    expect((err as Error).message).to.equal('listing s3://b/p failed: SlowDown');
  });
});
