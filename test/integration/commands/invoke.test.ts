import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { moto } from '../setup.ts';
import { DESTINATION_BUCKET, EXTERNAL_ID, handlerEnv, SOURCE_BUCKET } from '../../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../../dev/replicationWorld.ts';
import { runCommand } from '../../helpers/runCommand.ts';
/** Runs `npm run invoke` the way an operator does, with this process's environment and `env` on top. */
const invoke = (args: string[], env: Record<string, string | undefined>) => runCommand('invoke', args, { env });

// `npm run invoke -- --local` against moto: the same handler, the same environment names.
describe('npm run invoke -- --local', function () {
  this.timeout(60_000);
  let world: World;
  let dir: string;
  const env = handlerEnv();

  before(async () => {
    await moto().reset();
    world = await createWorld();
    await putObjects(world.sourceAdmin, [
      { Bucket: SOURCE_BUCKET, Key: '2024/01/01/a.json', Body: 'a' },
      { Bucket: SOURCE_BUCKET, Key: '2024/01/02/b c+d.json', Body: 'bcd' },
    ]);
    dir = await mkdtemp(join(tmpdir(), 's3-push-invoke-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs testInput.json, prints the summary on stdout and exits 0', async () => {
    const r = await invoke(['--local', '--event', 'testInput.json'], env);
    expect(r.code, r.stderr).to.equal(0);
    const summary = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(summary).to.deep.include({ dryRun: false, copied: 2, skipped: 0, failed: 0, bytesCopied: 4 });
    const got = await world.destinationAdmin.send(new GetObjectCommand({ Bucket: DESTINATION_BUCKET, Key: '2024/01/02/b c+d.json' }));
    expect(await got.Body!.transformToString()).to.equal('bcd');
    expect(r.stderr).to.include('s3-push summary');
    expect(r.stderr + r.stdout).not.to.include(EXTERNAL_ID);
  });

  it('plans with --dry-run and --from/--to', async () => {
    await world.sourceAdmin.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: '2024/01/03/new.json', Body: 'new' }));
    const r = await invoke(['--local', '--from', '2024-01-01', '--to', '2024-01-03', '--dry-run'], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.include({ dryRun: true, copied: 1, skipped: 2 });
  });

  it('exits 2 naming the bad date, and copies nothing', async () => {
    const r = await invoke(['--local', '--dates', '2024-01-03,2023-02-29'], env);
    expect(r.code).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.match(/invoke failed: bad event: "dates"\[1\] is "2023-02-29": not a calendar date/);
    expect(r.stderr.match(/not a calendar date/g), 'the error is said once, not also as the handler\'s log line').to.have.length(1);
    const err = await world.destinationAdmin.send(new GetObjectCommand({ Bucket: DESTINATION_BUCKET, Key: '2024/01/03/new.json' })).catch((e: unknown) => e);
    expect((err as Error).name).to.equal('NoSuchKey');
  });

  it('exits 2 on a bad environment, naming every bad variable', async () => {
    const r = await invoke(['--local', '--dates', '2024-01-01'], { ...env, SOURCE_BUCKET: undefined, COPY_CONCURRENCY: 'lots' });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/SOURCE_BUCKET is not set/).and.match(/COPY_CONCURRENCY is "lots"/);
  });

  it('exits 2 on a bad command line or event file, and without --local when no stack is named', async () => {
    expect((await invoke(['--local', '--dates'], env)).code).to.equal(2);
    const file = join(dir, 'bad.json');
    await writeFile(file, '{"dates": [');
    const bad = await invoke(['--local', '--event', file], env);
    expect(bad.code).to.equal(2);
    expect(bad.stderr).to.match(/not valid JSON/);
    const remote = await invoke(['--dates', '2024-01-01'], env);
    expect(remote.code).to.equal(2);
    // Without --local it invokes the deployed function: the handler environment names no stack.
    expect(remote.stderr).to.match(/no stack named: pass --stack NAME, or set S3_REPLICATE_STACK_NAME/);
  });

  it('runs {"check": true} from an event file: the preflight report on stdout, exit 0', async () => {
    const file = join(dir, 'check.json');
    await writeFile(file, '{"check": true}');
    const r = await invoke(['--local', '--event', file], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.include({ check: true, ok: true });
    // A broken link: the report still on stdout, exit 1 (the event and environment were fine).
    const broken = await invoke(['--local', '--event', file], { ...env, DESTINATION_BUCKET: 'no-such-bucket-here' });
    expect(broken.code, broken.stderr).to.equal(1);
    expect(JSON.parse(broken.stdout)).to.deep.include({ check: true, ok: false });
  });

  it('exits 1 and still prints the summary when a day cannot be listed, said as a day, not as objects', async () => {
    // A destination bucket that does not exist: the day's destination listing fails.
    const r = await invoke(['--local', '--dates', '2024-01-01'], { ...env, DESTINATION_BUCKET: 'no-such-bucket-here' });
    expect(r.code, r.stderr).to.equal(1);
    expect(JSON.parse(r.stdout)).to.deep.include({ failed: 1, copied: 0 });
    expect(r.stderr).to.match(/invoke failed: 1 day\(s\) could not be listed \(2024-01-01\)/).and.match(/NoSuchBucket/);
    // Said once on stderr (the runner's line), not also in the handler's summary log line: the summary is on stdout.
    expect(r.stderr.match(/NoSuchBucket/g), r.stderr).to.have.length(1);
    expect(r.stdout.match(/NoSuchBucket/g), r.stdout).to.have.length(1);
    expect(r.stderr).to.not.include('object(s) failed');
  });

  it('a backfill too long for one local run names --workers N, the local fan-out, not WORK_QUEUE_URL (exit 2)', async () => {
    const r = await invoke(['--local', '--from', '2022-01-01', '--to', '2023-12-31'], env);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/^invoke failed: bad event: 730 days requested; at most 366 days per event: .*--workers N/);
    expect(r.stderr).to.not.include('WORK_QUEUE_URL');
  });

  it('takes the region from AWS_DEFAULT_REGION when AWS_REGION is not set, and refuses neither (exit 2)', async () => {
    const r = await invoke(['--local', '--dates', '2024-01-01', '--dry-run'], { ...env, AWS_REGION: undefined, AWS_DEFAULT_REGION: 'us-east-1' });
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.include({ failed: 0 });
    const none = await invoke(['--local', '--dates', '2024-01-01'], { ...env, AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined });
    expect(none.code, none.stderr).to.equal(2);
    expect(none.stderr).to.match(/^invoke failed: invalid handler environment:\n {2}AWS_DEFAULT_REGION \(or AWS_REGION\) is not set/);
  });
});
