/**
 * Archived source objects against moto (issue 11, item 6): objects put with StorageClass GLACIER or
 * DEEP_ARCHIVE list with that class and moto refuses to copy them (ObjectNotInActiveTierError), as
 * S3 does (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html). A restored one
 * still lists as GLACIER, as on S3, and HeadObject's Restore says it can be read
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html): it is copied. The run
 * copies the others, counts the archived ones, and succeeds; a dry run shows the same.
 */
import { expect } from 'chai';
import { ListObjectsV2Command, PutObjectCommand, RestoreObjectCommand, type StorageClass } from '@aws-sdk/client-s3';
import { moto } from '../../setup.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../../handler/logger.ts';
import { createWorld, type World } from '../../../../dev/replicationWorld.ts';
import { handlerEnv } from '../../../helpers/fixtures.ts';

const SOURCE = 'archived-source';
const DEST = 'archived-destination';

describe('handler against moto: archived source objects', function () {
  this.timeout(120_000);
  let world: World;
  const objects: [string, StorageClass | undefined][] = [
    ['2024/07/01/a.csv', undefined],
    ['2024/07/01/cold.csv', 'GLACIER'],
    ['2024/07/01/colder.csv', 'DEEP_ARCHIVE'],
    ['2024/07/01/instant.csv', 'GLACIER_IR'],
    ['2024/07/01/restored.csv', 'GLACIER'],
  ];

  before(async () => {
    await moto().reset();
    world = await createWorld({ source: SOURCE, destination: DEST });
    for (const [key, storageClass] of objects) {
      await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE, Key: key, Body: `body of ${key}`, ...(storageClass ? { StorageClass: storageClass } : {}) }));
    }
    await world.sourceAdmin.send(new RestoreObjectCommand({ Bucket: SOURCE, Key: '2024/07/01/restored.csv', RestoreRequest: { Days: 1 } }));
  });

  it('lists the restored object as GLACIER still (so its class alone cannot say it is archived)', async () => {
    const listed = await world.sourceAdmin.send(new ListObjectsV2Command({ Bucket: SOURCE, Prefix: '2024/07/01/restored.csv' }));
    expect(listed.Contents?.[0]?.StorageClass).to.equal('GLACIER');
  });

  it('a dry run shows the archived objects and counts the restored one as to copy', async () => {
    const config = parseHandlerConfig(handlerEnv({ SOURCE_BUCKET: SOURCE, DESTINATION_BUCKET: DEST }));
    const summary = await runEvent({ dates: ['2024-07-01'], dryRun: true }, config, createClients(config), { logger: createLogger([], () => undefined) });
    expect(summary).to.deep.include({ copied: 3, failed: 0, archived: 2 });
    expect(summary.archivedObjects.map((a) => a.key).sort()).to.deep.equal(['2024/07/01/cold.csv', '2024/07/01/colder.csv']);
  });

  it('copies the others, counts and lists the archived ones, logs how to restore them, and does not fail', async () => {
    const config = parseHandlerConfig(handlerEnv({ SOURCE_BUCKET: SOURCE, DESTINATION_BUCKET: DEST }));
    const lines: string[] = [];
    const summary = await runEvent({ dates: ['2024-07-01'] }, config, createClients(config), { logger: createLogger([], (l) => lines.push(l)) });
    expect(summary).to.deep.include({ copied: 3, failed: 0, archived: 2 });
    // In the order their HeadObject answered.
    expect([...summary.archivedObjects].sort((x, y) => (x.key < y.key ? -1 : 1))).to.deep.equal([
      { key: '2024/07/01/cold.csv', storageClass: 'GLACIER' },
      { key: '2024/07/01/colder.csv', storageClass: 'DEEP_ARCHIVE' },
    ]);
    const copied = await world.destinationAdmin.send(new ListObjectsV2Command({ Bucket: DEST }));
    expect((copied.Contents ?? []).map((o) => o.Key)).to.deep.equal(['2024/07/01/a.csv', '2024/07/01/instant.csv', '2024/07/01/restored.csv']);
    expect(lines.some((l) => l.includes('"s3-push archived objects"') && l.includes('restore-object'))).to.equal(true);
  });
});
