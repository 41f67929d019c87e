import { expect } from 'chai';
import { moto } from '../../setup.ts';
import { handlerEnv, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';
import { createWorld, putObjects } from '../../../../dev/replicationWorld.ts';
import { startFaultProxy, type FaultProxy, type ProxyLogEntry, type ProxyTimelineEvent } from '../../../../dev/faultProxy.ts';
import { createClients } from '../../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { runEvent } from '../../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../../handler/logger.ts';
import type { Summary } from '../../../../handler/summary.ts';

const DAY = '2024/10/01/';
const READY = `${DAY}_SUCCESS`;
// _SUCCESS sorts before part-*: in the listing's order it would be among the first copies.
const PARTS = Array.from({ length: 40 }, (_, i) => `${DAY}part-${String(i).padStart(5, '0')}.parquet`);

/** What the timeline says about the copies (CopyObject requests) of the day, at the wire. */
function copiesAtTheWire(log: readonly ProxyLogEntry[], timeline: readonly ProxyTimelineEvent[]) {
  const isCopy = (i: number): boolean => log[i]!.copySourceKey !== '';
  const inFlight = new Set<number>();
  const answered = new Set<number>();
  let most = 0;
  let atReady: { inFlight: number; answered: number } | undefined;
  for (const e of timeline) {
    if (!isCopy(e.index)) continue;
    if (e.event === 'request') {
      if (log[e.index]!.copySourceKey === READY) atReady ??= { inFlight: inFlight.size, answered: answered.size };
      inFlight.add(e.index);
      most = Math.max(most, inFlight.size);
    } else {
      inFlight.delete(e.index);
      answered.add(e.index);
    }
  }
  const order = log.filter((e) => e.copySourceKey !== '').map((e) => e.copySourceKey);
  return { order, most, atReady };
}

// The ready key's order counted at a proxy between the handler and moto: the request order at the
// wire, with copies of random latency in flight, not the client's timestamps.
describe('the ready key is the last copy request of the day, at the wire (fault proxy → moto)', function () {
  this.timeout(120_000);
  let proxy: FaultProxy;
  let savedEndpoint: string | undefined;

  before(async () => {
    await moto().reset();
    const world = await createWorld();
    await putObjects(world.sourceAdmin, [...PARTS, READY].map((Key) => ({ Bucket: SOURCE_BUCKET, Key, Body: `body of ${Key}` })));
    proxy = await startFaultProxy({ target: moto().endpoint });
    savedEndpoint = process.env.AWS_ENDPOINT_URL;
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;
  });
  after(async () => {
    process.env.AWS_ENDPOINT_URL = savedEndpoint;
    await proxy.close();
  });

  const run = (event: unknown, destinationPrefix: string): Promise<Summary> => {
    const config = parseHandlerConfig(handlerEnv({ SOURCE_READY_KEY: '_SUCCESS', COPY_CONCURRENCY: '8', DESTINATION_PREFIX: destinationPrefix }));
    return runEvent(event, config, createClients(config), { logger: createLogger([], () => undefined) });
  };

  it('sends every other copy first, with several in flight, and the ready key only once all of them are answered', async () => {
    // Half of the copies answered 150 ms late: they finish out of the walk's order.
    proxy.configure({ rate: 0.5, seed: 21, weights: { slow: 1, slowDown: 0, internalError: 0, drop: 0 }, slowMs: 150, eligible: (r) => r.copySourceKey !== '' && r.copySourceKey !== READY, always: [] });
    proxy.resetCounts();
    const summary = await run({ dates: ['2024-10-01'] }, 'in-order/');
    expect(summary.dates[0]).to.deep.include({ listed: 41, copied: 41, failed: 0, ready: 'copied' });
    expect(proxy.counts().faulted.slow, 'some copies were slow').to.be.greaterThan(5);

    const { order, most, atReady } = copiesAtTheWire(proxy.log(), proxy.timeline());
    expect(order).to.have.length(41);
    expect(order.at(-1), 'the last CopyObject at the wire').to.equal(READY);
    expect(order.filter((k) => k === READY)).to.have.length(1);
    expect([...order.slice(0, -1)].sort()).to.deep.equal(PARTS);
    expect(most, 'copies in flight at once').to.be.at.least(4);
    expect(atReady, 'when the ready key was sent').to.deep.equal({ inFlight: 0, answered: 40 });
  });

  it('never sends the ready key while an object of the day fails', async () => {
    const poisoned = `${DAY}part-00007.parquet`;
    proxy.configure({ rate: 0, eligible: undefined, always: [{ when: (r) => r.copySourceKey === poisoned, kind: 'internalError' }] });
    proxy.resetCounts();
    // A destination prefix of its own: every object of the day is to be copied again.
    const err = await run({ dates: ['2024-10-01'] }, 'held/').then(() => undefined, (e: { summary?: Summary }) => e);
    expect(err?.summary?.dates[0]).to.deep.include({ copied: 39, failed: 1, ready: 'held' });
    const copies = proxy.log().filter((e) => e.copySourceKey !== '').map((e) => e.copySourceKey);
    expect(copies).to.include(poisoned);
    expect(copies).not.to.include(READY);
  });
});
