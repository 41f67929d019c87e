import { expect } from 'chai';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, handlerEnv, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../../../dev/replicationWorld.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { DAY_MARKER_NAME, type DayMarkerDocument as DayMarker } from '../../../../handler/marker/manifest.ts';
import { handleEvent } from '../../../../handler/index.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../../handler/logger.ts';
import type { Summary } from '../../../../handler/summary.ts';
import { runWorkBatch } from '../../../../handler/fanOut/workBatch.ts';

const DEST_PREFIX = 'from-acme/';
const marker = (day: string) => `${DEST_PREFIX}${day.replaceAll('-', '/')}/${DAY_MARKER_NAME}`;

async function readMarker(s3: S3Client, key: string): Promise<{ doc: DayMarker; lastModified: Date; etag: string } | undefined> {
  try {
    const out = await s3.send(new GetObjectCommand({ Bucket: DESTINATION_BUCKET, Key: key }));
    const body = Buffer.from(await out.Body!.transformToByteArray());
    const text = (out.ContentEncoding === 'gzip' ? gunzipSync(body) : body).toString('utf8');
    return { doc: JSON.parse(text) as DayMarker, lastModified: out.LastModified!, etag: out.ETag! };
  } catch (err) {
    if ((err as Error).name === 'NoSuchKey') return undefined;
    throw err;
  }
}

async function destinationObjects(s3: S3Client, prefix: string): Promise<{ key: string; size: number; etag: string }[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: DESTINATION_BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).filter((o) => !o.Key!.endsWith(DAY_MARKER_NAME)).map((o) => ({ key: o.Key!, size: o.Size!, etag: o.ETag!.replaceAll('"', '') }));
}

