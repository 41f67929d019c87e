import { expect } from 'chai';
import sinon from 'sinon';
import { moto } from '../setup.ts';
import { EXTERNAL_ID, handlerEnv, scheduledEvent, SOURCE_BUCKET } from '../../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../../dev/replicationWorld.ts';
import { handler } from '../../../handler/index.ts';
import type { Summary } from '../../../handler/summary.ts';
import { FUNCTION_DIMENSION, METRIC } from '../../../handler/metrics.ts';
import { emfProblems, emfValues, isEmfLine } from '../../helpers/emfSpec.ts';

// The Lambda entry itself (index.handler) on moto, with a Lambda-like context: its EMF lines are
// valid by the specification and carry exactly the summary's counts; every line has the request id
// and none the external id.
describe('metrics of the Lambda entry on moto', function () {
  this.timeout(60_000);
  let world: World;
  const env = handlerEnv({ EXTERNAL_ID });
  const saved: Record<string, string | undefined> = {};
  const context = (id: string) => ({ awsRequestId: id, functionName: 'replicate-to-partner-landing-zone', getRemainingTimeInMillis: () => 900_000 });

  before(async () => {
    await moto().reset();
    world = await createWorld();
    const keys = ['2024/03/01/a.json', '2024/03/01/b.json', '2024/03/01/c.json', '2024/03/02/d.json'];
    await putObjects(world.sourceAdmin, keys.map((Key, i) => ({ Bucket: SOURCE_BUCKET, Key, Body: 'x'.repeat(10 + i) })));
    for (const [k, v] of Object.entries(env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    delete process.env.WORK_QUEUE_URL;
  });
  after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  afterEach(() => sinon.restore());

  async function invoke(event: unknown, id: string): Promise<{ summary: Summary; lines: string[] }> {
    const log = sinon.stub(console, 'log');
    try {
      const summary = (await handler(event, context(id))) as Summary;
      return { summary, lines: log.getCalls().map((c) => String(c.args[0])) };
    } finally {
      log.restore();
    }
  }

  it('a backfill: one valid EMF line per day whose values equal the summary, a rerun likewise', async () => {
    for (const [run, id] of [['first', 'req-a'], ['rerun', 'req-b']] as const) {
      const { summary, lines } = await invoke({ dates: ['2024-03-01', '2024-03-02'] }, id);
      const emf = lines.filter(isEmfLine);
      expect(emf, run).to.have.length(2);
      for (const [i, line] of emf.entries()) {
        expect(emfProblems(line), run).to.deep.equal([]);
        const day = summary.dates[i]!;
        expect(JSON.parse(line)).to.include({ [FUNCTION_DIMENSION]: 'replicate-to-partner-landing-zone', date: day.date });
        expect(emfValues(line), run).to.include({ [METRIC.listed]: day.listed, [METRIC.copied]: day.copied, [METRIC.skipped]: day.skipped, [METRIC.failed]: day.failed, [METRIC.bytesCopied]: day.bytesCopied });
      }
      for (const line of lines) expect(JSON.parse(line), line).to.have.property('requestId', id);
      expect(lines.join('\n')).not.to.include(EXTERNAL_ID);
      if (run === 'first') expect(summary).to.include({ copied: 4, bytesCopied: 10 + 11 + 12 + 13 });
      else expect(summary).to.include({ copied: 0, skipped: 4 });
    }
  });

  it('the scheduled day: ScheduledDayCompleted 1 and the objects it listed', async () => {
    const { summary, lines } = await invoke(scheduledEvent('2024-03-02T06:00:00Z'), 'req-c');
    const [line] = lines.filter(isEmfLine);
    expect(emfProblems(line!)).to.deep.equal([]);
    expect(emfValues(line!)).to.include({ [METRIC.scheduledDayCompleted]: 1, [METRIC.scheduledDayObjectsListed]: summary.dates[0]!.listed });
    expect(summary.dates[0]!.listed).to.equal(3);
  });
});
