import { expect } from 'chai';
import { routeEvent, type Route } from '../../../handler/router.ts';
import { MAX_DAYS_PER_EVENT, MAX_DAYS_PER_FAN_OUT } from '../../../handler/events.ts';
import { objectCreatedEvent, s3NotificationRecord, scheduledEvent, sqsRecord, SOURCE_BUCKET } from '../../helpers/fixtures.ts';

const inline = { lagDays: 1, maxDays: MAX_DAYS_PER_EVENT };
const workBody = '{"date": "2024-01-01"}';
const objectBody = JSON.stringify(objectCreatedEvent('2024/01/01/a.csv'));
const notificationBody = JSON.stringify({ Records: [s3NotificationRecord('2024/01/01/b.csv')] });

interface Row {
  readonly shape: string;
  readonly event: unknown;
  readonly kind: Route['kind'];
  /** What else the route must hold. */
  readonly then?: (route: Route) => void;
}

function as<K extends Route['kind']>(route: Route, kind: K): Extract<Route, { kind: K }> {
  expect(route.kind).to.equal(kind);
  return route as Extract<Route, { kind: K }>;
}

const invalid = (message: string) => (route: Route): void => {
  expect(as(route, 'invalid').error.message).to.include(message);
};

const rows: readonly Row[] = [
  // The schedule's event: the day LAG_DAYS before its time.
  { shape: 'scheduled event', event: scheduledEvent('2024-03-01T06:00:00Z'), kind: 'scheduled',
    then: (r) => expect(as(r, 'scheduled').copy).to.deep.equal({ kind: 'copy', trigger: 'schedule', dates: ['2024-02-29'], dryRun: false }) },
  { shape: 'scheduled event, dry run', event: { ...scheduledEvent('2024-03-01T06:00:00Z'), dryRun: true }, kind: 'scheduled',
    then: (r) => expect(as(r, 'scheduled').copy.dryRun).to.equal(true) },
  { shape: 'scheduled event with a bad time', event: scheduledEvent('yesterday'), kind: 'invalid', then: invalid('scheduled event "time" is "yesterday"') },
  { shape: 'scheduled event with a field of another shape', event: { ...scheduledEvent('2024-03-01T06:00:00Z'), check: true }, kind: 'invalid', then: invalid('unknown field(s) "check"') },
  // Days by hand.
  { shape: 'dates', event: { dates: ['2024-01-02', '2024-01-01'] }, kind: 'days',
    then: (r) => expect(as(r, 'days').copy).to.deep.equal({ kind: 'copy', trigger: 'dates', dates: ['2024-01-02', '2024-01-01'], dryRun: false }) },
  { shape: 'range, dry run, fanned out', event: { from: '2024-01-30', to: '2024-02-01', dryRun: true, fanOut: true }, kind: 'days',
    then: (r) => expect(as(r, 'days').copy).to.deep.equal({ kind: 'copy', trigger: 'range', dates: ['2024-01-30', '2024-01-31', '2024-02-01'], dryRun: true, fanOut: true }) },
  { shape: 'dates and a range at once', event: { dates: ['2024-01-01'], from: '2024-01-01', to: '2024-01-02' }, kind: 'invalid', then: invalid('not both') },
  { shape: 'range longer than maxDays', event: { from: '2023-01-01', to: '2024-01-02' }, kind: 'invalid', then: invalid('367 days requested; at most 366') },
  // The preflight.
  { shape: 'check', event: { check: true }, kind: 'check', then: (r) => expect(as(r, 'check').check).to.deep.equal({ kind: 'check' }) },
  { shape: 'check of a day', event: { check: true, date: '2024-02-29' }, kind: 'check', then: (r) => expect(as(r, 'check').check.date).to.equal('2024-02-29') },
  { shape: 'check not true', event: { check: 'yes' }, kind: 'invalid', then: invalid('"check" is "yes"') },
  // SQS batches: work items, object events, both.
  { shape: 'SQS batch of work items', event: { Records: [sqsRecord('w1', workBody), sqsRecord('w2', '{"date": "2024-01-02"}')] }, kind: 'workBatch',
    then: (r) => expect(as(r, 'workBatch').records.map((x) => x.messageId)).to.deep.equal(['w1', 'w2']) },
  { shape: 'SQS batch of a body that is no JSON (a bad work item, rejected by the batch)', event: { Records: [sqsRecord('w1', '{"date": ')] }, kind: 'workBatch',
    then: (r) => expect(as(r, 'workBatch').records).to.have.length(1) },
  { shape: 'SQS batch of object events (the object queue)', event: { Records: [sqsRecord('o1', objectBody), sqsRecord('o2', notificationBody)] }, kind: 'objectBatch',
    then: (r) => {
      const batch = as(r, 'objectBatch');
      expect(batch.objectRecords.map((x) => x.messageId)).to.deep.equal(['o1', 'o2']);
      expect(batch.workRecords).to.deep.equal([]);
    } },
  { shape: 'SQS batch of an object event and a work item', event: { Records: [sqsRecord('w1', workBody), sqsRecord('o1', objectBody)] }, kind: 'objectBatch',
    then: (r) => {
      const batch = as(r, 'objectBatch');
      expect(batch.objectRecords.map((x) => x.messageId)).to.deep.equal(['o1']);
      expect(batch.workRecords.map((x) => x.messageId)).to.deep.equal(['w1']);
    } },
  { shape: 'SQS batch of a test event', event: { Records: [sqsRecord('t1', '{"Event": "s3:TestEvent"}')] }, kind: 'objectBatch',
    then: (r) => expect(as(r, 'objectBatch').objectRecords).to.have.length(1) },
  { shape: 'SQS records without a messageId', event: { Records: [{ ...sqsRecord('w1', workBody), messageId: undefined }] }, kind: 'invalid', then: invalid('bad event: no "dates"') },
  // Object events given directly.
  { shape: 'EventBridge Object Created', event: objectCreatedEvent('2024/01/01/a b.csv'), kind: 'eventBridgeObject',
    then: (r) => expect(as(r, 'eventBridgeObject').events).to.deep.equal([
      { shape: 'eventbridge', name: 'Object Created', created: true, bucket: SOURCE_BUCKET, key: '2024/01/01/a b.csv', size: 5, etag: 'b1946ac92492d2347c6235b4d2611184', sequencer: '00617F08299329D189' },
    ]) },
  { shape: 'EventBridge Object Deleted', event: objectCreatedEvent('2024/01/01/a.csv', { detailType: 'Object Deleted' }), kind: 'eventBridgeObject',
    then: (r) => expect(as(r, 'eventBridgeObject').events[0]?.created).to.equal(false) },
  { shape: 'EventBridge event of S3 without a detail', event: { source: 'aws.s3', 'detail-type': 'Object Created' }, kind: 'invalid', then: invalid('bad object event: "detail" is undefined') },
  { shape: 'S3 source beside copy fields (the object shape wins)', event: { source: 'aws.s3', dates: ['2024-01-01'] }, kind: 'invalid', then: invalid('bad object event') },
  { shape: 'S3 notification records', event: { Records: [s3NotificationRecord('2024/01/01/red+flower.jpg'), s3NotificationRecord('2024/01/01/x', { eventName: 'ObjectRemoved:Delete' })] }, kind: 's3Notification',
    then: (r) => expect(as(r, 's3Notification').events.map((e) => [e.key, e.created])).to.deep.equal([['2024/01/01/red flower.jpg', true], ['2024/01/01/x', false]]) },
  { shape: 'S3 notification with a bad key encoding', event: { Records: [s3NotificationRecord('2024/01/01/100%')] }, kind: 'invalid', then: invalid('not URL-encoded') },
  { shape: 'records of S3 and of SQS mixed', event: { Records: [s3NotificationRecord('2024/01/01/a'), sqsRecord('w1', workBody)] }, kind: 'invalid', then: invalid('bad event: no "dates"') },
  { shape: 's3:TestEvent', event: { Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2024-01-01T00:00:00.000Z', Bucket: SOURCE_BUCKET }, kind: 's3TestEvent',
    then: (r) => expect(as(r, 's3TestEvent').events).to.deep.equal([]) },
  { shape: 's3:TestEvent that also says "source": "aws.s3" (the test event wins)', event: { Event: 's3:TestEvent', source: 'aws.s3' }, kind: 's3TestEvent' },
  // Garbage.
  { shape: 'null', event: null, kind: 'invalid', then: invalid('bad event: got null') },
  { shape: 'undefined', event: undefined, kind: 'invalid', then: invalid('bad event: got undefined') },
  { shape: 'a number', event: 42, kind: 'invalid', then: invalid('bad event: got 42') },
  { shape: 'a string', event: '{"dates": ["2024-01-01"]}', kind: 'invalid', then: invalid('bad event: got') },
  { shape: 'an array', event: [{ check: true }], kind: 'invalid', then: invalid('bad event: got [{"check":true}]') },
  { shape: 'an empty object', event: {}, kind: 'invalid', then: invalid('bad event: no "dates", "from"/"to", "check" or scheduled "time"') },
  { shape: 'empty Records', event: { Records: [] }, kind: 'invalid', then: invalid('bad event: no "dates"') },
  { shape: 'an unknown document', event: { hello: 'world' }, kind: 'invalid', then: invalid('{"hello":"world"}') },
];

describe('handler/router (every shape an event can take)', () => {
  for (const row of rows) {
    it(`${row.shape} → ${row.kind}`, () => {
      const route = routeEvent(row.event, inline);
      expect(route.kind).to.equal(row.kind);
      row.then?.(route);
    });
  }

  it('has a row for every kind of route', () => {
    const kinds: Record<Route['kind'], true> = { scheduled: true, days: true, check: true, workBatch: true, objectBatch: true, eventBridgeObject: true, s3Notification: true, s3TestEvent: true, invalid: true };
    expect([...new Set(rows.map((r) => r.kind))].sort()).to.deep.equal(Object.keys(kinds).sort());
  });

  it('takes as many days as the caller allows: a backfill the inline run refuses is planned with the work queue', () => {
    const year = { from: '2023-01-01', to: '2024-01-02' };
    expect(routeEvent(year, inline).kind).to.equal('invalid');
    expect(as(routeEvent(year, { lagDays: 1, maxDays: MAX_DAYS_PER_FAN_OUT }), 'days').copy.dates).to.have.length(367);
  });

  it('dates a scheduled event by LAG_DAYS', () => {
    expect(as(routeEvent(scheduledEvent('2024-03-01T06:00:00Z'), { lagDays: 3, maxDays: MAX_DAYS_PER_EVENT }), 'scheduled').copy.dates).to.deep.equal(['2024-02-27']);
  });

  it('splits an interleaved batch into its object records and work records, each in arrival order', () => {
    // A directly invoked batch is bounded only by Lambda's payload (6 MB: ~50,000 records of this size).
    const records = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? sqsRecord(`o${i}`, objectBody) : sqsRecord(`w${i}`, workBody)));
    const batch = as(routeEvent({ Records: records }, inline), 'objectBatch');
    expect(batch.objectRecords.map((r) => r.messageId)).to.deep.equal(records.filter((_, i) => i % 3 === 0).map((r) => r.messageId));
    expect(batch.workRecords.map((r) => r.messageId)).to.deep.equal(records.filter((_, i) => i % 3 !== 0).map((r) => r.messageId));
  });

  it('routes without reading anything but the event: the same event gives the same route', () => {
    const event = { Records: [sqsRecord('w1', workBody), sqsRecord('o1', objectBody)] };
    expect(routeEvent(event, inline)).to.deep.equal(routeEvent(structuredClone(event), inline));
  });
});
