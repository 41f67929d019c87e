import { expect } from 'chai';
import { decodedForms, decodeNotificationKey, isObjectEventDocument, parseObjectEvents } from '../../../../handler/pushOnWrite/objectEvents.ts';
import { EventValidationError } from '../../../../handler/errors.ts';
import { objectCreatedEvent, s3NotificationRecord, scheduledEvent, sqsRecord, SOURCE_BUCKET } from '../../../helpers/fixtures.ts';

describe('handler/objectEvents (the object event parser)', () => {
  it('reads EventBridge\'s "Object Created" event, the key as written', () => {
    expect(parseObjectEvents(objectCreatedEvent('2024/01/01/a b+c.csv', { size: 12, etag: 'abc' }))).to.deep.equal([
      { shape: 'eventbridge', name: 'Object Created', created: true, bucket: SOURCE_BUCKET, key: '2024/01/01/a b+c.csv', decodedKeys: ['2024/01/01/a b c.csv'], size: 12, etag: 'abc', sequencer: '00617F08299329D189' },
    ]);
  });

  it('reads every record of an S3 notification, decoding keys as S3 encodes them (form encoding: "+" is a space)', () => {
    const events = parseObjectEvents({ Records: [
      s3NotificationRecord('2024/01/01/red+flower.jpg'),
      s3NotificationRecord('2024/01/01/c%2B%2B+notes%2520.txt', { eventName: 'ObjectCreated:CompleteMultipartUpload' }),
      s3NotificationRecord('2024%2F01%2F01%2Fcaf%C3%A9+%E2%9C%93%3F%23.csv', { eventName: 'ObjectCreated:Copy' }),
      s3NotificationRecord('2024/01/01/gone.csv', { eventName: 'ObjectRemoved:Delete' }),
    ] });
    expect(events.map((e) => [e.shape, e.key, e.created])).to.deep.equal([
      ['s3', '2024/01/01/red flower.jpg', true],
      ['s3', '2024/01/01/c++ notes%20.txt', true],
      ['s3', '2024/01/01/café ✓?#.csv', true],
      ['s3', '2024/01/01/gone.csv', false],
    ]);
    expect(decodeNotificationKey('a+b%2Bc')).to.equal('a b+c');
  });

  it('keeps an EventBridge key as written and offers its decoded forms, form-decoded first, for the lookup', () => {
    const [e] = parseObjectEvents(objectCreatedEvent('2024/01/01/a%20b.csv'));
    expect(e).to.deep.include({ key: '2024/01/01/a%20b.csv', decodedKeys: ['2024/01/01/a b.csv'] });
    const [plus] = parseObjectEvents(objectCreatedEvent('2024/01/01/a+b%2Bc.csv'));
    expect(plus).to.deep.include({ key: '2024/01/01/a+b%2Bc.csv', decodedKeys: ['2024/01/01/a b+c.csv', '2024/01/01/a+b+c.csv'] });
    const [plain] = parseObjectEvents(objectCreatedEvent('2024/01/01/100%.csv'));
    expect(plain).to.not.have.property('decodedKeys');
    const [none] = parseObjectEvents(objectCreatedEvent('2024/01/01/plain.csv'));
    expect(none).to.not.have.property('decodedKeys');
  });

  it('decodes a key in every way it may have been encoded, and never past 1,024 bytes', () => {
    expect(decodedForms('dt%3D2024-07-01/x')).to.deep.equal(['dt=2024-07-01/x']);
    expect(decodedForms('a+b')).to.deep.equal(['a b']);
    expect(decodedForms('caf%C3%A9')).to.deep.equal(['café']);
    expect(decodedForms('50%')).to.deep.equal([]);
    expect(decodedForms('a+%ZZ')).to.deep.equal([]);
    expect(decodedForms('café ✓')).to.deep.equal([]);
    expect(decodedForms(`${'k'.repeat(1020)}%41+`)).to.deep.equal([`${'k'.repeat(1020)}A `, `${'k'.repeat(1020)}A+`]);
  });

  it('marks other EventBridge S3 events as not created', () => {
    const [e] = parseObjectEvents(objectCreatedEvent('2024/01/01/a', { detailType: 'Object Deleted' }));
    expect(e).to.deep.include({ name: 'Object Deleted', created: false });
  });

  it('answers S3\'s s3:TestEvent with no events', () => {
    const test = { Service: 'Amazon S3', Event: 's3:TestEvent', Time: '2024-01-01T00:00:00.000Z', Bucket: SOURCE_BUCKET, RequestId: 'X', HostId: 'Y' };
    expect(isObjectEventDocument(test)).to.equal(true);
    expect(parseObjectEvents(test)).to.deep.equal([]);
  });

  it('tells object events from the other events the function takes', () => {
    expect(isObjectEventDocument(objectCreatedEvent('k'))).to.equal(true);
    expect(isObjectEventDocument({ Records: [s3NotificationRecord('k')] })).to.equal(true);
    for (const other of [scheduledEvent('2024-01-02T06:00:00Z'), { dates: ['2024-01-01'] }, { check: true }, { Records: [sqsRecord('1', '{}')] }, { Records: [] }, null, 'x', []]) {
      expect(isObjectEventDocument(other), JSON.stringify(other)).to.equal(false);
    }
  });

  it('rejects a malformed event naming the field, never a partial list', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...objectCreatedEvent('k'), detail: { bucket: { name: SOURCE_BUCKET }, object: {} } }, /"detail\.object\.key" is undefined/],
      [{ ...objectCreatedEvent('k'), detail: { object: { key: 'k' } } }, /"detail\.bucket"/],
      [{ ...objectCreatedEvent('k'), detail: 'x' }, /"detail" is "x"/],
      [{ ...objectCreatedEvent('k'), 'detail-type': 5 }, /"detail-type" is 5/],
      [objectCreatedEvent('k'.repeat(1025)), /1025 bytes: S3 keys have at most 1024/],
      [objectCreatedEvent('k', { size: -1 }), /"detail\.object\.size" is -1/],
      [{ Records: [s3NotificationRecord('ok'), s3NotificationRecord('bad%zz')] }, /key "bad%zz" is not URL-encoded/],
      [{ Records: [s3NotificationRecord('ok'), { eventSource: 'aws:s3', eventName: 'ObjectCreated:Put' }] }, /"Records"\[1\]\.s3 is undefined/],
      [{ Records: [s3NotificationRecord('ok'), sqsRecord('1', '{}')] }, /"Records"\[1\] .*expected an S3 event record/],
      [{ Records: [sqsRecord('1', '{}'), s3NotificationRecord('ok')] }, /"Records"\[0\] .*expected an S3 event record/],
      [{ Records: [s3NotificationRecord('ok'), null] }, /"Records"\[1\] is null: expected an S3 event record/],
      [{ Records: [] }, /expected an EventBridge event/],
      [[], /got \[\]/],
    ];
    for (const [doc, message] of cases) {
      expect(() => parseObjectEvents(doc), JSON.stringify(doc).slice(0, 80)).to.throw(EventValidationError, message);
    }
  });
});
