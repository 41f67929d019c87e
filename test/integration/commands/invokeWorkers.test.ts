import { expect } from 'chai';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { DeleteQueueCommand, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { moto } from '../setup.ts';
import { DESTINATION_BUCKET, handlerEnv, SOURCE_BUCKET } from '../../helpers/fixtures.ts';
import { createWorld, putObjects, type World } from '../../../dev/replicationWorld.ts';
import { runCommand } from '../../helpers/runCommand.ts';
import { createSqsClient } from '../../../handler/aws/workQueue.ts';
import { createTemporaryQueues, queueDepth, removeTemporaryQueues } from '../../../deploy/local/localWorkers.ts';

const invoke = (args: string[], env: Record<string, string | undefined>) => runCommand('invoke', args, { env });

// `npm run invoke -- --local --workers N` as an operator runs it, against moto.
describe('npm run invoke -- --local --workers N', function () {
  this.timeout(120_000);
  let world: World;
  const sqs = createSqsClient();

  before(async () => {
    await moto().reset();
    world = await createWorld();
    await putObjects(world.sourceAdmin, ['2024-01-01', '2024-01-02', '2024-01-03'].flatMap((d) =>
      Array.from({ length: 5 }, (_, i) => ({ Bucket: SOURCE_BUCKET, Key: `${d.replace(/-/g, '/')}/o${i}.json`, Body: `${d} ${i}` }))));
  });

  it('plans the range into a temporary queue, drains it with 2 workers, prints the summary and removes the queues', async () => {
    const r = await invoke(['--local', '--workers', '2', '--from', '2024-01-01', '--to', '2024-01-03'], handlerEnv());
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.deep.include({ days: 3, copied: 15, failed: 0, deadLettered: 0, queueLeft: 0, invocations: 3, continuations: 0 });
    expect(r.stderr).to.match(/using a temporary work queue/);
    expect(r.stderr).to.include('s3-push fan-out planned');
    const dst = await world.destinationAdmin.send(new ListObjectsV2Command({ Bucket: DESTINATION_BUCKET, Prefix: '2024/' }));
    expect(dst.KeyCount).to.equal(15);
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).to.deep.equal([]);
  });

  it('uses the queue given with --queue-url and leaves it in place, empty', async () => {
    const queue = await createTemporaryQueues(sqs, { namePrefix: 'operator-queue' });
    try {
      const r = await invoke(['--local', '--workers', '1', '--budget-ms', '60000', '--queue-url', queue.queueUrl, '--dates', '2024-01-02', '--dry-run'], handlerEnv());
      expect(r.code, r.stderr).to.equal(0);
      expect(JSON.parse(r.stdout)).to.deep.include({ days: 1, copied: 0, skipped: 5, deadLettered: 0 });
      expect(await queueDepth(sqs, queue.queueUrl)).to.deep.equal({ visible: 0, inFlight: 0 });
    } finally {
      await queue.remove();
    }
  });

  it('Ctrl-C deletes the temporary queues it made, and exits 130', async () => {
    let announced!: () => void;
    const queueMade = new Promise<void>((resolve) => (announced = resolve));
    const run = runCommand('invoke', ['--local', '--workers', '1', '--from', '2024-01-01', '--to', '2024-01-03'], {
      env: handlerEnv(),
      onSpawn: (child) => {
        let seen = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          if (seen.includes('using a temporary work queue')) announced();
        });
        void queueMade.then(() => child.kill('SIGINT'));
      },
    });
    await queueMade;
    const r = await run;
    expect(r.code, r.stderr).to.equal(130);
    expect(r.stderr).to.match(/interrupted: invoke stopped\ndeleted the temporary work queue s3-push-local-\w+ and its dead-letter queue/);
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).to.deep.equal([]);
  });

  it('the cleanup of an interrupted run deletes by name whichever of the two queues exist', async () => {
    await removeTemporaryQueues(sqs, 'never-made');
    const made = await createTemporaryQueues(sqs, { name: 'half-made' });
    await sqs.send(new DeleteQueueCommand({ QueueUrl: made.queueUrl }));
    await removeTemporaryQueues(sqs, 'half-made');
    expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).to.deep.equal([]);
  });

  it('rejects --workers without --local, exit 2, before any request', async () => {
    const r = await invoke(['--workers', '2', '--dates', '2024-01-01'], handlerEnv());
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--workers runs the fan-out in this process: add --local/);
  });
});
