import { expect } from 'chai';
import { gzipSync, gunzipSync } from 'node:zlib';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, handlerEnv, objectCreatedEvent, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../../../dev/replicationWorld.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { DAY_MARKER_NAME, manifestDigest, MARKER_METADATA_DIGEST, type DayMarkerDocument } from '../../../../handler/marker/manifest.ts';
import { handleEvent } from '../../../../handler/index.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../../handler/logger.ts';
import type { Summary } from '../../../../handler/summary.ts';
import { runWorkBatch } from '../../../../handler/fanOut/workBatch.ts';

const DEST = 'from-acme/';
const markerOf = (day: string) => `${DEST}${day.replaceAll('-', '/')}/${DAY_MARKER_NAME}`;

async function stored(s3: S3Client, key: string): Promise<{ doc: DayMarkerDocument; etag: string; lastModified: Date; metadata: Record<string, string> } | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: DESTINATION_BUCKET, Key: key }));
    const body = Buffer.from(await out.Body!.transformToByteArray());
    const doc = JSON.parse((out.ContentEncoding === 'gzip' ? gunzipSync(body) : body).toString('utf8')) as DayMarkerDocument;
    return { doc, etag: out.ETag!, lastModified: out.LastModified!, metadata: out.Metadata ?? {} };
  } catch (err) {
    if ((err as Error).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

// The day marker as the day's manifest, against a producer, a partner and an invoker (moto, two accounts).
describe('the day manifest on moto', function () {
  // Several runs of the handler per test against moto: minutes on a loaded machine.
  this.timeout(300_000);
  let world: World;
  const config = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: DEST, DAY_MARKER: 'true' }));
  const lines: string[] = [];
  const logger = createLogger([], (l) => lines.push(l));
  const clients = () => createClients(config);
  const run = (event: unknown) => runEvent(event, config, clients(), { logger }).catch((err: { summary?: Summary }) => err.summary!);
  const queue = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/work', send: () => Promise.resolve() };
  const put = (Key: string, Body: string | Buffer, extra: Record<string, unknown> = {}) => putObjects(world.sourceAdmin, [{ Bucket: SOURCE_BUCKET, Key, Body, ...extra }]);
  const partnerPut = (Key: string, Body: string | Buffer, extra: Record<string, unknown> = {}) => world.destinationAdmin.send(new PutObjectCommand({ Bucket: DESTINATION_BUCKET, Key, Body, ...extra }));

  before(async () => {
    await moto().reset();
    world = await createWorld();
  });

  it("never copies a producer's object named like the day marker (the walk, a work item, push on write); the marker stays s3-push's and unchanged", async () => {
    await put('2024/06/01/a.json', 'a');
    // A forgery whose keys match the destination: today it is copied over the marker and survives.
    const forged = JSON.stringify({ date: '2024-06-01', prefix: `${DEST}2024/06/01/`, keys: [{ key: `${DEST}2024/06/01/a.json`, size: 1, etag: 'x' }] });
    await put(`2024/06/01/${DAY_MARKER_NAME}`, forged);
    const first = await run({ dates: ['2024-06-01'] });
    expect(first.dates[0]).to.deep.include({ listed: 1, copied: 1, marker: 'written', ignored: { markerName: 1 } });
    const written = await stored(world.destinationAdmin, markerOf('2024-06-01'));
    expect(written?.doc.keys.map((k) => k.key)).to.deep.equal([`${DEST}2024/06/01/a.json`]);
    expect(written?.metadata[MARKER_METADATA_DIGEST]).to.equal(written?.doc.sha256).and.to.equal(manifestDigest(written!.doc));

    const again = await run({ dates: ['2024-06-01'] });
    expect(again.dates[0]).to.deep.include({ copied: 0, marker: 'unchanged' });
    const work = await runWorkBatch([{ messageId: 'm1', body: '{"date":"2024-06-01"}', eventSource: 'aws:sqs' }], config, clients(), queue, { logger });
    expect(work.summary.dates[0]).to.deep.include({ copied: 0, marker: 'unchanged' });
    const pushed = await handleEvent(objectCreatedEvent(`2024/06/01/${DAY_MARKER_NAME}`), config, clients(), { logger });
    if (pushed.kind !== 'objects') throw new Error(`expected object events, got ${pushed.kind}`);
    expect(pushed.summary).to.deep.include({ copied: 0 });
    expect(pushed.summary.ignored).to.deep.include({ markerName: 1 });
    expect(lines.some((l) => l.includes(DAY_MARKER_NAME) && l.includes('markerName'))).to.equal(true);

    const after = await stored(world.destinationAdmin, markerOf('2024-06-01'));
    expect(after?.etag).to.equal(written?.etag);
    expect(after?.lastModified.getTime()).to.equal(written?.lastModified.getTime());
  });

  it("replaces a marker that is not s3-push's — a partner's copy with the right keys, a gzip bomb — without reading it", async () => {
    await put('2024/06/02/a.json', 'a');
    expect((await run({ dates: ['2024-06-02'] })).dates[0]).to.include({ marker: 'written' });
    const ours = await stored(world.destinationAdmin, markerOf('2024-06-02'));
    // Same document, no metadata: not recognised, so rewritten.
    await partnerPut(markerOf('2024-06-02'), JSON.stringify(ours!.doc), { ContentType: 'application/json' });
    expect((await run({ dates: ['2024-06-02'] })).dates[0]).to.include({ marker: 'written' });
    // A gzip bomb (64 KB that inflate to 64 MiB) with s3-push's version and another digest: never read.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    await partnerPut(markerOf('2024-06-02'), bomb, { ContentEncoding: 'gzip', Metadata: { 's3push-format': '2', [MARKER_METADATA_DIGEST]: '0'.repeat(64) } });
    const s3 = clients();
    const reads: string[] = [];
    s3.destinationS3.middlewareStack.add((next, context) => (args) => {
      if (context.commandName === 'GetObjectCommand') reads.push((args.input as { Key?: string }).Key ?? '');
      return next(args);
    }, { step: 'initialize', name: 'countReads' });
    const summary = await runEvent({ dates: ['2024-06-02'] }, config, s3, { logger });
    expect(summary.dates[0]).to.include({ marker: 'written' });
    expect(reads).to.deep.equal([]);
    expect((await stored(world.destinationAdmin, markerOf('2024-06-02')))?.doc.keys).to.have.length(1);
  });

  it('a work item that skips the day (a forged startAfter) gets no marker for a day never copied', async () => {
    await put('2024/06/03/a.json', 'a');
    await put('2024/06/03/b.json', 'b');
    const body = JSON.stringify({ date: '2024-06-03', startAfter: '2024/06/03/\uffff' });
    const r = await runWorkBatch([{ messageId: 'm1', body, eventSource: 'aws:sqs' }], config, clients(), queue, { logger });
    expect(r.summary.dates[0]).to.deep.include({ listed: 0, copied: 0, marker: 'incomplete', markerMissing: '2024/06/03/a.json' });
    expect(await stored(world.destinationAdmin, markerOf('2024-06-03'))).to.equal(undefined);
    // The day itself, walked from its first key, gets it.
    expect((await run({ dates: ['2024-06-03'] })).dates[0]).to.include({ copied: 2, marker: 'written' });
  });

  it("lists the source's objects only: a day rewritten upstream leaves its old parts as extra, not as keys", async () => {
    const old = Array.from({ length: 10 }, (_, i) => `2024/06/04/part-0000${i}-aaaa.snappy.parquet`);
    await putObjects(world.sourceAdmin, [...old, '2024/06/04/_SUCCESS'].map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: `old ${Key}` })));
    expect((await run({ dates: ['2024-06-04'] })).dates[0]).to.include({ copied: 11, marker: 'written' });
    for (const Key of old) await world.sourceAdmin.send(new DeleteObjectCommand({ Bucket: SOURCE_BUCKET, Key }));
    const fresh = Array.from({ length: 7 }, (_, i) => `2024/06/04/part-0000${i}-bbbb.snappy.parquet`);
    await putObjects(world.sourceAdmin, [...fresh, '2024/06/04/_SUCCESS'].map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: `new ${Key}` })));
    expect((await run({ dates: ['2024-06-04'] })).dates[0]).to.include({ copied: 8, marker: 'written' });
    const m = await stored(world.destinationAdmin, markerOf('2024-06-04'));
    expect(m?.doc.keys.map((k) => k.key)).to.deep.equal([...fresh, '2024/06/04/_SUCCESS'].map((k) => DEST + k).sort());
    expect(m?.doc.extra.count).to.equal(10);
    expect(m?.doc.extra.first.map((k) => k.key)).to.deep.equal(old.map((k) => DEST + k));
    expect(m?.doc).to.include({ objects: 8 });
  });

  it('push on write into a day that has a marker rewrites it, once per day per batch', async () => {
    await put('2024/06/05/a.json', 'a');
    expect((await run({ dates: ['2024-06-05'] })).dates[0]).to.include({ marker: 'written' });
    await put('2024/06/05/late-1.json', 'late');
    await put('2024/06/05/late-2.json', 'late');
    const s3 = clients();
    let heads = 0;
    s3.destinationS3.middlewareStack.add((next, context) => (args) => {
      if (context.commandName === 'HeadObjectCommand') heads++;
      return next(args);
    }, { step: 'initialize', name: 'countHeads' });
    const records = ['late-1.json', 'late-2.json'].map((name, i) => ({ messageId: `m${i}`, eventSource: 'aws:sqs', body: JSON.stringify(objectCreatedEvent(`2024/06/05/${name}`)) }));
    const r = await handleEvent({ Records: records }, config, s3, { logger });
    if (r.kind !== 'objectBatch') throw new Error(`expected an object batch, got ${r.kind}`);
    expect(r.objects.summary).to.deep.include({ copied: 2, markers: { '2024-06-05': 'written' } });
    expect(heads).to.equal(1);
    const m = await stored(world.destinationAdmin, markerOf('2024-06-05'));
    expect(m?.doc.keys.map((k) => k.key)).to.deep.equal(['a.json', 'late-1.json', 'late-2.json'].map((n) => `${DEST}2024/06/05/${n}`));
    // A day without a marker gets none from push on write (the scheduled run writes it once the day is complete).
    await put('2024/06/06/x.json', 'x');
    await handleEvent(objectCreatedEvent('2024/06/06/x.json'), config, clients(), { logger });
    expect(await stored(world.destinationAdmin, markerOf('2024-06-06'))).to.equal(undefined);
    await world.destinationAdmin.send(new HeadObjectCommand({ Bucket: DESTINATION_BUCKET, Key: `${DEST}2024/06/06/x.json` }));
  });
});
