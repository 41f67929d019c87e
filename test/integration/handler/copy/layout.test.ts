import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, EXTERNAL_ID, handlerEnv, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { countCommands, createWorld, putObjects, type World } from '../../../../dev/replicationWorld.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../../handler/logger.ts';
import { pushObjects } from '../../../../handler/pushOnWrite/pushOnWrite.ts';
import { createSqsClient } from '../../../../handler/aws/workQueue.ts';
import { DAY_MARKER_NAME } from '../../../../handler/marker/manifest.ts';
import { handlerChecker } from '../../../../deploy/commands/status/status.ts';
import { createTemporaryQueues, runLocalFanOut } from '../../../../deploy/local/localWorkers.ts';
import type { ReplicationClients } from '../../../../handler/copy/replicateDay.ts';
import type { LambdaContextLike } from '../../../../handler/index.ts';
import type { IsoDate } from '../../../../rules/dates.ts';

const DAY = '2024-07-01' as IsoDate;
const SOURCE_DAY = 'events/2024/07/01/';
const DEST_DAY = 'acme/dt=2024-07-01/';
/** The rest of each key after the day's prefix: the same at both ends, nested levels included. */
const RESTS = ['a.json', 'nested/b.json', 'nested/deeper/c d é.json', 'z+plus/last.json', 'folder/'];

async function listAll(s3: S3Client, bucket: string, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token, EncodingType: 'url' }));
    for (const o of page.Contents ?? []) out.set(decodeURIComponent(o.Key!), `${o.Size}`);
    token = page.NextContinuationToken;
  } while (token);
  return out;
}

async function readText(s3: S3Client, key: string): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: DESTINATION_BUCKET, Key: key }));
  return out.Body!.transformToString();
}

/**
 * Contexts whose time runs out after a few questions, a few more each invocation: the first
 * invocations hand their days on in continuations, and later ones have the budget to finish a day.
 */
function growingContexts(): () => LambdaContextLike {
  let invocations = 0;
  return () => {
    const allowed = 3 * ++invocations;
    let asked = 0;
    return { getRemainingTimeInMillis: () => (++asked <= allowed ? 60_000 : 0) };
  };
}

