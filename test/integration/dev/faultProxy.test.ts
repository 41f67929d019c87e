import { expect } from 'chai';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { moto } from '../setup.ts';
import { DESTINATION_ROLE_ARN, SOURCE_ACCOUNT } from '../../helpers/fixtures.ts';
import { startFaultProxy, touchesKey, type FaultProxy, type ProxyLogEntry } from '../../../dev/faultProxy.ts';

const BUCKET = 'fault-proxy-bucket';

// The proxy itself, against the shared moto: each fault reaches the SDK as the error S3 would give,
// and the draws depend on the seed and the request, not on arrival order.
describe('dev/faultProxy', () => {
  let proxy: FaultProxy;
  let direct: S3Client;

  before(async () => {
    await moto().reset();
    direct = new S3Client({ endpoint: moto().endpoint });
    await direct.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await direct.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'seed/a.txt', Body: 'alpha' }));
    proxy = await startFaultProxy({ target: moto().endpoint });
  });
  after(() => proxy.close());
  beforeEach(() => {
    proxy.configure({ rate: 0, always: [], seed: 1, weights: {}, eligible: undefined, services: ['s3'] });
    proxy.resetCounts();
  });

  /** A client through the proxy that does not retry, so that each fault surfaces. */
  const noRetry = () => new S3Client({ endpoint: proxy.endpoint, maxAttempts: 1 });

  it('forwards requests untouched when no fault is configured', async () => {
    const s3 = noRetry();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'via/proxy é+.txt', Body: 'through the proxy' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'via/proxy é+.txt' }));
    expect(await got.Body!.transformToString()).to.equal('through the proxy');
    const fromMoto = await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'via/proxy é+.txt' }));
    expect(await fromMoto.Body!.transformToString()).to.equal('through the proxy');
    expect(proxy.counts()).to.deep.include({ seen: 2, forwarded: 2, faultedTotal: 0 });
    const [put] = proxy.log();
    expect(put).to.include({ method: 'PUT', service: 's3', bucket: BUCKET, key: 'via/proxy é+.txt' });
  });

  it('answers 503 SlowDown with the S3 XML error body', async () => {
    proxy.configure({ always: [{ when: touchesKey('seed/a.txt'), kind: 'slowDown' }] });
    const err = await noRetry()
      .send(new GetObjectCommand({ Bucket: BUCKET, Key: 'seed/a.txt' }))
      .then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(S3ServiceException);
    const s3err = err as S3ServiceException;
    expect(s3err.name).to.equal('SlowDown');
    expect(s3err.$metadata.httpStatusCode).to.equal(503);
    expect(s3err.message).to.equal('Please reduce your request rate.');
    expect(proxy.counts()).to.deep.include({ seen: 1, forwarded: 0, faultedTotal: 1 });
    expect(proxy.counts().faulted.slowDown).to.equal(1);
  });

  it('answers 500 InternalError, also on HEAD (no body)', async () => {
    proxy.configure({ always: [{ when: touchesKey('seed/a.txt'), kind: 'internalError' }] });
    const s3 = noRetry();
    const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'seed/a.txt' })).then(() => undefined, (e: unknown) => e);
    expect((get as S3ServiceException).name).to.equal('InternalError');
    expect((get as S3ServiceException).$metadata.httpStatusCode).to.equal(500);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'seed/a.txt' })).then(() => undefined, (e: unknown) => e);
    expect((head as S3ServiceException).$metadata.httpStatusCode).to.equal(500);
    expect(proxy.counts().faulted.internalError).to.equal(2);
  });

  it('drops the connection before the request reaches the server', async () => {
    proxy.configure({ always: [{ when: touchesKey('dropped.txt'), kind: 'drop' }] });
    const err = await noRetry()
      .send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dropped.txt', Body: 'never stored' }))
      .then(() => undefined, (e: unknown) => e as Error & { code?: string });
    expect(err, 'the SDK sees a network error').to.be.instanceOf(Error);
    expect(err!.code ?? err!.name).to.match(/ECONNRESET|socket hang up|EPIPE/i);
    const head = await direct.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'dropped.txt' })).then(() => 'exists', () => 'absent');
    expect(head).to.equal('absent');
    expect(proxy.counts()).to.deep.include({ seen: 1, forwarded: 0 });
    expect(proxy.counts().faulted.drop).to.equal(1);
  });

  it('loses the response of a request the server did execute', async () => {
    proxy.configure({ always: [{ when: touchesKey('lost.txt'), kind: 'lostResponse' }] });
    const err = await noRetry()
      .send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lost.txt', Body: 'stored anyway' }))
      .then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    const got = await direct.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'lost.txt' }));
    expect(await got.Body!.transformToString()).to.equal('stored anyway');
    expect(proxy.counts()).to.deep.include({ seen: 1, forwarded: 1 });
  });

  it('delays a slow response and still delivers it', async () => {
    proxy.configure({ always: [{ when: touchesKey('seed/a.txt'), kind: 'slow' }], slowMs: 150 });
    const started = performance.now();
    const got = await noRetry().send(new GetObjectCommand({ Bucket: BUCKET, Key: 'seed/a.txt' }));
    expect(await got.Body!.transformToString()).to.equal('alpha');
    // A lower bound only: the delay exists; how long the rest takes is not asserted.
    expect(performance.now() - started).to.be.at.least(140);
    expect(proxy.counts()).to.deep.include({ seen: 1, forwarded: 1 });
    expect(proxy.counts().faulted.slow).to.equal(1);
  });

  it('keeps a timeline of arrivals and answers: a slow request is still in flight when a later one is answered', async () => {
    proxy.configure({ always: [{ when: touchesKey('seed/a.txt'), kind: 'slow' }], slowMs: 150 });
    const s3 = noRetry();
    const slow = s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'seed/a.txt' }));
    // Sent once the slow one has arrived, so the order of arrivals is known.
    while (proxy.log().length === 0) await new Promise((r) => setTimeout(r, 5));
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'seed/missing.txt' })).catch(() => undefined);
    await slow;
    expect(proxy.timeline()).to.deep.equal([
      { event: 'request', index: 0 },
      { event: 'request', index: 1 },
      { event: 'answered', index: 1 },
      { event: 'answered', index: 0 },
    ]);
    proxy.resetCounts();
    expect(proxy.timeline()).to.deep.equal([]);
  });

  it('faults a CopyObject whose copy source is the matched key', async () => {
    proxy.configure({ always: [{ when: touchesKey('seed/a.txt'), kind: 'internalError' }] });
    const err = await noRetry()
      .send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/b.txt', CopySource: `${BUCKET}/seed/a.txt` }))
      .then(() => undefined, (e: unknown) => e);
    expect((err as S3ServiceException).name).to.equal('InternalError');
    expect(proxy.log()[0]).to.include({ key: 'copy/b.txt', copySourceKey: 'seed/a.txt', copySource: `${BUCKET}/seed/a.txt` });
  });

  it("shows the SDK default: 3 attempts, so a request faulted twice succeeds and one faulted 3 times fails", async () => {
    const s3 = new S3Client({ endpoint: proxy.endpoint }); // default retry mode: standard, maxAttempts 3
    proxy.configure({ always: [{ when: (r, attempt) => r.key === 'seed/a.txt' && attempt < 2, kind: 'slowDown' }] });
    const ok = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'seed/a.txt' }));
    expect(ok.$metadata.attempts).to.equal(3);
    await ok.Body!.transformToString();

    proxy.resetCounts();
    proxy.configure({ always: [{ when: (r, attempt) => r.key === 'seed/a.txt' && attempt < 3, kind: 'internalError' }] });
    const err = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'seed/a.txt' })).then(() => undefined, (e: unknown) => e);
    expect((err as S3ServiceException).name).to.equal('InternalError');
    expect((err as S3ServiceException).$metadata.attempts).to.equal(3);
    expect(proxy.counts()).to.deep.include({ seen: 3, forwarded: 0, faultedTotal: 3 });
  });

  it('faults only the signing services configured (S3 by default), never STS', async () => {
    proxy.configure({ rate: 1 });
    const sts = new STSClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
    const me = await sts.send(new GetCallerIdentityCommand({}));
    expect(me.Account).to.equal(SOURCE_ACCOUNT);
    expect(proxy.log()[0]).to.include({ service: 'sts', fault: undefined });
    const err = await noRetry().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'seed/a.txt' })).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(Error);
    expect(proxy.counts()).to.deep.include({ seen: 2, faultedTotal: 1 });
  });

  it('answers query-protocol services (STS) with their own Throttling error, which the SDK retries', async () => {
    proxy.configure({ services: ['sts'], always: [{ when: (r, attempt) => r.action === 'AssumeRole' && attempt < 2, kind: 'slowDown' }] });
    const once = new STSClient({ endpoint: proxy.endpoint, maxAttempts: 1 });
    const err = await once
      .send(new AssumeRoleCommand({ RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 'proxy-test' }))
      .then(() => undefined, (e: unknown) => e as Error & { $metadata?: { httpStatusCode?: number } });
    expect(err?.name).to.equal('Throttling');
    expect(err?.message).to.equal('Rate exceeded');
    expect(err?.$metadata?.httpStatusCode).to.equal(400);

    const retrying = new STSClient({ endpoint: proxy.endpoint }); // the SDK default: 3 attempts
    const ok = await retrying.send(new AssumeRoleCommand({ RoleArn: DESTINATION_ROLE_ARN, RoleSessionName: 'proxy-test-2' }));
    expect(ok.Credentials?.AccessKeyId).to.be.a('string');
    expect(ok.$metadata.attempts).to.equal(3);
    expect(proxy.log().map((e) => `${e.action}:${e.fault ?? 'ok'}`)).to.deep.equal([
      'AssumeRole:slowDown',
      'AssumeRole:slowDown',
      'AssumeRole:slowDown',
      'AssumeRole:ok',
    ]);
  });

  describe('seeded draws', () => {
    const keys = Array.from({ length: 200 }, (_, i) => `draws/${String(i).padStart(3, '0')}.txt`);
    before(async () => {
      for (const key of keys.slice(0, 20)) await direct.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
    });

    /** HEADs every key twice, 16 at a time, in an order that depends on `shuffle`; returns the faulted set. */
    async function run(seed: number, shuffle: number): Promise<{ faulted: Set<string>; entries: readonly ProxyLogEntry[] }> {
      proxy.resetCounts();
      proxy.configure({ rate: 0.2, seed, weights: { slowDown: 1, internalError: 1, drop: 1, slow: 1 }, slowMs: 5 });
      const s3 = noRetry();
      const order = [...keys, ...keys].map((k, i) => ({ k, sort: (i * 7919 * shuffle) % 401 })).sort((a, b) => a.sort - b.sort);
      const queue = [...order];
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) {
            await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: next.k })).catch(() => undefined);
          }
        }),
      );
      const entries = proxy.log();
      return { faulted: new Set(entries.filter((e) => e.fault).map((e) => `${e.key}#${e.attempt}:${e.fault}`)), entries };
    }

    it('fault the same requests for the same seed whatever the arrival order, others for another seed', async () => {
      const a = await run(42, 1);
      const b = await run(42, 3);
      const c = await run(43, 1);
      expect(a.entries).to.have.length(400);
      expect([...a.faulted].sort()).to.deep.equal([...b.faulted].sort());
      expect([...a.faulted].sort()).to.not.deep.equal([...c.faulted].sort());
      // 20% of 400: binomial, sd 8; these bounds fail only on a broken PRNG or rate.
      expect(a.faulted.size).to.be.within(50, 110);
      const kinds = new Set([...a.faulted].map((f) => f.split(':').pop()));
      expect([...kinds].sort()).to.deep.equal(['drop', 'internalError', 'slow', 'slowDown']);
      const counts = proxy.counts();
      expect(counts.seen).to.equal(400);
      expect(counts.forwarded).to.equal(400 - counts.faulted.slowDown - counts.faulted.internalError - counts.faulted.drop);
    });
  });
});
