import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, handlerEnv, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../../../dev/replicationWorld.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { DAY_MARKER_NAME, type DayMarkerDocument } from '../../../../handler/marker/manifest.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { runWorkBatch } from '../../../../handler/fanOut/workBatch.ts';
import type { WorkItem } from '../../../../handler/fanOut/workItems.ts';
import { createLogger } from '../../../../handler/logger.ts';
import type { Summary } from '../../../../handler/summary.ts';
import { handlerChecker } from '../../../../deploy/commands/status/status.ts';
import type { IsoDate } from '../../../../rules/dates.ts';

const DEST = 'from-acme/';

/** Every key under `prefix` with its ETag, as a sorted list of `key etag`. */
async function listing(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.push(`${o.Key!} ${o.ETag!}`);
    token = page.NextContinuationToken;
  } while (token);
  return out.sort();
}

async function marker(s3: S3Client, day: string): Promise<DayMarkerDocument> {
  const out = await s3.send(new GetObjectCommand({ Bucket: DESTINATION_BUCKET, Key: `${DEST}${day.replaceAll('-', '/')}/${DAY_MARKER_NAME}` }));
  return JSON.parse(await out.Body!.transformToString()) as DayMarkerDocument;
}

// A real upstream, played on moto with two accounts: Spark writes a day as part files with a
// run's UUID in their names and an empty _SUCCESS, then reruns the day by deleting it and writing
// new part files under new names. s3-push copied the first run; the partner must end up with the
// second run only (exact days), or at least be told that the day holds more (without).
describe('exact days against a Spark-like upstream (moto, two accounts)', function () {
  this.timeout(300_000);
  let world: World;
  const lines: string[] = [];
  const logger = createLogger([], (l) => lines.push(l));
  const configOf = (exact: boolean) => parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: DEST, DAY_MARKER: 'true', EXACT_DAYS: String(exact) }));
  const run = (exact: boolean, event: unknown) => runEvent(event, configOf(exact), createClients(configOf(exact)), { logger }).catch((err: { summary?: Summary }) => {
    if (!err.summary) throw err;
    return err.summary;
  });

  /** Writes a Spark run of `parts` part files and _SUCCESS into the day; returns the part keys. */
  async function sparkRun(day: string, parts: number): Promise<string[]> {
    const run = randomUUID();
    const prefix = `${day.replaceAll('-', '/')}/`;
    const keys = Array.from({ length: parts }, (_, i) => `${prefix}part-${String(i).padStart(5, '0')}-${run}-c000.snappy.parquet`);
    await putObjects(world.sourceAdmin, [...keys.map((Key, i) => ({ Bucket: SOURCE_BUCKET, Key, Body: `${run} rows of part ${i}` })), { Bucket: SOURCE_BUCKET, Key: `${prefix}_SUCCESS`, Body: '' }]);
    return keys;
  }
  /** Spark's overwrite of a day: delete every object of it. */
  async function clearDay(day: string): Promise<void> {
    const keys = (await listing(world.sourceAdmin, SOURCE_BUCKET, `${day.replaceAll('-', '/')}/`)).map((l) => l.split(' ')[0]!);
    if (keys.length > 0) await world.sourceAdmin.send(new DeleteObjectsCommand({ Bucket: SOURCE_BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
  }
  const sourceDay = (day: string) => listing(world.sourceAdmin, SOURCE_BUCKET, `${day.replaceAll('-', '/')}/`);
  const destinationDay = async (day: string) => (await listing(world.destinationAdmin, DESTINATION_BUCKET, `${DEST}${day.replaceAll('-', '/')}/`)).filter((l) => !l.includes(DAY_MARKER_NAME));

  before(async () => {
    await moto().reset();
    world = await createWorld();
  });

  it('with exact days, a rewritten day arrives exact: the old parts deleted, the marker lists the 7 new parts and _SUCCESS, status in sync', async () => {
    const day = '2024-07-01';
    await sparkRun(day, 10);
    const first = await run(true, { dates: [day] });
    expect(first.dates[0]).to.deep.include({ copied: 11, extra: 0, deleted: 0, marker: 'written' });
    await clearDay(day);
    const parts = await sparkRun(day, 7);

    const second = await run(true, { dates: [day] });
    expect(second.failed).to.equal(0);
    expect(second.dates[0]).to.deep.include({ listed: 8, copied: 7, skipped: 1, extra: 10, deleted: 10, exactDays: true, marker: 'written' });
    // The destination day equals the source day object for object (keys and ETags).
    const source = await sourceDay(day);
    expect(await destinationDay(day)).to.deep.equal(source.map((l) => DEST + l));
    const doc = await marker(world.destinationAdmin, day);
    expect(doc.keys.map((k) => k.key)).to.deep.equal([`${DEST}2024/07/01/_SUCCESS`, ...parts.map((k) => DEST + k)]);
    expect(doc.extra.count).to.equal(0);

    const status = await handlerChecker(configOf(true), createClients(configOf(true)))(day as IsoDate);
    expect(status).to.deep.equal({ date: day, inSync: true, missing: 0, differ: 0, archived: 0 });
    const again = await run(true, { dates: [day] });
    expect(again.dates[0]).to.deep.include({ copied: 0, extra: 0, deleted: 0, marker: 'unchanged' });
  });

  it('without exact days, the old parts stay, status --json says extra: 10, the marker lists only the source\'s objects', async () => {
    const day = '2024-07-02';
    await sparkRun(day, 10);
    await run(false, { dates: [day] });
    await clearDay(day);
    const parts = await sparkRun(day, 7);

    const second = await run(false, { dates: [day] });
    expect(second.dates[0]).to.deep.include({ copied: 7, extra: 10, deleted: 0, notDeleted: 'exactDaysOff', marker: 'written' });
    expect(await destinationDay(day)).to.have.length(18);
    const doc = await marker(world.destinationAdmin, day);
    expect(doc.keys.map((k) => k.key)).to.deep.equal([`${DEST}2024/07/02/_SUCCESS`, ...parts.map((k) => DEST + k)]);
    expect(doc.extra.count).to.equal(10);
    expect(doc.extra.first).to.have.length(10);

    const status = await handlerChecker(configOf(false), createClients(configOf(false)))(day as IsoDate);
    expect(status).to.deep.equal({ date: day, inSync: true, missing: 0, differ: 0, archived: 0, extra: 10 });
    // The same day seen by a stack with exact days on: not in sync until a run deletes the extras.
    const exactStatus = await handlerChecker(configOf(true), createClients(configOf(true)))(day as IsoDate);
    expect(exactStatus).to.deep.include({ inSync: false, extra: 10 });
    expect(await destinationDay(day), 'the status (a dry run) deleted nothing').to.have.length(18);
  });

  it('an emptied source day deletes nothing, and the summary says why', async () => {
    const day = '2024-07-03';
    await sparkRun(day, 4);
    await run(true, { dates: [day] });
    const copied = await destinationDay(day);
    await clearDay(day);

    const emptied = await run(true, { dates: [day] });
    expect(emptied.dates[0]).to.deep.include({ listed: 0, extra: 5, deleted: 0, notDeleted: 'emptySourceDay' });
    expect(await destinationDay(day)).to.deep.equal(copied);
  });

  it('a day with more extras than EXACT_DAYS_MAX_DELETES deletes none and fails, naming the count; a dry run shows it', async () => {
    const day = '2024-07-05';
    await sparkRun(day, 6);
    await run(true, { dates: [day] });
    await clearDay(day);
    await sparkRun(day, 1);
    const copied = await destinationDay(day);
    const capped = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: DEST, DAY_MARKER: 'true', EXACT_DAYS: 'true', EXACT_DAYS_MAX_DELETES: '5' }));
    const dry = await runEvent({ dates: [day], dryRun: true }, capped, createClients(capped), { logger });
    expect(dry.dates[0]).to.deep.include({ failed: 0, extra: 6, deleted: 0, notDeleted: 'tooMany' });
    const err = await runEvent({ dates: [day] }, capped, createClients(capped), { logger }).catch((e: { summary?: Summary; message: string }) => e) as { summary?: Summary; message: string };
    // The new part is copied (_SUCCESS is equal); the six old parts are too many to delete.
    expect(err.summary?.dates[0]).to.deep.include({ copied: 1, skipped: 1, failed: 1, extra: 6, deleted: 0, notDeleted: 'tooMany' });
    expect(err.message).to.include('6 extras under "from-acme/2024/07/05/", more than EXACT_DAYS_MAX_DELETES (5)');
    expect((await destinationDay(day)).length, 'nothing deleted').to.equal(copied.length + 1);
    expect(err.summary?.dates[0]).to.not.have.property('marker');
  });

  it('a day the time budget cuts, in its copies and in its deletes, arrives exact over several work items, each taking it further', async () => {
    const day = '2024-07-06';
    await sparkRun(day, 30);
    await run(true, { dates: [day] });
    await clearDay(day);
    await sparkRun(day, 30);
    const config = configOf(true);
    const clients = createClients(config);
    const queue: WorkItem[] = [{ date: day as IsoDate }];
    const work = { url: 'memory://work', send: (items: readonly WorkItem[]) => { queue.push(...items); return Promise.resolve(); } };
    const parts: { item: WorkItem; outcome: string; deleted: number; extra: number | undefined }[] = [];
    while (queue.length > 0 && parts.length < 60) {
      const item = queue.shift()!;
      let asked = 0;
      // A budget of about ten objects per invocation, ten asks more each time: the 31 copies and the 30
      // deletes take several, and the last one fits the marker's walk of the whole day.
      const budget = 20 + 10 * parts.length;
      const r = await runWorkBatch([{ messageId: `m${parts.length}`, body: JSON.stringify(item), eventSource: 'aws:sqs' }], config, clients, work, { logger, shouldStop: () => ++asked > budget });
      parts.push({ item, outcome: r.items[0]!.outcome, deleted: r.summary.dates[0]?.deleted ?? 0, extra: r.summary.dates[0]?.extra });
    }
    expect(parts.map((p) => p.outcome).filter((o) => o !== 'continued' && o !== 'done')).to.deep.equal([]);
    expect(parts.at(-1)!.outcome).to.equal('done');
    expect(parts.filter((p) => p.item.deleting).length, 'the delete pass was handed on at least once').to.be.greaterThan(0);
    expect(parts.reduce((n, p) => n + p.deleted, 0)).to.equal(31 - 1);
    expect(parts.at(-1)!.extra).to.equal(30);
    expect(await destinationDay(day)).to.deep.equal((await sourceDay(day)).map((l) => DEST + l));
    expect((await marker(world.destinationAdmin, day)).keys).to.have.length(31);
  });

  it('never deletes the partner\'s objects outside the day\'s prefix, and deletes those inside it (as documented)', async () => {
    const day = '2024-07-04';
    await sparkRun(day, 2);
    const outside = [`${DEST}2024/07/own-report.csv`, `${DEST}README`, 'partner/2024/07/04/x', `${DEST}2024/07/05/x`];
    for (const Key of [...outside, `${DEST}2024/07/04/partner-note.txt`]) await world.destinationAdmin.send(new PutObjectCommand({ Bucket: DESTINATION_BUCKET, Key, Body: 'partner' }));
    const r = await run(true, { dates: [day] });
    expect(r.dates[0]).to.deep.include({ extra: 1, deleted: 1 });
    expect(r.dates[0]!.extraKeys).to.deep.equal([`${DEST}2024/07/04/partner-note.txt`]);
    for (const key of outside) expect((await listing(world.destinationAdmin, DESTINATION_BUCKET, key)).length, key).to.equal(1);
  });
});
