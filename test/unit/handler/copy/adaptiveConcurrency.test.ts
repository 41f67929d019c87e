import { expect } from 'chai';
import fc from 'fast-check';
import { adaptiveConcurrency, CPU_SATURATED, DEFAULT_START_CONCURRENCY, HOLD_WINDOWS } from '../../../../handler/copy/adaptiveConcurrency.ts';

/** A controller on a clock the test moves, with a scripted busy share and throttle count. */
function scripted(cap: number, start?: number) {
  const state = { t: 0, busy: 0.3, throttles: 0 };
  const limit = adaptiveConcurrency({ cap, start, now: () => state.t, busy: () => state.busy, throttles: () => state.throttles, windowMs: 100 });
  /** Copies finishing at `rate` per second until the controller closes one window. */
  const window = (rate: number): void => {
    const closed = limit.stats().windows;
    while (limit.stats().windows === closed) {
      state.t += 1000 / rate;
      limit.finished();
    }
  };
  return { state, limit, window };
}

describe('handler/copy/adaptiveConcurrency', () => {
  it('starts at 16, or at the cap when that is lower, or where it is told, within 1 to the cap', () => {
    expect(adaptiveConcurrency({ cap: 62 }).limit).to.equal(DEFAULT_START_CONCURRENCY);
    expect(adaptiveConcurrency({ cap: 4 }).limit).to.equal(4);
    expect(adaptiveConcurrency({ cap: 62, start: 62 }).limit).to.equal(62);
    expect(adaptiveConcurrency({ cap: 62, start: 100 }).limit).to.equal(62);
    expect(adaptiveConcurrency({ cap: 62, start: 0 }).limit).to.equal(1);
  });

  it('doubles while the rate grows with it and the CPU has idle time, judging each growth a window later, up to the cap', () => {
    const { limit, window } = scripted(62);
    const seen = [limit.limit];
    // Latency-bound: 20 ms per copy, so the rate is limit / 20 ms.
    for (let i = 0; i < 8; i++) {
      window(limit.limit * 50);
      seen.push(limit.limit);
    }
    // 16 → 32 → 62 (the cap); each growth is followed by a window that is not judged.
    expect(seen.slice(0, 6)).to.deep.equal([16, 32, 32, 62, 62, 62]);
    expect(seen.at(-1)).to.equal(62);
    expect(limit.stats()).to.deep.include({ peak: 62, growths: 2, undone: 0, backoffs: 0 });
  });

  it('undoes a growth that did not raise the rate by 5 %, holds for 10 windows, then probes by a tenth', () => {
    const { limit, window } = scripted(62);
    // The server serves at most 1,000 copies/s: the rate stops growing above 20 in flight (20 ms each).
    const rate = () => Math.min(1000, limit.limit * 50);
    window(rate()); // 16: 800/s → 32
    window(rate()); // settling
    window(rate()); // 32: 1,000/s, a gain → 62
    expect(limit.limit).to.equal(62);
    window(rate()); // settling
    window(rate()); // 62: still 1,000/s → back to 32
    expect(limit.limit).to.equal(32);
    window(rate()); // settling
    for (let i = 0; i < HOLD_WINDOWS; i++) {
      window(rate());
      expect(limit.limit, `held, window ${i}`).to.equal(32);
    }
    window(rate()); // tries again, by a tenth now
    expect(limit.limit).to.equal(36);
    window(rate()); // settling
    window(rate()); // no gain → 32
    expect(limit.limit).to.equal(32);
    expect(limit.stats()).to.deep.include({ peak: 62, undone: 2 });
  });

  it('does not grow while the CPU is saturated (the event loop busy 90 % of the time or more)', () => {
    const { state, limit, window } = scripted(62);
    state.busy = CPU_SATURATED;
    for (let i = 0; i < 20; i++) window(limit.limit * 50);
    expect(limit.stats()).to.deep.include({ limit: 16, peak: 16, growths: 0 });
    state.busy = CPU_SATURATED - 0.01;
    window(limit.limit * 50);
    expect(limit.limit).to.equal(32);
  });

  it('halves at the first throttling answer, once per round of the copies in flight, then grows back by a tenth', () => {
    const { state, limit, window } = scripted(62, 40);
    window(2000);
    expect(limit.limit).to.equal(62);
    // The 62 copies in flight all answered SlowDown: one halving, not one per copy.
    state.throttles++;
    limit.finished();
    expect(limit.limit).to.equal(31);
    for (let i = 0; i < 61; i++) {
      state.throttles++;
      state.t += 1;
      limit.finished();
    }
    expect(limit.limit).to.equal(31);
    // Still throttled after that round: halves again.
    state.throttles++;
    state.t += 1;
    limit.finished();
    expect(limit.limit).to.equal(15);
    expect(limit.stats().backoffs).to.equal(2);
    // Quiet again: a settling window, then growth by a tenth (15 → 17 → 19 …), each judged a window later.
    const after: number[] = [];
    for (let i = 0; i < 6; i++) {
      window(limit.limit * 50);
      after.push(limit.limit);
    }
    expect(after).to.deep.equal([15, 17, 17, 19, 19, 21]);
    expect(limit.stats().low).to.equal(15);
  });

  it('never goes below 1 however often S3 throttles', () => {
    const { state, limit } = scripted(8, 8);
    for (let i = 0; i < 100; i++) {
      state.throttles++;
      state.t += 1;
      limit.finished();
    }
    expect(limit.limit).to.equal(1);
  });

  it('stays within 1 and the cap whatever the clock, the rates, the CPU and the throttling do', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 256 }),
      fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
      fc.array(fc.record({ dt: fc.double({ min: 0, max: 500, noNaN: true }), busy: fc.double({ min: 0, max: 1, noNaN: true }), throttle: fc.boolean() }), { maxLength: 400 }),
      (cap, start, steps) => {
        const state = { t: 0, busy: 0, throttles: 0 };
        const limit = adaptiveConcurrency({ cap, start, now: () => state.t, busy: () => state.busy, throttles: () => state.throttles });
        for (const s of steps) {
          state.t += s.dt;
          state.busy = s.busy;
          if (s.throttle) state.throttles++;
          limit.finished();
          if (!(limit.limit >= 1 && limit.limit <= cap && Number.isInteger(limit.limit))) return false;
        }
        const stats = limit.stats();
        return stats.peak <= cap && stats.low >= 1;
      },
    ), { numRuns: 300 });
  });
});
