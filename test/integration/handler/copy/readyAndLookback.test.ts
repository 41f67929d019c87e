import { expect } from 'chai';
import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, handlerEnv, scheduledEvent, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../../../dev/replicationWorld.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { DAY_MARKER_NAME } from '../../../../handler/marker/manifest.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../../handler/logger.ts';
import type { Summary } from '../../../../handler/summary.ts';

const DEST = 'from-acme/';

async function keysUnder(s3: S3Client, prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: DESTINATION_BUCKET, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

async function markerTime(s3: S3Client, day: string): Promise<Date | undefined> {
  try {
    return (await s3.send(new HeadObjectCommand({ Bucket: DESTINATION_BUCKET, Key: `${DEST}${day}${DAY_MARKER_NAME}` }))).LastModified;
  } catch {
    return undefined;
  }
}

// Upstream's ready key and the scheduled run's lookback, on moto with two accounts.
describe('the ready key and lookback days on moto', function () {
  this.timeout(120_000);
  let world: World;
  const options = { logger: createLogger([], () => undefined) };
  const runWith = (env: Record<string, string>) => (event: unknown) => {
    const config = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: DEST, DAY_MARKER: 'true', ...env }));
    return runEvent(event, config, createClients(config), options).catch((err: { summary?: Summary }) => { throw new Error(JSON.stringify(err.summary ?? (err as Error).message)); });
  };

  before(async () => {
    await moto().reset();
    world = await createWorld();
  });

  describe('SOURCE_READY_KEY=_SUCCESS', () => {
    const run = runWith({ SOURCE_READY_KEY: '_SUCCESS', LOOKBACK_DAYS: '0' });
    const DAY = '2024/08/01/';
    const parts = ['part-00000.parquet', 'part-00001.parquet', 'region=eu/part-00002.parquet'];

    it('a day without the ready key is waiting: nothing copied, no marker, not a failure', async () => {
      await putObjects(world.sourceAdmin, parts.map((k) => ({ Bucket: SOURCE_BUCKET, Key: DAY + k, Body: k })));
      const summary = await run({ dates: ['2024-08-01'] });
      expect(summary.dates[0]).to.deep.include({ waiting: true, listed: 0, copied: 0, failed: 0 });
      expect(summary.dates[0]).not.to.have.property('marker');
      expect(await keysUnder(world.destinationAdmin, DEST + DAY)).to.deep.equal([]);
    });

    it('once it exists, everything is copied, the ready key last, then the marker', async () => {
      await putObjects(world.sourceAdmin, [{ Bucket: SOURCE_BUCKET, Key: `${DAY}_SUCCESS`, Body: '' }]);
      const summary = await run({ dates: ['2024-08-01'] });
      expect(summary.dates[0]).to.deep.include({ listed: 4, copied: 4, failed: 0, ready: 'copied', marker: 'written' });
      expect(summary.dates[0]).not.to.have.property('waiting');
      expect(await keysUnder(world.destinationAdmin, DEST + DAY)).to.deep.equal([...parts, '_SUCCESS', DAY_MARKER_NAME].map((k) => DEST + DAY + k).sort());
      const again = await run({ dates: ['2024-08-01'] });
      expect(again.dates[0]).to.deep.include({ copied: 0, skipped: 4, ready: 'equal', marker: 'unchanged' });
    });
  });

  describe('LOOKBACK_DAYS=2', () => {
    const run = runWith({ LOOKBACK_DAYS: '2' });
    // Scheduled at 2024-09-10 06:00 with LAG_DAYS 1: its own day is 09-09, its lookback 09-08 and 09-07.
    const event = scheduledEvent('2024-09-10T06:00:00Z');

    it('a late file of a day inside the window is copied by the next scheduled run and the marker rewritten; outside it is not', async () => {
      const days = ['2024/09/09/', '2024/09/08/', '2024/09/07/', '2024/09/04/'];
      await putObjects(world.sourceAdmin, days.map((d) => ({ Bucket: SOURCE_BUCKET, Key: `${d}a.json`, Body: d })));
      await run({ dates: ['2024-09-09', '2024-09-08', '2024-09-07', '2024-09-04'] });
      const before = await markerTime(world.destinationAdmin, '2024/09/08/');
      expect(before).to.be.instanceOf(Date);
      // Late files: one in the window (09-08), one outside it (09-04).
      await new Promise((r) => setTimeout(r, 1100));
      await putObjects(world.sourceAdmin, ['2024/09/08/late.json', '2024/09/04/late.json'].map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: 'late' })));

      const summary = await run(event);
      expect(summary.dates.map((d) => [d.date, d.lookback ?? false, d.copied, d.marker])).to.deep.equal([
        ['2024-09-09', false, 0, 'unchanged'],
        ['2024-09-08', true, 1, 'written'],
        ['2024-09-07', true, 0, 'unchanged'],
      ]);
      expect(summary).to.deep.include({ lateCopied: 1, reconciled: 1 });
      expect(await keysUnder(world.destinationAdmin, `${DEST}2024/09/08/late`)).to.deep.equal([`${DEST}2024/09/08/late.json`]);
      expect((await markerTime(world.destinationAdmin, '2024/09/08/'))!.getTime()).to.be.greaterThan(before!.getTime());
      // Outside the window: not copied, and a dry run (what status shows) finds it missing.
      expect(await keysUnder(world.destinationAdmin, `${DEST}2024/09/04/late`)).to.deep.equal([]);
      const status = await run({ dates: ['2024-09-04'], dryRun: true });
      expect(status.dates[0]).to.deep.include({ missing: 1 });
    });

    it('LOOKBACK_DAYS=0 reconciles nothing but the own day', async () => {
      const summary = await runWith({ LOOKBACK_DAYS: '0' })(event);
      expect(summary.dates.map((d) => d.date)).to.deep.equal(['2024-09-09']);
      expect(summary).not.to.have.property('lateCopied');
    });
  });
});
