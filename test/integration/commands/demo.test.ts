import { expect } from 'chai';
import { DEMO, SAMPLE_OBJECTS, runDemo } from '../../../deploy/commands/demo/demo.ts';
import { SECOND_PARTNER, runSecondPartner } from '../../../deploy/commands/demo/partners.ts';
import { sourcePolicySids } from '../../../rules/sourcePolicySids.ts';
import { moto } from '../setup.ts';

// `npm run demo` minus starting its own server: the same module against the shared moto. CI also
// runs `npm run demo` itself (.ci/run), so the newcomer's first command cannot rot.
describe('npm run demo (the demo module against moto)', function () {
  this.timeout(120_000);

  it('deploys, applies the three documents, passes the preflight and copies the sample days once', async () => {
    await moto().reset();
    const lines: string[] = [];
    const result = await runDemo({ endpoint: moto().endpoint, log: (l) => lines.push(l), pollIntervalMs: 20 });

    expect(result.check.ok).to.equal(true);
    expect(result.check.links.map((l) => l.status)).to.deep.equal(['ok', 'ok', 'ok', 'ok']);
    const inDays = SAMPLE_OBJECTS.filter((o) => DEMO.days.some((d) => o.key.includes(d.replaceAll('-', '/'))));
    expect(result.backfill.dates.map((d) => d.date)).to.deep.equal(DEMO.days);
    expect(result.backfill).to.deep.include({ copied: inDays.length, failed: 0, skipped: 0 });
    expect(result.rerun).to.deep.include({ copied: 0, skipped: inDays.length, failed: 0 });
    expect([...result.destinationKeys].sort()).to.deep.equal(inDays.map((o) => DEMO.destinationPrefix + o.key).sort());
    expect(result.destinationKeys).to.include('from-acme/events/2024/03/02/daily report é 日本.txt');

    const text = lines.join('\n');
    expect(text).to.include('│ [6/6] IAM documents');
    expect(text).to.include('aws iam update-assume-role-policy --role-name s3-push-writer');
    expect(text).to.include('preflight: 4 of 4 links ok');
    expect(text).to.include(`total: ${inDays.length} copied`);
    // It ends with npm run status over its days: all in sync.
    expect(result.status.map((s) => [s.date, s.inSync])).to.deep.equal(DEMO.days.map((d) => [d, true]));
    // A day rewritten upstream arrives exact: its two old parts deleted, three new ones copied.
    expect(result.rewritten.dates[0]).to.deep.include({ date: '2024-03-01', copied: 3, extra: 2, deleted: 2, failed: 0 });
    expect(result.rewrittenDay.destination).to.deep.equal(result.rewrittenDay.source).and.have.length(4);
    expect(text).to.include('the destination day equals the source day, object for object (4)');
    expect(text).to.include('▶ npm run status -- --from 2024-03-01 --to 2024-03-03').and.include('3 day(s) from 2024-03-01 to 2024-03-03: 3 in sync, 0 not');
    // The external id is random per run and must never be printed.
    expect(text).not.to.match(/demo-[0-9a-f]{8}-/);
  });

  it('--partners 2: a second partner from the same source bucket gets one day in its own layout, both partners\' statements coexist, and destroying it keeps the first\'s', async () => {
    await moto().reset();
    const lines: string[] = [];
    const result = await runDemo({ endpoint: moto().endpoint, log: (l) => lines.push(l), pollIntervalMs: 20, secondPartner: runSecondPartner });
    const second = result.secondPartner!;
    const day = SECOND_PARTNER.day;
    const inDay = SAMPLE_OBJECTS.filter((o) => o.key.startsWith(`events/${day.replaceAll('-', '/')}/`));
    expect(second.copy).to.deep.include({ copied: inDay.length, failed: 0 });
    // One source day, two layouts: the first partner's prefix, the second's own format.
    expect([...second.keys.first].sort()).to.deep.equal(inDay.map((o) => `${DEMO.destinationPrefix}${o.key}`).sort());
    expect([...second.keys.second].sort()).to.deep.equal(inDay.map((o) => o.key.replace(`events/${day.replaceAll('-', '/')}/`, `raw/dt=${day}/`)).sort());
    const first = sourcePolicySids({ stackName: result.stackName, region: DEMO.region });
    const other = sourcePolicySids({ stackName: second.stackName, region: DEMO.region });
    expect(second.sids.both).to.deep.equal([first.Read, first.List, other.Read, other.List]);
    expect(second.sids.afterDestroy).to.deep.equal([first.Read, first.List]);
    expect(second.firstInSync).to.equal(true);
    expect(lines.join('\n')).to.include(`▶ npm run destroy -- --yes --stack ${second.stackName}`);
  });
});
