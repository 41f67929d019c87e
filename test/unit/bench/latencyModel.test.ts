import { expect } from 'chai';
import { createServer, request, type Server } from 'node:http';
import { startCountingProxy } from '../../../bench/countingProxy.ts';
import {
  AWS_LATENCY_MODEL,
  describeLatencyModel,
  envelopeOf,
  latencyOf,
  latencySampler,
  parseLatencyModel,
  type LatencyModel,
} from '../../../bench/latencyModel.ts';

function model(spec: string): LatencyModel {
  const parsed = parseLatencyModel(spec);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.model;
}

function problem(spec: string): string {
  const parsed = parseLatencyModel(spec);
  if (!('problem' in parsed)) throw new Error(`expected a problem for ${spec}`);
  return parsed.problem;
}

describe('bench/latencyModel', () => {
  it('reads Operation=ms pairs with a default, and the named aws model', () => {
    const m = model('CopyObject=30,ListObjectsV2=60,HeadObject=20,UploadPartCopy=60,default=25');
    expect(m.byOperation).to.deep.equal({ CopyObject: 30, ListObjectsV2: 60, HeadObject: 20, UploadPartCopy: 60 });
    expect(m.defaultMs).to.equal(25);
    expect(m.jitter).to.equal(0.3);
    expect(latencyOf(m, 'CopyObject')).to.equal(30);
    expect(latencyOf(m, 'DeleteObject')).to.equal(25);
    // An operation named like an Object prototype key is still only the default.
    expect(latencyOf(m, 'toString')).to.equal(25);
    expect(model('CopyObject=12.5').defaultMs).to.equal(20);
    expect(parseLatencyModel('aws')).to.deep.equal({ model: AWS_LATENCY_MODEL });
    expect(latencyOf(AWS_LATENCY_MODEL, 'CopyObject')).to.equal(30);
    expect(latencyOf(AWS_LATENCY_MODEL, 'ListObjectsV2')).to.equal(60);
    expect(describeLatencyModel(m)).to.equal('CopyObject 30 · ListObjectsV2 60 · HeadObject 20 · UploadPartCopy 60 · other 25 ms, ±30 % uniform jitter');
  });

  it('refuses a malformed model, naming the part at fault', () => {
    expect(problem('CopyObject')).to.match(/^--latency "CopyObject": "CopyObject" is not Operation=ms; expected aws, or Operation=ms pairs/);
    expect(problem('CopyObject=-1')).to.match(/"CopyObject=-1" is not Operation=ms/);
    expect(problem('CopyObject=30,,HeadObject=2')).to.match(/an empty entry/);
    expect(problem('CopyObject=30,CopyObject=40')).to.equal('--latency "CopyObject=30,CopyObject=40": CopyObject is given twice');
    expect(problem('default=1,default=2')).to.match(/default is given twice/);
    expect(problem('CopyObject=2001')).to.match(/CopyObject=2001 is above 2000 ms/);
    expect(problem('lambda')).to.match(/"lambda" is not Operation=ms/);
  });

  it('draws every delay within ±30 % of the figure, centred on it, the same sequence for the same seed', () => {
    const m = model('CopyObject=100,default=10');
    const a = latencySampler(m, 7);
    const samples = Array.from({ length: 5000 }, () => a('CopyObject'));
    expect(Math.min(...samples)).to.be.at.least(70);
    expect(Math.max(...samples)).to.be.below(130);
    const mean = samples.reduce((x, y) => x + y, 0) / samples.length;
    expect(mean).to.be.within(98, 102);
    // Spread over the whole range, not stuck near the middle.
    expect(samples.filter((x) => x < 80).length).to.be.above(500);
    expect(samples.filter((x) => x > 120).length).to.be.above(500);
    const b = latencySampler(m, 7);
    expect(Array.from({ length: 5000 }, () => b('CopyObject'))).to.deep.equal(samples);
    const c = latencySampler(m, 8);
    expect(Array.from({ length: 10 }, () => c('CopyObject'))).to.not.deep.equal(samples.slice(0, 10));
    expect(latencySampler(m, 1)('HeadObject')).to.be.within(7, 13);
  });

  it('envelope: min(quota / CPU per copy, in flight / latency per object), counting every request per object', () => {
    const aws = AWS_LATENCY_MODEL;
    // s3-push-like: one CopyObject per object, listings and AssumeRole amortized.
    const s3push = envelopeOf({ cpuQuota: 0.58, cpuPerCopyMs: 1.0, requests: { CopyObject: 2500, ListObjectsV2: 6, AssumeRole: 1 }, objects: 2500, copiesInFlight: 16, model: aws })!;
    expect(s3push.latencyPerObjectMs).to.be.closeTo(30 + (6 * 60 + 30) / 2500, 1e-9);
    expect(s3push.cpuBound).to.be.closeTo(580, 1e-9);
    expect(s3push.latencyBound).to.be.closeTo(16_000 / s3push.latencyPerObjectMs, 1e-9);
    expect(s3push.limit).to.equal(s3push.latencyBound);
    expect(s3push.boundBy).to.equal('latency');
    // rclone-like: a HeadObject before each copy adds its 20 ms.
    const rclone = envelopeOf({ cpuQuota: 0.58, cpuPerCopyMs: 0.6, requests: { CopyObject: 2500, HeadObject: 2500, ListObjects: 4 }, objects: 2500, copiesInFlight: 32, model: aws })!;
    expect(rclone.latencyPerObjectMs).to.be.closeTo(50 + (4 * 60) / 2500, 1e-9);
    expect(rclone.latencyBound).to.be.closeTo(32_000 / rclone.latencyPerObjectMs, 1e-9);
    expect(rclone.cpuBound).to.be.closeTo(966.67, 0.01);
    expect(rclone.boundBy).to.equal('latency');
    // Enough in flight and the CPU binds.
    const many = envelopeOf({ cpuQuota: 0.58, cpuPerCopyMs: 1.0, requests: { CopyObject: 100 }, objects: 100, copiesInFlight: 64, model: aws })!;
    expect(many).to.deep.include({ cpuBound: 580, limit: 580, boundBy: 'cpu' });
    expect(many.latencyBound).to.be.closeTo(64_000 / 30, 1e-9);
    expect(envelopeOf({ cpuQuota: 1, cpuPerCopyMs: 1, requests: {}, objects: 0, copiesInFlight: 1, model: aws })).to.equal(undefined);
    expect(envelopeOf({ cpuQuota: 1, cpuPerCopyMs: Number.NaN, requests: { CopyObject: 1 }, objects: 1, copiesInFlight: 1, model: aws })).to.equal(undefined);
  });

  describe('in the counting proxy', () => {
    let upstream: Server;
    let target: string;
    before(async () => {
      upstream = createServer((req, res) => {
        req.resume();
        res.end('ok');
      });
      await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
      const address = upstream.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      target = `http://127.0.0.1:${address.port}`;
    });
    after(async () => {
      upstream.closeAllConnections();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    });

    const timed = (endpoint: string, method: string, path: string, headers: Record<string, string> = {}): Promise<number> =>
      new Promise((resolve, reject) => {
        const started = performance.now();
        const req = request(`${endpoint}${path}`, { method, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(performance.now() - started));
        });
        req.on('error', reject);
        req.end();
      });

    it('holds each response for its operation\'s latency (±30 %), and not without a model', async () => {
      // Figures far above what a loaded machine adds to a local request, so that only the model explains them.
      const slow = await startCountingProxy({ target, latency: { model: model('CopyObject=1000,HeadObject=400,default=0'), seed: 3 } });
      const plain = await startCountingProxy({ target });
      try {
        const copyHeaders = { 'x-amz-copy-source': '/src/key' };
        const [copy, head, unmodelled] = await Promise.all([
          timed(slow.endpoint, 'PUT', '/bucket/key', copyHeaders),
          timed(slow.endpoint, 'HEAD', '/bucket/key'),
          timed(plain.endpoint, 'PUT', '/bucket/key', copyHeaders),
        ]);
        await timed(slow.endpoint, 'GET', '/bucket?list-type=2');
        expect(copy).to.be.at.least(700);
        expect(head).to.be.at.least(280);
        expect(head).to.be.below(copy);
        // The same request at the same time without a model: the difference is the model's.
        expect(copy - unmodelled).to.be.at.least(300);
        expect(slow.take().byOperation).to.deep.equal({ CopyObject: 1, HeadObject: 1, ListObjectsV2: 1 });
      } finally {
        await slow.close();
        await plain.close();
      }
    });

    it('draws the same jitter for every measured run: take() restarts the sequence from its seed', async function () {
      this.timeout(10_000);
      const m = model('CopyObject=1000,default=0');
      // Seed 120 draws a long delay, then a short one: a second run that went on with the sequence
      // would answer about 560 ms sooner than the first.
      const draws = latencySampler(m, 120);
      const first = draws('CopyObject');
      expect(draws('CopyObject'), 'the sequence\'s second draw').to.be.below(first - 400);
      const proxy = await startCountingProxy({ target, latency: { model: m, seed: 120 } });
      try {
        const copyHeaders = { 'x-amz-copy-source': '/src/key' };
        // A delay only ever grows on a loaded machine: each run is held at least its draw.
        expect(await timed(proxy.endpoint, 'PUT', '/bucket/key', copyHeaders), 'the first run').to.be.at.least(first - 5);
        proxy.take();
        expect(await timed(proxy.endpoint, 'PUT', '/bucket/key', copyHeaders), 'the next run, after take()').to.be.at.least(first - 5);
      } finally {
        await proxy.close();
      }
    });
  });
});