// DAY_MARKER on moto, two accounts: the handler's real path (inline and through work items).
describe('day-complete marker on moto', function () {
  this.timeout(60_000);
  let world: World;
  const config = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: DEST_PREFIX, DAY_MARKER: 'true' }));
  const lines: string[] = [];
  const options = { logger: createLogger([], (l) => lines.push(l)) };
  const clients = () => createClients(config);
  const run = (event: unknown) => runEvent(event, config, clients(), options).catch((err: { summary?: Summary }) => err.summary!);

  before(async () => {
    await moto().reset();
    world = await createWorld();
    const keys = ['2024/05/01/a.json', '2024/05/01/b.json', '2024/05/02/c.json', '2024/05/03/d.json', '2024/05/03/e.json', '2024/05/04/f.json'];
    await putObjects(world.sourceAdmin, keys.map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: `body of ${Key}` })));
  });

  it('a dry run writes no marker', async () => {
    const summary = await run({ dates: ['2024-05-01'], dryRun: true });
    expect(summary.dates[0]).not.to.have.property('marker');
    expect(await readMarker(world.destinationAdmin, marker('2024-05-01'))).to.equal(undefined);
  });

  it('writes the marker once per complete day; its keys equal the destination objects of that day', async () => {
    const summary = await run({ dates: ['2024-05-01', '2024-05-02'] });
    expect(summary.dates.map((d) => d.marker)).to.deep.equal(['written', 'written']);
    for (const day of ['2024-05-01', '2024-05-02']) {
      const m = await readMarker(world.destinationAdmin, marker(day));
      const objects = await destinationObjects(world.destinationAdmin, `${DEST_PREFIX}${day.replaceAll('-', '/')}/`);
      expect(m?.doc.keys, day).to.deep.equal(objects);
      expect(m?.doc).to.include({ date: day, objects: objects.length, bytes: objects.reduce((n, o) => n + o.size, 0) });
      expect(Date.parse(m!.doc.completedAt)).to.be.closeTo(Date.now(), 60_000);
    }
    expect((await readMarker(world.destinationAdmin, marker('2024-05-01')))?.doc.keys.map((k) => k.key)).to.deep.equal([`${DEST_PREFIX}2024/05/01/a.json`, `${DEST_PREFIX}2024/05/01/b.json`]);
  });

  it('leaves it as it is on a no-op rerun (same ETag, same time), and never compares it as an object of the day', async () => {
    const before = await readMarker(world.destinationAdmin, marker('2024-05-01'));
    const summary = await run({ dates: ['2024-05-01'] });
    expect(summary.dates[0]).to.include({ listed: 2, copied: 0, skipped: 2, marker: 'unchanged' });
    const after = await readMarker(world.destinationAdmin, marker('2024-05-01'));
    expect(after?.etag).to.equal(before?.etag);
    expect(after?.doc.completedAt).to.equal(before?.doc.completedAt);
  });

  it('rewrites it after a changed object is copied again', async () => {
    const before = await readMarker(world.destinationAdmin, marker('2024-05-01'));
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: '2024/05/01/b.json', Body: 'a longer, changed body of b' }));
    const summary = await run({ dates: ['2024-05-01'] });
    expect(summary.dates[0]).to.include({ copied: 1, marker: 'written' });
    const after = await readMarker(world.destinationAdmin, marker('2024-05-01'));
    expect(after?.doc.completedAt).not.to.equal(before?.doc.completedAt);
    expect(after?.doc.keys).to.deep.equal(await destinationObjects(world.destinationAdmin, `${DEST_PREFIX}2024/05/01/`));
    expect(after?.doc.keys.find((k) => k.key.endsWith('b.json'))?.size).to.equal('a longer, changed body of b'.length);
  });

  it('writes none after a day with a failure', async () => {
    // A source object whose copy keeps failing: a fault injected at the client (moto checks no permission).
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: '2024/05/03/z-failing.json', Body: 'fails' }));
    const failing = clients();
    failing.destinationS3.middlewareStack.add(
      (next, context) => (args) => {
        const key = (args.input as { Key?: string }).Key ?? '';
        if (context.commandName === 'CopyObjectCommand' && key.endsWith('z-failing.json')) {
          return Promise.reject(Object.assign(new Error(`injected failure for ${key}`), { name: 'AccessDenied' }));
        }
        return next(args);
      },
      { step: 'initialize', name: 'failOneCopy' },
    );
    const summary = await runEvent({ dates: ['2024-05-03'] }, config, failing, options).catch((err: { summary?: Summary }) => err.summary!);
    expect(summary.dates[0]!.failed).to.be.greaterThan(0);
    expect(summary.dates[0]).not.to.have.property('marker');
    expect(await readMarker(world.destinationAdmin, marker('2024-05-03'))).to.equal(undefined);
  });

  it('writes none after a day with an archived object left out (not a failure, but not every object is there)', async () => {
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: '2024/05/05/cold.json', Body: 'cold', StorageClass: 'GLACIER' }));
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: '2024/05/05/warm.json', Body: 'warm' }));
    const summary = await run({ dates: ['2024-05-05'] });
    expect(summary.dates[0]).to.deep.include({ failed: 0, archived: 1, copied: 1 });
    expect(summary.dates[0]).not.to.have.property('marker');
    expect(await readMarker(world.destinationAdmin, marker('2024-05-05'))).to.equal(undefined);
  });

  it('a fanned-out day: the work item that completes it writes the marker', async () => {
    const queue = { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/work', send: () => Promise.resolve() };
    await runWorkBatch([{ messageId: 'm1', body: '{"date":"2024-05-04"}', eventSource: 'aws:sqs' }], config, clients(), queue, options);
    const m = await readMarker(world.destinationAdmin, marker('2024-05-04'));
    expect(m?.doc.keys.map((k) => k.key)).to.deep.equal([`${DEST_PREFIX}2024/05/04/f.json`]);
    const head = await world.destinationAdmin.send(new HeadObjectCommand({ Bucket: DESTINATION_BUCKET, Key: marker('2024-05-04') }));
    expect(head.ContentType).to.equal('application/json');
  });

  it('is not written without DAY_MARKER', async () => {
    const off = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: 'other/' }));
    const result = await handleEvent({ dates: ['2024-05-02'] }, off, createClients(off), options);
    if (result.kind !== 'summary') throw new Error(`expected a summary, got ${result.kind}`);
    const { summary } = result;
    expect(summary.dates[0]).to.include({ copied: 1 }).and.not.have.property('marker');
    expect(await readMarker(world.destinationAdmin, `other/2024/05/02/${DAY_MARKER_NAME}`)).to.equal(undefined);
  });
});
