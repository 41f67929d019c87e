import { expect } from 'chai';
import { DeleteObjectsCommand, ListObjectsV2Command, type DeleteObjectsCommandInput, type ListObjectsV2CommandInput } from '@aws-sdk/client-s3';
import { parseHandlerConfig } from '../../../../handler/config.ts';
import { pushObjects, summarizeObjects } from '../../../../handler/pushOnWrite/pushOnWrite.ts';
import { parseObjectEvents } from '../../../../handler/pushOnWrite/objectEvents.ts';
import type { ObjectInfo } from '../../../../handler/copy/plan.ts';
import { fakeList } from '../../../helpers/fakeListing.ts';
import { mockReplicationClients } from '../../../helpers/awsMocks.ts';
import { DESTINATION_ACCOUNT, DESTINATION_BUCKET, handlerEnv, objectCreatedEvent, s3NotificationRecord } from '../../../helpers/fixtures.ts';

const o = (key: string): ObjectInfo => ({ key, size: 5, etag: 'e' });
const deletedEvent = (key: string) => parseObjectEvents(objectCreatedEvent(key, { detailType: 'Object Deleted', reason: 'DeleteObject' }));

describe('handler/pushOnWrite object-deleted events (exact days)', () => {
  const { clients, src, dst } = mockReplicationClients();
  const source = new Map<string, ObjectInfo>();
  const destination = new Map<string, ObjectInfo>();
  const exact = () => parseHandlerConfig(handlerEnv({ EXACT_DAYS: 'true', DESTINATION_PREFIX: 'in/' }));
  const deleted = () => dst.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete!.Objects!.map((x) => x.Key));
  beforeEach(() => {
    source.clear();
    destination.clear();
    src.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => fakeList([...source.values()])(input));
    dst.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => fakeList([...destination.values()])(input));
    dst.on(DeleteObjectsCommand).callsFake((input: DeleteObjectsCommandInput) => {
      for (const x of input.Delete!.Objects!) destination.delete(x.Key!);
      return {};
    });
  });

  it('parses Object Deleted and ObjectRemoved:* as deletions, nothing else', () => {
    expect(deletedEvent('2024/07/01/a')[0]).to.include({ deleted: true, created: false });
    expect(parseObjectEvents({ Records: [s3NotificationRecord('2024/07/01/a', { eventName: 'ObjectRemoved:Delete' }), s3NotificationRecord('2024/07/01/b', { eventName: 'ObjectRemoved:DeleteMarkerCreated' })] }).map((e) => e.deleted)).to.deep.equal([true, true]);
    expect(parseObjectEvents(objectCreatedEvent('2024/07/01/a'))[0]).to.not.have.property('deleted');
    expect(parseObjectEvents(objectCreatedEvent('2024/07/01/a', { detailType: 'Object Restore Completed' }))[0]).to.not.have.property('deleted');
  });

  it('deletes the copy of an object gone from the source, with ExpectedBucketOwner, while its day still has objects', async () => {
    source.set('2024/07/01/b', o('2024/07/01/b'));
    destination.set('in/2024/07/01/a', o('in/2024/07/01/a'));
    destination.set('in/2024/07/01/b', o('in/2024/07/01/b'));
    const outcomes = await pushObjects(deletedEvent('2024/07/01/a'), exact(), clients);
    expect(outcomes[0]).to.include({ outcome: 'deleted', date: '2024-07-01' });
    expect(deleted()).to.deep.equal([['in/2024/07/01/a']]);
    expect(dst.commandCalls(DeleteObjectsCommand)[0]!.args[0].input).to.include({ Bucket: DESTINATION_BUCKET, ExpectedBucketOwner: DESTINATION_ACCOUNT });
    expect(summarizeObjects(outcomes).deletes).to.deep.equal({ deleted: 1, keptAtSource: 0, keptEmptyDay: 0, alreadyGone: 0 });
  });

  it('keeps the copy when the source object is there again (a delete followed by a re-create)', async () => {
    source.set('2024/07/01/a', o('2024/07/01/a'));
    destination.set('in/2024/07/01/a', o('in/2024/07/01/a'));
    expect((await pushObjects(deletedEvent('2024/07/01/a'), exact(), clients))[0]).to.include({ outcome: 'keptAtSource' });
    expect(deleted()).to.deep.equal([]);
  });

  it('keeps the copy when the source day lists no object any more (an emptied or rewritten day)', async () => {
    source.set('2024/07/01/_S3PUSH_COMPLETE.json', o('2024/07/01/_S3PUSH_COMPLETE.json'));
    source.set('2024/07/02/x', o('2024/07/02/x'));
    destination.set('in/2024/07/01/a', o('in/2024/07/01/a'));
    expect((await pushObjects(deletedEvent('2024/07/01/a'), exact(), clients))[0]).to.include({ outcome: 'keptEmptyDay' });
    expect(deleted()).to.deep.equal([]);
  });

  it('sends no delete for a copy that is not there, and ignores deletions without exact days', async () => {
    source.set('2024/07/01/b', o('2024/07/01/b'));
    expect((await pushObjects(deletedEvent('2024/07/01/a'), exact(), clients))[0]).to.include({ outcome: 'alreadyGone' });
    destination.set('in/2024/07/01/a', o('in/2024/07/01/a'));
    const off = await pushObjects(deletedEvent('2024/07/01/a'), parseHandlerConfig(handlerEnv({ DESTINATION_PREFIX: 'in/' })), clients);
    expect(off[0]).to.include({ outcome: 'notCreated' });
    expect(summarizeObjects(off)).to.not.have.property('deletes');
    expect(deleted()).to.deep.equal([]);
  });

  it('reports a refused delete as a failure', async () => {
    source.set('2024/07/01/b', o('2024/07/01/b'));
    destination.set('in/2024/07/01/a', o('in/2024/07/01/a'));
    dst.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'in/2024/07/01/a', Code: 'AccessDenied', Message: 'Access Denied' }] });
    const outcomes = await pushObjects(deletedEvent('2024/07/01/a'), exact(), clients);
    expect(outcomes[0]).to.include({ outcome: 'failed' });
    expect(summarizeObjects(outcomes)).to.deep.include({ failed: 1 });
  });

  it('handles a creation and a deletion of one key in one batch each once, both as the key is now', async () => {
    source.set('2024/07/01/a', o('2024/07/01/a'));
    destination.set('in/2024/07/01/a', o('in/2024/07/01/a'));
    const events = [...parseObjectEvents(objectCreatedEvent('2024/07/01/a')), ...deletedEvent('2024/07/01/a'), ...deletedEvent('2024/07/01/a')];
    const outcomes = await pushObjects(events, exact(), clients);
    expect(outcomes.map((x) => x.outcome)).to.deep.equal(['skipped', 'keptAtSource', 'keptAtSource']);
  });
});
