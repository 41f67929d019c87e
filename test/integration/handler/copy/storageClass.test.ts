import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { moto } from '../../setup.ts';
import { DESTINATION_BUCKET, EXTERNAL_ID, handlerEnv, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { countCommands, createWorld, putObjects, type World } from '../../../../dev/replicationWorld.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../../handler/logger.ts';
import { pushObjects } from '../../../../handler/pushOnWrite/pushOnWrite.ts';
import { DAY_MARKER_NAME } from '../../../../handler/marker/manifest.ts';
import { handlerChecker } from '../../../../deploy/commands/status/status.ts';
import type { ReplicationClients } from '../../../../handler/copy/replicateDay.ts';
import type { IsoDate } from '../../../../rules/dates.ts';

const MiB = 1024 * 1024;
const DAY = '2024-03-01' as IsoDate;
const SMALL = ['2024/03/01/a.json', '2024/03/01/nested/b.json', '2024/03/01/empty.bin'];
const BIG = '2024/03/01/big/part.bin';

// DESTINATION_STORAGE_CLASS on moto with two accounts: every copy, one CopyObject or a multipart
// copy, is written in the class; the rerun copies nothing; status and the marker work with copies
// in an archive class, and the marker itself stays readable (no class: STANDARD).
describe('the copies\' storage class (DESTINATION_STORAGE_CLASS) against moto (two accounts)', function () {
  this.timeout(120_000);
  let world: World;
  let clients: ReplicationClients;
  let dstCount: ReturnType<typeof countCommands>;
  const config = parseHandlerConfig(handlerEnv({
    DESTINATION_STORAGE_CLASS: 'DEEP_ARCHIVE', DAY_MARKER: 'true', MULTIPART_THRESHOLD_BYTES: String(6 * MiB), PART_SIZE_BYTES: String(5 * MiB),
  }));
  const run = (event: unknown) => runEvent(event, config, clients, { logger: createLogger([EXTERNAL_ID], () => undefined) });
  const classOf = async (key: string) => (await world.destinationAdmin.send(new HeadObjectCommand({ Bucket: DESTINATION_BUCKET, Key: key }))).StorageClass ?? 'STANDARD';

  before(async () => {
    await moto().reset();
    world = await createWorld();
    await putObjects(world.sourceAdmin, [
      ...SMALL.map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: Key.endsWith('.bin') ? '' : `body of ${Key}\n` })),
      { Bucket: SOURCE_BUCKET, Key: BIG, Body: Buffer.alloc(11 * MiB + 1, 7) },
    ]);
    await sleep(1000 - (Date.now() % 1000) + 50);
    clients = createClients(config, { sessionName: 'storage-class-it' });
    dstCount = countCommands(clients.destinationS3);
  });

  beforeEach(() => dstCount.reset());

  it('writes every copy in the class, small (CopyObject) and large (multipart) alike, and the marker without one', async () => {
    const s = await run({ dates: [DAY] });
    expect(s).to.deep.include({ copied: SMALL.length + 1, skipped: 0, failed: 0 });
    expect(s.dates[0]).to.deep.include({ marker: 'written' });
    expect(dstCount.counts.get('UploadPartCopy')).to.equal(3);
    for (const key of [...SMALL, BIG]) expect(await classOf(key), key).to.equal('DEEP_ARCHIVE');
    expect(await classOf(`2024/03/01/${DAY_MARKER_NAME}`)).to.equal('STANDARD');
    const listed = await world.destinationAdmin.send(new ListObjectsV2Command({ Bucket: DESTINATION_BUCKET, Prefix: '2024/03/01/' }));
    expect((listed.Contents ?? []).filter((o) => !o.Key!.endsWith(DAY_MARKER_NAME)).map((o) => o.StorageClass)).to.deep.equal(Array(SMALL.length + 1).fill('DEEP_ARCHIVE'));
  });

  it('a rerun copies nothing, and the marker is left as it is', async () => {
    const s = await run({ dates: [DAY] });
    expect(s).to.deep.include({ copied: 0, skipped: SMALL.length + 1, failed: 0 });
    expect(s.dates[0]).to.deep.include({ marker: 'unchanged' });
    expect(dstCount.counts.get('CopyObject') ?? 0).to.equal(0);
    expect(dstCount.counts.get('CreateMultipartUpload') ?? 0).to.equal(0);
  });

  it('status finds the day in sync with its copies in an archive class', async () => {
    expect(await handlerChecker(config, clients)(DAY)).to.deep.include({ date: DAY, inSync: true, missing: 0, differ: 0, archived: 0 });
  });

  it('an object the partner moved to another class is not copied again; a changed source is, in the class', async () => {
    // As a lifecycle rule would: the same bytes, rewritten in another class (and so newer).
    await world.destinationAdmin.send(new PutObjectCommand({ Bucket: DESTINATION_BUCKET, Key: SMALL[0], Body: `body of ${SMALL[0]}\n`, StorageClass: 'GLACIER_IR' }));
    await sleep(1100);
    expect(await run({ dates: [DAY] })).to.deep.include({ copied: 0, skipped: SMALL.length + 1 });
    expect(await classOf(SMALL[0]!)).to.equal('GLACIER_IR');
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: SMALL[1], Body: 'changed upstream\n' }));
    const event = { shape: 'eventbridge' as const, name: 'Object Created', created: true, bucket: SOURCE_BUCKET, key: SMALL[1]! };
    expect((await pushObjects([event], config, clients))[0]).to.deep.include({ outcome: 'copied' });
    expect(await classOf(SMALL[1]!)).to.equal('DEEP_ARCHIVE');
  });
});
