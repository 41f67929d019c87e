import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { moto } from '../setup.ts';
import { DESTINATION_BUCKET, handlerEnv, objectCreatedEvent, s3NotificationRecord, SOURCE_BUCKET, sqsRecord } from '../../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../../dev/replicationWorld.ts';
import { runCommand } from '../../helpers/runCommand.ts';

const invoke = (args: string[], env: Record<string, string | undefined>) => runCommand('invoke', args, { env });

// Push on write replayed by hand: `npm run invoke -- --local --event FILE` with an object event of
// either shape, or an SQS batch of them, goes to the handler as the deployed function would get it.
describe('npm run invoke -- --local --event <object event>', function () {
  this.timeout(60_000);
  let world: World;
  let dir: string;
  const env = handlerEnv();
  const eventFile = async (name: string, event: unknown): Promise<string> => {
    const file = join(dir, name);
    await writeFile(file, JSON.stringify(event));
    return file;
  };
  const destinationBody = async (key: string): Promise<string> =>
    (await world.destinationAdmin.send(new GetObjectCommand({ Bucket: DESTINATION_BUCKET, Key: key }))).Body!.transformToString();
  const absent = async (key: string): Promise<boolean> =>
    (await world.destinationAdmin.send(new HeadObjectCommand({ Bucket: DESTINATION_BUCKET, Key: key })).then(() => false, (e: Error) => e.name === 'NotFound'));

  before(async () => {
    await moto().reset();
    world = await createWorld();
    await putObjects(world.sourceAdmin, [
      { Bucket: SOURCE_BUCKET, Key: '2024/02/01/eventbridge.json', Body: 'from eventbridge' },
      { Bucket: SOURCE_BUCKET, Key: '2024/02/02/red flower+1.json', Body: 'from a notification' },
      { Bucket: SOURCE_BUCKET, Key: '2024/02/03/queued.json', Body: 'from the object queue' },
      { Bucket: SOURCE_BUCKET, Key: '2024/02/04/untouched.json', Body: 'never named' },
    ]);
    dir = await mkdtemp(join(tmpdir(), 's3-push-invoke-objects-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('replays an EventBridge "Object Created" event: that object copied, its summary on stdout, exit 0', async () => {
    const r = await invoke(['--local', '--event', await eventFile('objectCreated.json', objectCreatedEvent('2024/02/01/eventbridge.json', { size: 16 }))], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.include({ events: 1, copied: 1, skipped: 0, failed: 0, bytesCopied: 16 });
    expect(await destinationBody('2024/02/01/eventbridge.json')).to.equal('from eventbridge');
    expect(await absent('2024/02/04/untouched.json')).to.equal(true);
  });

  it('replays an S3 notification {"Records": [...]}, its key form-decoded; a second replay skips it', async () => {
    const file = await eventFile('records.json', { Records: [s3NotificationRecord('2024/02/02/red+flower%2B1.json', { size: 19 })] });
    const r = await invoke(['--local', '--event', file], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.include({ events: 1, copied: 1, failed: 0 });
    expect(await destinationBody('2024/02/02/red flower+1.json')).to.equal('from a notification');
    const again = await invoke(['--local', '--event', file], env);
    expect(again.code, again.stderr).to.equal(0);
    expect(JSON.parse(again.stdout)).to.deep.include({ events: 1, copied: 0, skipped: 1 });
  });

  it('replays an SQS batch of object records as the object queue delivers it: batchItemFailures on stdout, exit 0', async () => {
    const batch = { Records: [sqsRecord('m-1', JSON.stringify(objectCreatedEvent('2024/02/03/queued.json', { size: 21 })))] };
    const r = await invoke(['--local', '--event', await eventFile('batch.json', batch)], env);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.equal({ batchItemFailures: [] });
    expect(await destinationBody('2024/02/03/queued.json')).to.equal('from the object queue');
  });

  it('a batch record that is not an object event or a work item fails that record: exit 1, named in batchItemFailures', async () => {
    const batch = { Records: [sqsRecord('m-bad', '{"Records": [{"eventSource": "aws:s3"}]}')] };
    const r = await invoke(['--local', '--event', await eventFile('badBatch.json', batch)], env);
    expect(r.code, r.stderr).to.equal(1);
    expect(JSON.parse(r.stdout)).to.deep.equal({ batchItemFailures: [{ itemIdentifier: 'm-bad' }] });
    expect(r.stderr).to.match(/1 record\(s\) of the batch failed/);
  });

  it('refuses a malformed object event, an object event with --dry-run, and --workers with one: exit 2, nothing copied', async () => {
    const malformed = await eventFile('malformed.json', { ...objectCreatedEvent('2024/02/04/untouched.json'), detail: { bucket: { name: SOURCE_BUCKET } } });
    const bad = await invoke(['--local', '--event', malformed], env);
    expect(bad.code, bad.stderr).to.equal(2);
    expect(bad.stderr).to.match(/^invoke failed: bad object event: /);
    const good = await eventFile('untouched.json', objectCreatedEvent('2024/02/04/untouched.json'));
    const dry = await invoke(['--local', '--event', good, '--dry-run'], env);
    expect(dry.code, dry.stderr).to.equal(2);
    expect(dry.stderr).to.match(/--dry-run \(or "dryRun"\) applies to copy events: an object event or an SQS batch is copied for real/);
    const workers = await invoke(['--local', '--workers', '2', '--event', good], env);
    expect(workers.code, workers.stderr).to.equal(2);
    expect(workers.stderr).to.match(/--workers fans out a backfill: it needs a copy event .*not an object event/);
    expect(await absent('2024/02/04/untouched.json')).to.equal(true);
  });

  it('refuses an event that is not a JSON object, naming the shapes it takes (exit 2)', async () => {
    const r = await invoke(['--local', '--event', await eventFile('list.json', [objectCreatedEvent('2024/02/04/untouched.json')])], env);
    expect(r.code, r.stderr).to.equal(2);
    expect(r.stderr).to.match(/expected a JSON object .*an object event \(EventBridge "Object Created", or an S3 notification \{"Records": \[\.\.\.\]\}\)/);
    expect(await absent('2024/02/04/untouched.json')).to.equal(true);
  });
});
