/**
 * The adaptive copies in flight against a fake S3 with scripted latency, a scripted capacity and
 * scripted SlowDown answers, on a fake clock (sinon): a day of thousands of copies runs in
 * milliseconds and every run is the same.
 *
 * The fake S3 answers each CopyObject after its latency; with a capacity, it serves at most that
 * many copies a second (a queue in front of the latency); with a throttle threshold, a copy that
 * arrives while more than that many are in flight is answered 503 SlowDown first: the throttle
 * count grows (as the destination client's counter does for each such answer,
 * handler/aws/throttleSignal.ts) and the copy is sent again after the SDK's backoff.
 */
import { expect } from 'chai';
import sinon from 'sinon';
import { CopyObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { adaptiveConcurrency, type ConcurrencyLimit } from '../../../../handler/copy/adaptiveConcurrency.ts';
import { connectionPlan } from '../../../../handler/copy/connections.ts';
import { replicateDay, type DayResult } from '../../../../handler/copy/replicateDay.ts';
import type { ObjectInfo } from '../../../../handler/copy/plan.ts';
import type { IsoDate } from '../../../../rules/dates.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { daySettings } from '../../../helpers/fixtures.ts';
import { mockReplicationClients } from '../../../helpers/awsMocks.ts';

const date = '2024-01-01' as IsoDate;
const o = (i: number): ObjectInfo => ({ key: `2024/01/01/${String(i).padStart(6, '0')}`, size: 10, etag: `e${i}`, lastModified: new Date('2024-01-02T00:00:00Z') });

interface FakeS3 {
  /** Milliseconds from request to answer. */
  readonly latencyMs: number;
  /** Copies per second the server completes at most. Default: no limit. */
  readonly perSecond?: number;
  /** A copy arriving while more than this many are in flight is answered SlowDown first. */
  readonly slowDownAbove?: number;
  /** The share (0–1) of the time the CPU is busy, as the controller reads it. Default 0.3. */
  readonly busy?: number;
}

interface Outcome {
  readonly result: DayResult;
  readonly limit: ConcurrencyLimit;
  /** Copies in flight at the fake S3, at most, over the day, and after the first throttling answer. */
  readonly maxInFlight: number;
  readonly maxInFlightAfterThrottle: number;
  /** The controller's limit at each copy start (in order), and the virtual ms each copy started at. */
  readonly limits: readonly number[];
  readonly starts: readonly number[];
  readonly throttled: number;
  readonly elapsedMs: number;
}

describe('adaptive copies in flight against a fake S3 (scripted latency, capacity, SlowDown)', function () {
  this.timeout(60_000);
  const { clients, src, dst } = mockReplicationClients();
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => clock.restore());

  async function day(objects: number, cap: number, s3: FakeS3, start?: number): Promise<Outcome> {
    src.on(ListObjectsV2Command).callsFake(fakeList(Array.from({ length: objects }, (_, i) => o(i))));
    dst.on(ListObjectsV2Command).callsFake(fakeList([]));
    const counter = { count: 0 };
    const limit = adaptiveConcurrency({ cap, start, now: () => Date.now(), busy: () => s3.busy ?? 0.3, throttles: () => counter.count });
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    let inFlight = 0;
    let maxInFlight = 0;
    let maxInFlightAfterThrottle = 0;
    let serverFreeAt = 0;
    const limits: number[] = [];
    const starts: number[] = [];
    dst.on(CopyObjectCommand).callsFake(async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (counter.count > 0) maxInFlightAfterThrottle = Math.max(maxInFlightAfterThrottle, inFlight);
      limits.push(limit.limit);
      starts.push(Date.now());
      try {
        if (s3.slowDownAbove !== undefined && inFlight > s3.slowDownAbove) {
          // 503 SlowDown after the latency, then the SDK's retry after its throttling backoff.
          await sleep(s3.latencyMs);
          counter.count++;
          await sleep(250);
        }
        if (s3.perSecond !== undefined) {
          serverFreeAt = Math.max(Date.now(), serverFreeAt) + 1000 / s3.perSecond;
          await sleep(serverFreeAt - Date.now());
        }
        await sleep(s3.latencyMs);
        return {};
      } finally {
        inFlight--;
      }
    });
    const t0 = Date.now();
    let result: DayResult | undefined;
    let failure: Error | undefined;
    replicateDay({ ...clients, throttles: counter }, daySettings({ copyConcurrency: cap }), { date, concurrency: limit, beforeCopy: () => undefined }).then((r) => (result = r), (e: unknown) => (failure = e instanceof Error ? e : new Error(String(e))));
    while (result === undefined && failure === undefined) await clock.tickAsync(5);
    if (failure !== undefined) throw failure;
    return { result: result!, limit, maxInFlight, maxInFlightAfterThrottle, limits, starts, throttled: counter.count, elapsedMs: Date.now() - t0 };
  }

  /** Copies started per second between two virtual times. */
  const rateBetween = (starts: readonly number[], from: number, to: number): number => (starts.filter((t) => t >= from && t < to).length * 1000) / (to - from);

  it('latency-bound (20 ms a copy, no server limit, idle CPU): grows to the cap, reaches cap ÷ latency, never passes the cap', async () => {
    const out = await day(12_000, 62, { latencyMs: 20 });
    expect(out.result.summary.copied).to.equal(12_000);
    expect(out.limit.stats()).to.deep.include({ start: 16, limit: 62, peak: 62, backoffs: 0 });
    expect(out.maxInFlight).to.equal(62);
    // Converged within the first second: the rest of the day runs near 62 / 20 ms = 3,100 copies/s.
    expect(rateBetween(out.starts, 1000, out.elapsedMs - 100)).to.be.above(0.9 * 3100);
  });

  it('server-bound (1,000 copies/s at 20 ms): settles near the knee of 20 in flight, not at the cap, and keeps the server busy', async () => {
    const out = await day(8000, 62, { latencyMs: 20, perSecond: 1000 });
    expect(out.result.summary.copied).to.equal(8000);
    const stats = out.limit.stats();
    // 16 → 32 gains, 32 → 62 does not and is undone; it probes 36 again every 10 windows, in vain.
    expect(stats.undone).to.be.at.least(2);
    expect(stats.limit).to.be.at.most(36);
    const late = out.limits.slice(out.limits.length / 2);
    expect(late.filter((l) => l === 32).length / late.length, 'share of the second half at 32').to.be.above(0.5);
    expect(Math.max(...late)).to.be.at.most(36);
    expect(rateBetween(out.starts, 1000, out.elapsedMs - 100)).to.be.above(0.95 * 1000);
  });

  it('CPU-saturated (the event loop 95 % busy): stays at its start, since more in flight cannot help', async () => {
    const out = await day(3000, 62, { latencyMs: 20, busy: 0.95 });
    expect(out.limit.stats()).to.deep.include({ limit: 16, peak: 16, growths: 0 });
    expect(out.maxInFlight).to.equal(16);
  });

  it('backs off on SlowDown (S3 throttles above 30 in flight): halves at once, throttles a small share of the copies, stays under the threshold on average', async () => {
    const out = await day(12_000, 62, { latencyMs: 20, slowDownAbove: 30 });
    expect(out.result.summary).to.deep.include({ copied: 12_000, failed: 0 });
    const stats = out.limit.stats();
    expect(stats.backoffs).to.be.at.least(1);
    // The first growth past 30 (16 → 32) is met with SlowDown and halved: 32 → 16; later probes
    // by a tenth pass 30 by a step at most before S3 pushes back again.
    expect(stats.peak).to.be.within(31, 36);
    expect(stats.low).to.be.at.most(16);
    // After the first throttle the limit grows back by a tenth at a time, so it never again runs far
    // past the threshold, and S3 throttles only the copies of those brief overshoots.
    expect(out.maxInFlightAfterThrottle).to.be.at.most(40);
    expect(out.throttled / 12_000).to.be.below(0.05);
    const firstThrottle = out.limits.findIndex((l, i) => i > 0 && l < out.limits[i - 1]!);
    const after = out.limits.slice(firstThrottle);
    expect(after.reduce((a, b) => a + b, 0) / after.length, 'mean limit after the first SlowDown').to.be.below(31);
  });

  it('never has more copies in flight than the cap, which the socket pools are sized for, even at 256 with slow copies', async () => {
    const out = await day(6000, 256, { latencyMs: 50 });
    expect(out.limit.stats().peak).to.equal(256);
    expect(out.maxInFlight).to.equal(256);
    const plan = connectionPlan(256);
    expect(out.maxInFlight * plan.partConcurrency + 2).to.be.at.most(plan.destinationSockets);
  });

  it('with the start at the cap, holds the cap (copies in flight fixed) until S3 throttles', async () => {
    const out = await day(3000, 40, { latencyMs: 20 }, 40);
    expect(out.limits.every((l) => l === 40)).to.equal(true);
    expect(out.limit.stats()).to.deep.include({ growths: 0, backoffs: 0, peak: 40, low: 40 });
  });
});
