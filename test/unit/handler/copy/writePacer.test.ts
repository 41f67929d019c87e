import { expect } from 'chai';
import { S3_WRITES_PER_SECOND_PER_PREFIX, writePacer } from '../../../../handler/copy/writePacer.ts';

/** A fake clock: sleeping advances it (the pacer's only way to let time pass). */
function fakeClock(): { now: () => number; sleep: (ms: number) => Promise<void>; slept: number[]; advance: (ms: number) => void } {
  let t = 1000;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
    slept,
    advance: (ms) => {
      t += ms;
    },
  };
}

describe('handler/writePacer', () => {
  it('is S3\'s documented 3,500 writes per second per prefix by default', () => {
    expect(S3_WRITES_PER_SECOND_PER_PREFIX).to.equal(3500);
    const clock = fakeClock();
    const before = writePacer({ now: clock.now, sleep: clock.sleep });
    for (let i = 0; i < 3500; i++) expect(before()).to.equal(undefined);
    expect(before()).to.be.instanceOf(Promise);
    expect(clock.slept).to.deep.equal([1000]);
  });

  it('lets writes start at once below the rate, and holds the ones beyond it until a second after the start they displace', () => {
    const clock = fakeClock();
    const before = writePacer({ perSecond: 3, now: clock.now, sleep: clock.sleep });
    expect([before(), before(), before()]).to.deep.equal([undefined, undefined, undefined]);
    clock.advance(400);
    // Three started at t=1000: the 4th may start at 2000, 600 ms from now; the 5th and 6th too (their slots start at 1000), the 7th at 3000.
    const waits = [before(), before(), before(), before()];
    expect(waits.every((w) => w instanceof Promise)).to.equal(true);
    expect(clock.slept).to.deep.equal([600, 600, 600, 1600]);
    clock.advance(5000);
    expect(before()).to.equal(undefined);
  });

  it('never lets more than the limit start within any one second, whatever the arrival pattern', () => {
    const clock = fakeClock();
    const perSecond = 5;
    const before = writePacer({ perSecond, now: clock.now, sleep: clock.sleep });
    const startTimes: number[] = [];
    const arrivals = [0, 0, 0, 10, 10, 10, 10, 300, 300, 990, 999, 1000, 1001, 1500, 1500, 1500, 1500, 1500, 2600];
    let last = 0;
    for (const a of arrivals) {
      clock.advance(a - last);
      last = a;
      const before0 = clock.slept.length;
      void before();
      startTimes.push(clock.now() + (clock.slept.length > before0 ? clock.slept[clock.slept.length - 1]! : 0));
    }
    const sorted = [...startTimes].sort((x, y) => x - y);
    for (let i = 0; i + perSecond < sorted.length; i++) expect(sorted[i + perSecond]! - sorted[i]!, `starts ${i}..${i + perSecond}`).to.be.at.least(1000);
  });
});
