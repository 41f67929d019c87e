import { expect } from 'chai';
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { moto } from './setup.ts';
import { DESTINATION_BUCKET, handlerEnv, SOURCE_BUCKET } from '../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../dev/replicationWorld.ts';
import { startFaultProxy, type FaultProxy } from '../../dev/faultProxy.ts';
import { createClients } from '../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../handler/config.ts';
import { ReplicationFailedError } from '../../handler/errors.ts';
import { runEvent } from '../../handler/index.ts';
import { createLogger } from '../../handler/logger.ts';

const MiB = 1024 * 1024;
const PREFIX = '2024/01/01/';
const SMALL = 150;
const BIG_KEY = `${PREFIX}big.bin`;

// The handler behind the fault-injecting proxy: S3 throttling, 500s and dropped connections are
// retried by the SDK; an object that keeps failing is reported while the others are copied; a
// multipart copy whose part keeps failing is aborted, leaving no upload behind.
describe('handler under S3 faults (moto behind the fault proxy)', function () {
  this.timeout(90_000);
  let world: World;
  let proxy: FaultProxy;
  let savedEndpoint: string | undefined;
  const config = parseHandlerConfig(handlerEnv({ MULTIPART_THRESHOLD_BYTES: String(6 * MiB), PART_SIZE_BYTES: String(5 * MiB), COPY_CONCURRENCY: '8' }));
  const quiet = { logger: createLogger([], () => undefined) };
  const keys = Array.from({ length: SMALL }, (_, i) => `${PREFIX}f-${String(i).padStart(3, '0')} +%.txt`);

  before(async () => {
    await moto().reset();
    world = await createWorld();
    await putObjects(world.sourceAdmin, [
      ...keys.map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: `body of ${Key}` })),
      { Bucket: SOURCE_BUCKET, Key: BIG_KEY, Body: Buffer.alloc(11 * MiB, 7) },
    ]);
    proxy = await startFaultProxy({ target: moto().endpoint });
    savedEndpoint = process.env.AWS_ENDPOINT_URL;
    // The handler reaches the proxy the way it reaches any S3: through AWS_ENDPOINT_URL.
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  });
  after(async () => {
    process.env.AWS_ENDPOINT_URL = savedEndpoint;
    await proxy.close();
  });

  it('fails one object whose copy keeps failing, copies the others, and aborts a multipart copy whose part keeps failing', async () => {
    const doomed = keys[42]!;
    proxy.configure({
      rate: 0,
      always: [
        { when: (r) => r.method === 'PUT' && r.copySourceKey === doomed, kind: 'internalError' },
        { when: (r) => r.copySourceKey === BIG_KEY && /(^|&)partNumber=2(&|$)/.test(r.query), kind: 'internalError' },
      ],
    });
    const err = await runEvent({ dates: ['2024-01-01'] }, config, createClients(config), quiet).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(ReplicationFailedError);
    const s = (err as ReplicationFailedError).summary;
    expect(s).to.deep.include({ copied: SMALL - 1, failed: 2 });
    expect(s.failures.map((f) => f.key).sort()).to.deep.equal([doomed, BIG_KEY].sort());
    expect(s.failures.find((f) => f.key === BIG_KEY)!.error).to.match(/part 2 of 3 .*InternalError.*\(upload aborted\)$/);
    expect((err as Error).message).to.match(/^2 object\(s\) failed to copy/);

    proxy.configure({ always: [] });
    const uploads = await world.destinationAdmin.send(new ListMultipartUploadsCommand({ Bucket: DESTINATION_BUCKET }));
    expect(uploads.Uploads ?? []).to.deep.equal([]);
    const listed = await world.destinationAdmin.send(new ListObjectsV2Command({ Bucket: DESTINATION_BUCKET }));
    expect(listed.KeyCount).to.equal(SMALL - 1);
  });

  it('retries throttling, 500s and dropped connections until every object is copied', async () => {
    proxy.configure({ always: [], rate: 0.25, seed: 7, weights: { slowDown: 1, internalError: 1, drop: 1 } });
    proxy.resetCounts();
    // A fresh destination prefix: every object is copied again, under faults.
    const fresh = parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: 'retried/', MULTIPART_THRESHOLD_BYTES: String(6 * MiB), PART_SIZE_BYTES: String(5 * MiB), COPY_CONCURRENCY: '8' }));
    const s = await runEvent({ dates: ['2024-01-01'] }, fresh, createClients(fresh), quiet);
    expect(s).to.deep.include({ copied: SMALL + 1, skipped: 0, failed: 0 });
    const c = proxy.counts().faulted;
    expect(c.slowDown, 'SlowDown injected').to.be.greaterThan(0);
    expect(c.internalError, 'InternalError injected').to.be.greaterThan(0);
    expect(c.drop, 'connections dropped').to.be.greaterThan(0);
    proxy.configure({ rate: 0 });
    const got = await world.destinationAdmin.send(new GetObjectCommand({ Bucket: DESTINATION_BUCKET, Key: `retried/${keys[42]}` }));
    expect(await got.Body!.transformToString()).to.equal(`body of ${keys[42]}`);
  });
});
