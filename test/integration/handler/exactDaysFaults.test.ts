import { expect } from 'chai';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { moto } from '../setup.ts';
import { createClients } from '../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../handler/config.ts';
import { ReplicationFailedError } from '../../../handler/errors.ts';
import { runEvent } from '../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../handler/logger.ts';
import type { Summary } from '../../../handler/summary.ts';
import { startFaultProxy, touchesKey, type FaultProxy, type ProxiedRequest } from '../../../dev/faultProxy.ts';
import { listEtags, makeObjects, putObjects } from '../../helpers/s3Data.ts';
import { DESTINATION_ROLE_ARN, handlerEnv } from '../../helpers/fixtures.ts';

// The delete path of exact days under injected faults (fault proxy → moto, two accounts): a
// DeleteObjects that fails, or whose answer is lost, loses no object the source has and leaves the
// day consistent after a rerun; a copy that fails keeps every delete from being sent.
const SOURCE = 'exact-faults-source';
const DEST = 'exact-faults-destination';
const isDeleteObjects = (r: ProxiedRequest): boolean => r.method === 'POST' && r.bucket === DEST && /(^|&)delete(=|&|$)/.test(r.query);

describe('exact days under injected S3 faults (fault proxy → moto)', function () {
  this.timeout(300_000);
  let proxy: FaultProxy;
  let savedEndpoint: string | undefined;
  let sourceS3: S3Client;
  let destS3: S3Client;

  before(async () => {
    await moto().reset();
    proxy = await startFaultProxy({ target: moto().endpoint });
    sourceS3 = new S3Client({ endpoint: moto().endpoint });
    const sts = new STSClient({ endpoint: moto().endpoint });
    const c = (await sts.send(new AssumeRoleCommand({ RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 'exact-faults-test' }))).Credentials!;
    destS3 = new S3Client({ endpoint: moto().endpoint, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    await sourceS3.send(new CreateBucketCommand({ Bucket: SOURCE }));
    await destS3.send(new CreateBucketCommand({ Bucket: DEST }));
    savedEndpoint = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  });
  after(async () => {
    process.env.AWS_ENDPOINT_URL = savedEndpoint;
    await proxy.close();
  });

  const config = () => parseHandlerConfig(handlerEnv({ SOURCE_BUCKET: SOURCE, DESTINATION_BUCKET: DEST, COPY_CONCURRENCY: '8', EXACT_DAYS: 'true', DAY_MARKER: 'true' }));
  const run = async (event: unknown): Promise<{ summary: Summary; error?: unknown }> => {
    const c = config();
    try {
      return { summary: await runEvent(event, c, createClients(c), { logger: createLogger([], () => undefined) }) };
    } catch (error) {
      if (!(error instanceof ReplicationFailedError)) throw error;
      return { summary: error.summary, error };
    }
  };
  /** The day's objects at the destination, marker aside, as `key etag` (the copies keep the source's ETag). */
  const destinationDay = async (prefix: string) => [...(await listEtags(destS3, DEST, prefix))].filter(([k]) => !k.endsWith('_S3PUSH_COMPLETE.json')).map(([k, v]) => `${k} ${v.etag}`).sort();
  const sourceDay = async (prefix: string) => [...(await listEtags(sourceS3, SOURCE, prefix))].map(([k, v]) => `${k} ${v.etag}`).sort();

  it('a DeleteObjects that fails every attempt deletes nothing, loses nothing, is reported per key; the rerun makes the day exact', async () => {
    const day = '2024-05-01';
    const prefix = '2024/05/01/';
    const current = makeObjects(prefix, 40);
    await putObjects(sourceS3, SOURCE, current);
    // A run of the day before the rewrite: 1,200 part files the source no longer has (two batches).
    const old = makeObjects(`${prefix}old-run/`, 1200);
    await putObjects(destS3, DEST, old);

    proxy.resetCounts();
    proxy.configure({ rate: 0, always: [{ when: isDeleteObjects, kind: 'internalError' }] });
    const first = await run({ dates: [day] });
    expect(first.error).to.be.instanceOf(ReplicationFailedError);
    expect(first.summary.dates[0]).to.deep.include({ copied: 40, extra: 1200, deleted: 0, failed: 1200 });
    expect(first.summary.dates[0]!.marker, 'no marker for a day whose deletes failed').to.equal(undefined);
    expect(first.summary.failures[0]!.error).to.match(/DeleteObjects of 1000 key\(s\) .* failed: InternalError/);
    expect(proxy.log().filter((e) => isDeleteObjects(e)).length, 'the SDK retried each batch').to.be.greaterThan(2);
    // Nothing the source has was touched.
    const copied = await destinationDay(prefix);
    for (const line of await sourceDay(prefix)) expect(copied).to.include(line);
    expect(copied).to.have.length(1240);

    proxy.configure({ rate: 0.3, seed: 21, weights: { internalError: 1, lostResponse: 2, slowDown: 1 }, eligible: isDeleteObjects, always: [] });
    const second = await run({ dates: [day] });
    proxy.configure({ rate: 0, eligible: undefined, always: [] });
    const third = second.error ? await run({ dates: [day] }) : second;
    expect(third.error).to.equal(undefined);
    expect(await destinationDay(prefix)).to.deep.equal(await sourceDay(prefix));
    expect(third.summary.dates[0]).to.deep.include({ failed: 0, marker: 'written' });
    const again = await run({ dates: [day] });
    expect(again.summary.dates[0]).to.deep.include({ copied: 0, extra: 0, deleted: 0, marker: 'unchanged' });
  });

  it('a copy that fails in the day keeps every delete from being sent', async () => {
    const day = '2024-05-02';
    const prefix = '2024/05/02/';
    const objects = makeObjects(prefix, 20);
    await putObjects(sourceS3, SOURCE, objects);
    await putObjects(destS3, DEST, makeObjects(`${prefix}stale/`, 5));
    proxy.resetCounts();
    proxy.configure({ rate: 0, always: [{ when: touchesKey(objects[3]!.key), kind: 'internalError' }] });
    const r = await run({ dates: [day] });
    expect(r.error).to.be.instanceOf(ReplicationFailedError);
    expect(r.summary.dates[0]).to.deep.include({ copied: 19, failed: 1, extra: 5, deleted: 0, notDeleted: 'copyFailed' });
    expect(proxy.log().some((e) => isDeleteObjects(e)), 'no DeleteObjects request was sent').to.equal(false);
    expect((await destinationDay(`${prefix}stale/`)).length).to.equal(5);
    proxy.configure({ always: [] });
    const rerun = await run({ dates: [day] });
    expect(rerun.summary.dates[0]).to.deep.include({ copied: 1, failed: 0, extra: 5, deleted: 5 });
    expect(await destinationDay(prefix)).to.deep.equal(await sourceDay(prefix));
  });
});
