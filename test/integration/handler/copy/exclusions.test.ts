import { expect } from 'chai';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, handlerEnv, objectCreatedEvent, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../../../dev/replicationWorld.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { DAY_MARKER_NAME, type DayMarkerDocument } from '../../../../handler/marker/manifest.ts';
import { handleEvent } from '../../../../handler/index.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../../handler/logger.ts';
import { lambdaResponse } from '../../../../handler/result.ts';
import type { Summary } from '../../../../handler/summary.ts';
import type { ObjectEventsSummary } from '../../../../handler/pushOnWrite/pushOnWrite.ts';

const DEST = 'from-acme/';
const DAY = '2024/06/03/';
// A Spark job's day as its committer leaves it: parts, their checksums, _SUCCESS, and debris.
const DATA = ['_SUCCESS', 'part-00000-a1.snappy.parquet', 'part-00001-a1.snappy.parquet', 'region=eu/part-00002-a1.snappy.parquet', 'region=eu/.part-00002-a1.snappy.parquet.crc'];
const DEBRIS = ['.part-00000-a1.snappy.parquet.crc', '._SUCCESS.crc', '_temporary/0/_temporary/attempt_1/part-00003.parquet', '.spark-staging-7f3e/part-00004.parquet'];

async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

// EXCLUDE on moto, two accounts: the scheduled day, the dry run status uses, the marker, push on write.
describe('exclusions on moto (EXCLUDE)', function () {
  this.timeout(60_000);
  let world: World;
  const config = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: DEST, DAY_MARKER: 'true', EXCLUDE: '_temporary/**, *.crc, .spark-staging*' }));
  const options = { logger: createLogger([], () => undefined) };
  const run = (event: unknown) => runEvent(event, config, createClients(config), options).catch((err: { summary?: Summary }) => { throw new Error(JSON.stringify(err.summary ?? err)); });

  before(async () => {
    await moto().reset();
    world = await createWorld();
    await putObjects(world.sourceAdmin, [...DATA, ...DEBRIS].map((k) => ({ Bucket: SOURCE_BUCKET, Key: DAY + k, Body: `body of ${k}` })));
    // An excluded key already at the destination (an earlier copy before the pattern): not the day's.
    await world.destinationAdmin.send(new PutObjectCommand({ Bucket: DESTINATION_BUCKET, Key: `${DEST}${DAY}_temporary/old`, Body: 'x' }));
  });

  it('a dry run (what status shows) counts the excluded keys apart, never as missing', async () => {
    const summary = await run({ dates: ['2024-06-03'], dryRun: true });
    expect(summary.dates[0]).to.deep.include({ listed: DATA.length, copied: DATA.length, missing: DATA.length, excluded: DEBRIS.length });
    expect(summary.excluded).to.equal(DEBRIS.length);
  });

  it('copies the day without its excluded keys, and the marker lists only the day\'s objects', async () => {
    const summary = await run({ dates: ['2024-06-03'] });
    expect(summary.dates[0]).to.deep.include({ listed: DATA.length, copied: DATA.length, failed: 0, excluded: DEBRIS.length, marker: 'written' });
    const copied = await keysUnder(world.destinationAdmin, DESTINATION_BUCKET, DEST + DAY);
    expect(copied).to.deep.equal([...DATA.map((k) => DEST + DAY + k), `${DEST}${DAY}_temporary/old`, `${DEST}${DAY}${DAY_MARKER_NAME}`].sort());
    const out = await world.destinationAdmin.send(new GetObjectCommand({ Bucket: DESTINATION_BUCKET, Key: `${DEST}${DAY}${DAY_MARKER_NAME}` }));
    const body = Buffer.from(await out.Body!.transformToByteArray());
    const doc = JSON.parse((out.ContentEncoding === 'gzip' ? gunzipSync(body) : body).toString('utf8')) as DayMarkerDocument & { extra?: { count: number } };
    expect(doc.keys.map((k) => k.key).sort()).to.deep.equal(DATA.map((k) => DEST + DAY + k).sort());
    // The excluded key at the destination is neither the day's nor an extra.
    expect(doc.extra?.count ?? 0).to.equal(0);
    const again = await run({ dates: ['2024-06-03'] });
    expect(again.dates[0]).to.deep.include({ copied: 0, skipped: DATA.length, marker: 'unchanged' });
  });

  it('push on write ignores an excluded key\'s event (ignored.excluded) and copies a data key\'s', async () => {
    await putObjects(world.sourceAdmin, ['_temporary/1/x.parquet', 'part-00009-b2.snappy.parquet'].map((k) => ({ Bucket: SOURCE_BUCKET, Key: DAY + k, Body: k })));
    const excluded = lambdaResponse(await handleEvent(objectCreatedEvent(`${DAY}_temporary/1/x.parquet`), config, createClients(config), options)) as ObjectEventsSummary;
    expect(excluded).to.deep.include({ copied: 0 });
    expect(excluded.ignored.excluded).to.equal(1);
    const data = lambdaResponse(await handleEvent(objectCreatedEvent(`${DAY}part-00009-b2.snappy.parquet`), config, createClients(config), options)) as ObjectEventsSummary;
    expect(data).to.deep.include({ copied: 1 });
    expect(await keysUnder(world.destinationAdmin, DESTINATION_BUCKET, `${DEST}${DAY}_temporary/1/`)).to.deep.equal([]);
  });
});
