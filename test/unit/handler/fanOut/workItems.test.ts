import { expect } from 'chai';
import fc from 'fast-check';
import { isSqsEvent, parseWorkItem, serializeWorkItem } from '../../../../handler/fanOut/workItems.ts';
import { EventValidationError } from '../../../../handler/errors.ts';
import { parseIsoDate } from '../../../../rules/dates.ts';

const FORMAT = '{YYYY}/{MM}/{DD}/';

function rejects(body: string, pattern: RegExp, format = FORMAT): void {
  let err: unknown;
  try {
    parseWorkItem(body, format);
  } catch (e) {
    err = e;
  }
  expect(err, body).to.be.instanceOf(EventValidationError);
  expect((err as Error).message).to.match(/^bad work item: /);
  expect((err as Error).message).to.match(pattern);
}

describe('handler/workItems', () => {
  describe('parseWorkItem', () => {
    it('reads a whole day, a continuation and a dry run', () => {
      expect(parseWorkItem('{"date":"2024-02-29"}', FORMAT)).to.deep.equal({ date: '2024-02-29' });
      expect(parseWorkItem('{"date":"2024-02-29","startAfter":"2024/02/29/part-0042.csv"}', FORMAT)).to.deep.equal({ date: '2024-02-29', startAfter: '2024/02/29/part-0042.csv' });
      expect(parseWorkItem('{"date":"2024-02-29","dryRun":true}', FORMAT)).to.deep.equal({ date: '2024-02-29', dryRun: true });
      expect(parseWorkItem('{"date":"2024-02-29","dryRun":false}', FORMAT)).to.deep.equal({ date: '2024-02-29' });
    });

    it('reads the failures a continuation carries from the earlier parts of its day', () => {
      const body = { date: '2024-02-29', startAfter: '2024/02/29/b', failedBefore: 2, firstFailedKey: '2024/02/29/a' };
      expect(parseWorkItem(JSON.stringify(body), FORMAT)).to.deep.equal(body);
      expect(serializeWorkItem(parseWorkItem(JSON.stringify(body), FORMAT))).to.equal(JSON.stringify(body));
      rejects(JSON.stringify({ ...body, failedBefore: 0 }), /"failedBefore" is 0: expected a whole number of failed objects, at least 1/);
      rejects(JSON.stringify({ ...body, failedBefore: '2' }), /"failedBefore" is "2"/);
      rejects(JSON.stringify({ date: '2024-02-29', failedBefore: 1 }), /"failedBefore" without "startAfter"/);
      rejects(JSON.stringify({ ...body, firstFailedKey: '2024/03/01/a' }), /"firstFailedKey" "2024\/03\/01\/a" is not under 2024-02-29's prefix/);
      rejects(JSON.stringify({ date: '2024-02-29', startAfter: '2024/02/29/b', firstFailedKey: '2024/02/29/a' }), /"firstFailedKey" without "failedBefore"/);
    });

    it('reads the archived objects a continuation carries from the earlier parts of its day', () => {
      const body = { date: '2024-02-29', startAfter: '2024/02/29/b', archivedBefore: 3 };
      expect(parseWorkItem(JSON.stringify(body), FORMAT)).to.deep.equal(body);
      expect(serializeWorkItem(parseWorkItem(JSON.stringify(body), FORMAT))).to.equal(JSON.stringify(body));
      const both = { date: '2024-02-29', startAfter: '2024/02/29/b', failedBefore: 2, firstFailedKey: '2024/02/29/a', archivedBefore: 3 };
      expect(serializeWorkItem(parseWorkItem(JSON.stringify(both), FORMAT))).to.equal(JSON.stringify(both));
      rejects(JSON.stringify({ ...body, archivedBefore: 0 }), /"archivedBefore" is 0: expected a whole number of archived objects, at least 1/);
      rejects(JSON.stringify({ ...body, archivedBefore: 1.5 }), /"archivedBefore" is 1.5/);
      rejects(JSON.stringify({ date: '2024-02-29', archivedBefore: 1 }), /"archivedBefore" without "startAfter"/);
    });

    it('reads the extras a continuation carries, and the rest of a delete pass (exact days)', () => {
      const counted = { date: '2024-02-29', startAfter: '2024/02/29/b', extraBefore: 4 };
      expect(parseWorkItem(JSON.stringify(counted), FORMAT)).to.deep.equal(counted);
      const pass = { date: '2024-02-29', startAfter: '2024/02/29/z', extraBefore: 9, deleting: true, deleteAfter: '2024/02/29/old-3', deletedBefore: 4 };
      expect(parseWorkItem(JSON.stringify(pass), FORMAT)).to.deep.equal(pass);
      expect(parseWorkItem(serializeWorkItem(pass as Parameters<typeof serializeWorkItem>[0]), FORMAT)).to.deep.equal(pass);
      const fromStart = { date: '2024-02-29', startAfter: '2024/02/29/z', extraBefore: 9, deleting: true };
      expect(parseWorkItem(JSON.stringify({ ...fromStart, deleting: true }), FORMAT)).to.deep.equal(fromStart);
      rejects(JSON.stringify({ ...counted, extraBefore: 0 }), /"extraBefore" is 0: expected a whole number of extras, at least 1/);
      rejects(JSON.stringify({ date: '2024-02-29', extraBefore: 2 }), /"extraBefore" without "startAfter"/);
      rejects(JSON.stringify({ ...pass, deleting: 'yes' }), /"deleting" is "yes": expected true or false/);
      rejects(JSON.stringify({ date: '2024-02-29', deleting: true }), /"deleting" without "startAfter"/);
      rejects(JSON.stringify({ ...pass, dryRun: true }), /"deleting" with "dryRun": a dry run deletes nothing/);
      rejects(JSON.stringify({ ...counted, deleteAfter: '2024/02/29/old-3' }), /"deleteAfter" without "deleting"/);
      rejects(JSON.stringify({ ...counted, deletedBefore: 2 }), /"deletedBefore" without "deleting"/);
      rejects(JSON.stringify({ ...pass, deleteAfter: '2024/03/01/x' }), /"deleteAfter" "2024\/03\/01\/x" is not under 2024-02-29's prefix/);
      rejects(JSON.stringify({ ...pass, deletedBefore: -1 }), /"deletedBefore" is -1: expected a whole number of deleted extras/);
    });

    it('reads a lookback day, never one that is also the scheduled day', () => {
      const body = { date: '2024-02-29', startAfter: '2024/02/29/b', lookback: true };
      expect(parseWorkItem(JSON.stringify(body), FORMAT)).to.deep.equal(body);
      expect(serializeWorkItem(parseWorkItem(JSON.stringify(body), FORMAT))).to.equal(JSON.stringify(body));
      expect(parseWorkItem('{"date":"2024-02-29","lookback":false}', FORMAT)).to.deep.equal({ date: '2024-02-29' });
      expect(parseWorkItem('{"date":"2024-02-29","scheduled":true}', FORMAT)).to.deep.equal({ date: '2024-02-29', scheduled: true });
      rejects('{"date":"2024-02-29","lookback":1}', /"lookback" is 1: expected true or false/);
      rejects('{"date":"2024-02-29","lookback":true,"scheduled":true}', /"lookback" with "scheduled"/);
    });

    it('rejects what is not a work item, naming the bad value', () => {
      rejects('not json', /body "not json" is not JSON/);
      rejects('[1]', /expected a JSON object/);
      rejects('{"dates":["2024-01-01"]}', /unknown field\(s\) "dates"/);
      rejects('{"date":"2023-02-29"}', /"date" is "2023-02-29": expected a calendar date/);
      rejects('{}', /"date" is undefined/);
      rejects('{"date":"2024-01-01","startAfter":""}', /"startAfter" is "": expected a non-empty source key/);
      rejects('{"date":"2024-01-01","startAfter":7}', /"startAfter" is 7/);
      rejects('{"date":"2024-01-01","dryRun":"yes"}', /"dryRun" is "yes": expected true or false/);
      rejects(JSON.stringify({ date: '2024-01-01', startAfter: `2024/01/01/${'x'.repeat(1020)}` }), /1031 bytes: S3 keys have at most 1024/);
    });

    it('refuses a startAfter outside the day\'s prefix: the listing would skip the day or copy another', () => {
      rejects('{"date":"2024-01-01","startAfter":"2024/01/02/a"}', /"startAfter" "2024\/01\/02\/a" is not under 2024-01-01's prefix "2024\/01\/01\/"/);
      rejects('{"date":"2024-01-01","startAfter":"zzz"}', /not under/);
      expect(parseWorkItem('{"date":"2024-01-01","startAfter":"logs/dt=2024-01-01/x"}', 'logs/dt={YYYY}-{MM}-{DD}/')).to.deep.include({ startAfter: 'logs/dt=2024-01-01/x' });
    });

    it('round-trips every item it serialises', () => {
      const dates = fc.date({ min: new Date('1900-01-01'), max: new Date('2199-12-31'), noInvalidDate: true }).map((d) => parseIsoDate(d.toISOString().slice(0, 10))!);
      fc.assert(fc.property(dates, fc.option(fc.string({ maxLength: 200 }), { nil: undefined }), fc.boolean(), (date, rest, dryRun) => {
        const item = { date, ...(rest === undefined ? {} : { startAfter: `${date.replace(/-/g, '/')}/${rest}` }), ...(dryRun ? { dryRun: true as const } : {}) };
        expect(parseWorkItem(serializeWorkItem(item), FORMAT)).to.deep.equal(item);
      }));
    });
  });

  describe('isSqsEvent', () => {
    const record = { messageId: 'm1', body: '{}', eventSource: 'aws:sqs' };
    it('recognises a batch from the SQS event source mapping and nothing else', () => {
      expect(isSqsEvent({ Records: [record] })).to.equal(true);
      expect(isSqsEvent({ Records: [] })).to.equal(false);
      expect(isSqsEvent({ Records: [record, { ...record, eventSource: 'aws:s3' }] })).to.equal(false);
      expect(isSqsEvent({ Records: [{ ...record, body: undefined }] })).to.equal(false);
      expect(isSqsEvent({ dates: ['2024-01-01'] })).to.equal(false);
      expect(isSqsEvent(null)).to.equal(false);
    });

    it('wants a string messageId on every record (it names the item to retry)', () => {
      expect(isSqsEvent({ Records: [{ ...record, messageId: undefined }] })).to.equal(false);
      expect(isSqsEvent({ Records: [record, { ...record, messageId: 7 }] })).to.equal(false);
      expect(isSqsEvent({ Records: [record, { ...record, messageId: 'm2' }] })).to.equal(true);
    });

    it('refuses Records that are not a list, or hold something other than objects', () => {
      expect(isSqsEvent({ Records: { 0: record, length: 1 } })).to.equal(false);
      expect(isSqsEvent({ Records: [null] })).to.equal(false);
      expect(isSqsEvent({ Records: [[record]] })).to.equal(false);
      expect(isSqsEvent([{ Records: [record] }])).to.equal(false);
    });
  });

  describe('parseWorkItem limits', () => {
    it('takes a startAfter of exactly 1,024 bytes and refuses 1,025, counting UTF-8 bytes', () => {
      const prefix = '2024/01/01/';
      const atLimit = prefix + 'k'.repeat(1024 - prefix.length);
      expect(parseWorkItem(JSON.stringify({ date: '2024-01-01', startAfter: atLimit }), FORMAT).startAfter).to.equal(atLimit);
      rejects(JSON.stringify({ date: '2024-01-01', startAfter: `${atLimit}k` }), /"startAfter" is 1025 bytes: S3 keys have at most 1024$/);
      // 507 two-byte characters: 1,014 + 11 = 1,025 bytes in 518 characters.
      rejects(JSON.stringify({ date: '2024-01-01', startAfter: prefix + 'é'.repeat(507) }), /is 1025 bytes/);
    });

    it('names the fields a work item allows', () => {
      rejects('{"date":"2024-01-01","a":1,"b":2}', /unknown field\(s\) "a", "b"; allowed: "date", "startAfter", "dryRun"/);
      rejects('null', /body "null": expected a JSON object/);
      rejects('"2024-01-01"', /expected a JSON object/);
    });

    it('shortens a long body to 120 characters in the message', () => {
      const body = `{"date":"${'x'.repeat(300)}"}`;
      let message = '';
      try {
        parseWorkItem(body, FORMAT);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.include(`"date" is "${'x'.repeat(116)}...: expected a calendar date YYYY-MM-DD`);
      rejects(`{"date":"${'x'.repeat(118)}"}`, new RegExp(`"date" is "${'x'.repeat(118)}": expected`));
    });
  });

  describe('serializeWorkItem', () => {
    it('writes only the fields that are set', () => {
      expect(serializeWorkItem({ date: parseIsoDate('2024-01-01')! })).to.equal('{"date":"2024-01-01"}');
      expect(serializeWorkItem({ date: parseIsoDate('2024-01-01')!, startAfter: '2024/01/01/a', dryRun: true })).to.equal('{"date":"2024-01-01","startAfter":"2024/01/01/a","dryRun":true}');
    });
  });
});