// DESTINATION_PREFIX_FORMAT on moto with two accounts: the source's day prefix swapped for the
// partner's, the rest of every key kept; the rerun, the status, the marker and push on write all
// find the copies where the copy put them.
describe('the partner\'s day layout (DESTINATION_PREFIX_FORMAT) against moto (two accounts)', function () {
  this.timeout(180_000);
  let world: World;
  let clients: ReplicationClients;
  let dstCount: ReturnType<typeof countCommands>;
  const config = parseHandlerConfig(handlerEnv({ PREFIX_FORMAT: 'events/{YYYY}/{MM}/{DD}/', DESTINATION_PREFIX_FORMAT: 'acme/dt={YYYY}-{MM}-{DD}/', DAY_MARKER: 'true' }));
  const run = (event: unknown) => runEvent(event, config, clients, { logger: createLogger([EXTERNAL_ID], () => undefined) });

  before(async () => {
    await moto().reset();
    world = await createWorld();
    await putObjects(world.sourceAdmin, [
      ...RESTS.map((rest) => ({ Bucket: SOURCE_BUCKET, Key: SOURCE_DAY + rest, Body: rest.endsWith('/') ? '' : `body of ${rest}\n` })),
      // Neighbouring days and keys outside the format: not copied.
      ...['events/2024/07/02/next.json', 'events/2024/06/30/previous.json', 'other/2024/07/01/x.json'].map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: 'no' })),
    ]);
    // The partner's own object in the day's folder: left alone, reported as extra.
    await world.destinationAdmin.send(new PutObjectCommand({ Bucket: DESTINATION_BUCKET, Key: `${DEST_DAY}theirs.txt`, Body: 'theirs' }));
    // S3 lists LastModified to the second: let the seeding second pass (the copy rule's "strictly newer").
    await sleep(1000 - (Date.now() % 1000) + 50);
    clients = createClients(config, { sessionName: 'layout-it' });
    dstCount = countCommands(clients.destinationS3);
  });

  beforeEach(() => dstCount.reset());

  it('a dry run counts the day against the mapped keys and copies nothing', async () => {
    const s = await run({ dates: [DAY], dryRun: true });
    expect(s).to.deep.include({ dryRun: true, copied: RESTS.length, skipped: 0, failed: 0 });
    expect(dstCount.counts.get('CopyObject') ?? 0).to.equal(0);
    expect([...(await listAll(world.destinationAdmin, DESTINATION_BUCKET, 'acme/')).keys()]).to.deep.equal([`${DEST_DAY}theirs.txt`]);
  });

  it('copies the day under the partner\'s day prefix, nested keys kept, and writes the marker there', async () => {
    const s = await run({ dates: [DAY] });
    expect(s).to.deep.include({ copied: RESTS.length, skipped: 0, failed: 0 });
    expect(s.dates[0]).to.deep.include({ prefix: SOURCE_DAY, marker: 'written' });
    const dest = await listAll(world.destinationAdmin, DESTINATION_BUCKET, '');
    expect([...dest.keys()].sort()).to.deep.equal([...RESTS.map((r) => DEST_DAY + r), `${DEST_DAY}theirs.txt`, `${DEST_DAY}${DAY_MARKER_NAME}`].sort());
    expect(await readText(world.destinationAdmin, `${DEST_DAY}nested/deeper/c d é.json`)).to.equal('body of nested/deeper/c d é.json\n');
    const marker = JSON.parse(await readText(world.destinationAdmin, `${DEST_DAY}${DAY_MARKER_NAME}`)) as { prefix: string; keys: { key: string }[]; extra: { count: number; first: { key: string }[] } };
    expect(marker.prefix).to.equal(DEST_DAY);
    expect(marker.keys.map((k) => k.key)).to.deep.equal(RESTS.map((r) => DEST_DAY + r).sort());
    expect(marker.extra).to.deep.include({ count: 1 });
    expect(marker.extra.first.map((e) => e.key)).to.deep.equal([`${DEST_DAY}theirs.txt`]);
  });

  it('a rerun copies nothing and leaves the marker as it is', async () => {
    const s = await run({ dates: [DAY] });
    expect(s).to.deep.include({ copied: 0, skipped: RESTS.length, failed: 0 });
    expect(s.dates[0]).to.deep.include({ marker: 'unchanged' });
    expect(dstCount.counts.get('CopyObject') ?? 0).to.equal(0);
    expect(dstCount.counts.get('PutObject') ?? 0).to.equal(0);
  });

  it('npm run status finds the day in sync, and a copy deleted at the destination missing', async () => {
    const status = handlerChecker(config, clients);
    expect(await status(DAY)).to.deep.include({ date: DAY, inSync: true, missing: 0, differ: 0, archived: 0 });
    await world.destinationAdmin.send(new DeleteObjectCommand({ Bucket: DESTINATION_BUCKET, Key: `${DEST_DAY}nested/b.json` }));
    expect(await status(DAY)).to.deep.include({ date: DAY, inSync: false, missing: 1, differ: 0, archived: 0 });
    expect(await run({ dates: [DAY] })).to.deep.include({ copied: 1, skipped: RESTS.length - 1 });
    expect(await status(DAY)).to.deep.include({ inSync: true });
  });

  it('push on write copies a new object of the day to its mapped key, and finds it equal afterwards', async () => {
    const key = `${SOURCE_DAY}late/arrival.json`;
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key, Body: 'late\n' }));
    const event = { shape: 'eventbridge' as const, name: 'Object Created', created: true, bucket: SOURCE_BUCKET, key };
    expect((await pushObjects([event], config, clients))[0]).to.deep.include({ outcome: 'copied' });
    expect(await readText(world.destinationAdmin, `${DEST_DAY}late/arrival.json`)).to.equal('late\n');
    await sleep(1100);
    expect((await pushObjects([event], config, clients))[0]).to.deep.include({ outcome: 'skipped' });
  });

  describe('fan-out continuations across a layout that reorders the day (dt={DD}-{MM}-{YYYY}/)', () => {
    // No marker here: its walk asks the budget on every object, more often than this context allows.
    const reordered = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX_FORMAT: 'p2/dt={DD}-{MM}-{YYYY}/', COPY_CONCURRENCY: '2' }));
    const dates = ['2024-01-30', '2024-01-31', '2024-02-01'] as IsoDate[];
    const keysOf = (d: IsoDate) => Array.from({ length: 9 }, (_, i) => `${d.replace(/-/g, '/')}/n${i % 3}/part-${i}.json`);
    const mapped = (d: IsoDate) => { const [y, m, dd] = d.split('-'); return `p2/dt=${dd}-${m}-${y}/`; };
    let summary: Awaited<ReturnType<typeof runLocalFanOut>>;
    const copies = new Map<string, number>();
    /** StartAfter of each destination listing a continuation made. */
    const destinationStarts: string[] = [];

    before(async () => {
      await putObjects(world.sourceAdmin, dates.flatMap((d) => keysOf(d).map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: `${Key}\n` }))));
      await sleep(1000 - (Date.now() % 1000) + 50);
      const own = createClients(reordered, { sessionName: 'layout-fan-out' });
      own.destinationS3.middlewareStack.add((next, context) => (args) => {
        if (context.commandName === 'CopyObjectCommand') {
          const k = (args.input as { Key: string }).Key;
          copies.set(k, (copies.get(k) ?? 0) + 1);
        }
        const startAfter = (args.input as { StartAfter?: string }).StartAfter;
        if (context.commandName === 'ListObjectsV2Command' && startAfter !== undefined) destinationStarts.push(startAfter);
        return next(args);
      }, { step: 'initialize', name: 'countCopies' });
      const sqs = createSqsClient();
      const queue = await createTemporaryQueues(sqs, { maxReceiveCount: 3 });
      try {
        summary = await runLocalFanOut({ event: { dates }, config: reordered, clients: own, sqs, queue, workers: 2, context: growingContexts(), stopMarginMs: 1_000, waitTimeSeconds: 0 });
      } finally {
        await queue.remove();
      }
    });

    it('hands days on in continuations whose startAfter (a source key) resumes at the mapped destination key', () => {
      expect(summary.continuations).to.be.greaterThan(0);
      expect(summary).to.deep.include({ failed: 0, deadLettered: 0 });
      // Each object copied once: a continuation never recopies what an earlier part copied.
      expect([...copies.values()].every((n) => n === 1), JSON.stringify([...copies])).to.equal(true);
      expect(copies.size).to.equal(dates.length * 9);
      // The continuation's startAfter is a source key; the destination listing resumes at its mapped key.
      expect(destinationStarts).to.not.be.empty;
      for (const key of destinationStarts) expect(key).to.match(/^p2\/dt=\d\d-\d\d-2024\/n\d\/part-\d\.json$/);
    });

    it('leaves every day at its reordered prefix with the rest of each key kept', async () => {
      for (const d of dates) {
        const dest = await listAll(world.destinationAdmin, DESTINATION_BUCKET, mapped(d));
        const rests = keysOf(d).map((k) => k.slice('2024/01/30/'.length));
        expect([...dest.keys()].sort(), d).to.deep.equal(rests.map((r) => mapped(d) + r).sort());
      }
      // Nothing landed in the source's layout.
      expect((await listAll(world.destinationAdmin, DESTINATION_BUCKET, '2024/')).size).to.equal(0);
    });
  });
});
