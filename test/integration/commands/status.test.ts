import { expect } from 'chai';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { moto } from '../setup.ts';
import { deployEnv, DESTINATION_BUCKET, handlerEnv, SOURCE_BUCKET } from '../../helpers/fixtures.ts';
import { runCommand } from '../../helpers/runCommand.ts';
import { createWorld, putObjects, type World } from '../../../dev/replicationWorld.ts';
import { startFaultProxy, type FaultProxy } from '../../../dev/faultProxy.ts';
import { createClients } from '../../../handler/aws/clients.ts';
import { parseHandlerConfig } from '../../../handler/config.ts';
import { runEvent } from '../../../handler/copy/runCopy.ts';
import { createLogger } from '../../../handler/logger.ts';

const STATUS = 'deploy/commands/status/main.ts';
const days = Array.from({ length: 14 }, (_, i) => `2024-03-${String(i + 1).padStart(2, '0')}`);

// `npm run status -- --local` on moto over 14 days: 2024-03-04 misses objects at the destination,
// 2024-03-06 has one that differs, 2024-03-09 holds an archived (GLACIER) source object that the
// run left out, 2024-03-12 cannot be listed (the fault proxy answers its source listing with 500
// InternalError on every attempt); the other days are in sync. Then a clean range.
describe('npm run status on moto', function () {
  this.timeout(120_000);
  let world: World;
  let proxy: FaultProxy;
  const env = handlerEnv({ DESTINATION_PREFIX: 'from-acme/' });

  before(async () => {
    await moto().reset();
    world = await createWorld();
    await putObjects(world.sourceAdmin, days.flatMap((d) => ['a', 'b', 'c'].map((k) => ({ Bucket: SOURCE_BUCKET, Key: `${d.replaceAll('-', '/')}/${k}.json`, Body: `${d} ${k}` }))));
    const config = parseHandlerConfig(env);
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: '2024/03/09/cold.json', Body: 'archived', StorageClass: 'GLACIER' }));
    const run = await runEvent({ from: days[0], to: days[13] }, config, createClients(config), { logger: createLogger([], () => undefined) });
    expect(run, 'the archived object is left out, not failed').to.deep.include({ failed: 0, archived: 1 });
    // Out of sync in three ways.
    for (const k of ['a', 'b']) await world.destinationAdmin.send(new DeleteObjectCommand({ Bucket: DESTINATION_BUCKET, Key: `from-acme/2024/03/04/${k}.json` }));
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: '2024/03/06/c.json', Body: 'rewritten with another size' }));
    proxy = await startFaultProxy({
      target: moto().endpoint,
      always: [{ when: (r) => r.bucket === SOURCE_BUCKET && decodeURIComponent(r.query).includes('prefix=2024/03/12/'), kind: 'internalError' }],
    });
  });
  after(async () => {
    await proxy.close();
  });

  const status = (args: string[], extra: Record<string, string> = {}) =>
    runCommand(STATUS, ['--local', ...args], { env: { ...env, AWS_ENDPOINT_URL: proxy.endpoint, NO_COLOR: '1', ...extra } });

  it('prints the calendar in plain symbols, the days not in sync with their counts, and exits 1', async () => {
    const r = await status(['--from', days[0]!, '--to', days[13]!]);
    expect(r.code, r.stderr).to.equal(1);
    const report = r.stdout.replace(/error: listing (\S+) failed: .*$/m, 'error: listing $1 failed: …');
    expect(report).to.equal([
      'week of      Mo Tu We Th Fr Sa Su',
      '2024-02-26               .  .  .',
      '2024-03-04   M  .  D  .  .  A  .',
      '2024-03-11   .  E  .  .',
      '',
      '. in sync   M missing   D differ   A archived   E could not be checked',
      '',
      'not in sync:',
      '  2024-03-04  2 missing',
      '  2024-03-06  1 differ',
      '  2024-03-09  1 archived',
      '  2024-03-12  error: listing s3://acme-source-data/2024/03/12/ failed: …',
      '',
      '14 day(s) from 2024-03-01 to 2024-03-14: 10 in sync, 4 not',
      '',
    ].join('\n'));
    expect(r.stdout).to.match(/2024-03-12 {2}error: listing s3:\/\/acme-source-data\/2024\/03\/12\/ failed: .*InternalError/);
    expect(r.stdout).not.to.include('\u001b[');
    // A long range shows its progress on stderr, not in the report.
    expect(r.stderr).to.include('status: 14/14 days checked');
  });

  it('--json: one object per day, counts as numbers, error only where the day could not be checked', async () => {
    const r = await status(['--from', days[0]!, '--to', days[13]!, '--json']);
    expect(r.code, r.stderr).to.equal(1);
    const out = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(out).to.have.length(14);
    expect(out[3]).to.deep.equal({ date: '2024-03-04', inSync: false, missing: 2, differ: 0, archived: 0 });
    expect(out[5]).to.deep.equal({ date: '2024-03-06', inSync: false, missing: 0, differ: 1, archived: 0 });
    expect(out[8]).to.deep.equal({ date: '2024-03-09', inSync: false, missing: 0, differ: 0, archived: 1 });
    expect(out[11]).to.include({ date: '2024-03-12', inSync: false, missing: 0, differ: 0, archived: 0 }).and.have.property('error').that.match(/InternalError/);
    expect(out[0]).to.deep.equal({ date: '2024-03-01', inSync: true, missing: 0, differ: 0, archived: 0 });
    expect(out.filter((d) => 'error' in d)).to.have.length(1);
  });

  it('a clean range: every day in sync, exit 0, and listings only (no per-object request)', async () => {
    proxy.resetCounts();
    const r = await status(['--from', '2024-03-13', '--to', '2024-03-14']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('2024-03-11         .  .\n').and.include('2 day(s) from 2024-03-13 to 2024-03-14: 2 in sync, 0 not');
    expect(r.stdout).not.to.include('not in sync:');
    const s3 = proxy.log().filter((e) => e.service === 's3');
    expect(s3.length).to.equal(2 * 2);
    expect(s3.every((e) => e.method === 'GET' && e.query.includes('list-type=2'))).to.equal(true);
  });

  it('an archived day: its two listings and one HeadObject for the object listed as GLACIER (a restored one still lists so), nothing else', async () => {
    proxy.resetCounts();
    const r = await status(['--from', '2024-03-09', '--to', '2024-03-09', '--json']);
    expect(r.code, r.stderr).to.equal(1);
    expect(JSON.parse(r.stdout)).to.deep.equal([{ date: '2024-03-09', inSync: false, missing: 0, differ: 0, archived: 1 }]);
    const s3 = proxy.log().filter((e) => e.service === 's3');
    expect(s3.filter((e) => e.method === 'GET' && e.query.includes('list-type=2'))).to.have.length(2);
    expect(s3.filter((e) => e.method === 'HEAD').map((e) => `${e.bucket}/${e.key}`)).to.deep.equal([`${SOURCE_BUCKET}/2024/03/09/cold.json`]);
    expect(s3).to.have.length(3);
  });

  it('takes the region from AWS_DEFAULT_REGION alone, as invoke and check do', async () => {
    const r = await status(['--from', '2024-03-01', '--to', '2024-03-01', '--json'], { AWS_REGION: '', AWS_DEFAULT_REGION: 'us-east-1' });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal([{ date: '2024-03-01', inSync: true, missing: 0, differ: 0, archived: 0 }]);
  });

  it('no region, or two that disagree: one message, exit 2, no request (not an error per day)', async () => {
    proxy.resetCounts();
    const [none, disagree] = await Promise.all([
      status(['--days', '3'], { AWS_REGION: '', AWS_DEFAULT_REGION: '' }),
      status(['--days', '3'], { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'eu-west-1' }),
    ]);
    expect(none.code, none.stderr).to.equal(2);
    expect(none.stderr).to.equal('status failed: invalid handler environment:\n  AWS_DEFAULT_REGION (or AWS_REGION) is not set: expected the region of the source bucket, e.g. us-east-1\n');
    expect(disagree.code, disagree.stderr).to.equal(2);
    expect(disagree.stderr).to.include('AWS_REGION is "us-east-1" but AWS_DEFAULT_REGION is "eu-west-1": set one, or both to the same region');
    for (const r of [none, disagree]) expect(r.stdout).to.equal('');
    expect(proxy.counts().seen).to.equal(0);
  });

  it('takes the deploy variables instead of the handler\'s, building what the stack would set', async () => {
    const handlerNames = Object.fromEntries(Object.keys(env).map((k) => [k, undefined]));
    const r = await runCommand(STATUS, ['--local', '--from', '2024-03-03', '--to', '2024-03-04', '--json'], {
      env: { ...handlerNames, ...deployEnv({ S3_REPLICATE_DEST_PREFIX: 'from-acme/' }), AWS_ENDPOINT_URL: proxy.endpoint, NO_COLOR: '1' },
    });
    expect(r.code, r.stderr).to.equal(1);
    expect(JSON.parse(r.stdout)).to.deep.equal([
      { date: '2024-03-03', inSync: true, missing: 0, differ: 0, archived: 0 },
      { date: '2024-03-04', inSync: false, missing: 2, differ: 0, archived: 0 },
    ]);
    // Both names of one setting that disagree: neither wins.
    const both = await status(['--days', '1'], { ...deployEnv({ S3_REPLICATE_DEST_PREFIX: 'elsewhere/' }) });
    expect(both.code, both.stderr).to.equal(2);
    expect(both.stderr).to.include('DESTINATION_PREFIX is "from-acme/", but S3_REPLICATE_DEST_PREFIX gives it "elsewhere/" (as the stack would set it)');
  });

  it('refuses a bad flag with exit 2 before any request', async () => {
    proxy.resetCounts();
    const r = await status(['--days', '0']);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.include('status failed: the command line is not valid:\n  --days is "0": expected a whole number from 1 to 366');
    expect(r.stderr, 'a command-line error prints the usage after it').to.include('usage: npm run status');
    expect(proxy.counts().seen).to.equal(0);
  });
});
