import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkInvokeEvent, MAX_ASYNC_EVENT_BYTES, MAX_SYNC_EVENT_BYTES, readEventFile } from '../../../../../deploy/commands/invoke/event.ts';
import { EventValidationError } from '../../../../../handler/errors.ts';
import { ConfigError } from '../../../../../rules/errors.ts';
import { objectCreatedEvent, s3NotificationRecord, scheduledEvent, sqsRecord } from '../../../../helpers/fixtures.ts';

describe('deploy/commands/invoke/event', () => {
  describe('checkInvokeEvent: every shape the handler takes goes on, a bad one is refused', () => {
    const table: [string, unknown, string][] = [
      ['dates', { dates: ['2024-01-01'] }, 'copy'],
      ['a range', { from: '2024-01-01', to: '2024-01-03', dryRun: true }, 'copy'],
      ['a scheduled event', scheduledEvent('2024-01-02T01:00:00Z'), 'copy'],
      ['the preflight', { check: true }, 'check'],
      ['an EventBridge Object Created event', objectCreatedEvent('2024/01/01/a.json'), 'objects'],
      ['an S3 notification', { Records: [s3NotificationRecord('2024/01/01/a+b.json')] }, 'objects'],
      ['S3\'s test event', { Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' }, 'objects'],
      ['an SQS batch of object records', { Records: [sqsRecord('m-1', JSON.stringify(objectCreatedEvent('2024/01/01/a.json')))] }, 'sqsBatch'],
      ['an SQS batch of work items', { Records: [sqsRecord('m-1', '{"date":"2024-01-01"}')] }, 'sqsBatch'],
    ];
    for (const [name, event, kind] of table) {
      it(`${name} → ${kind}`, () => expect(checkInvokeEvent(event, 1)).to.equal(kind));
    }

    it('refuses what is not a JSON object, naming the shapes it takes', () => {
      for (const event of [null, [], 'x', 3]) {
        const err = (() => { try { return checkInvokeEvent(event, 1); } catch (e) { return e; } })();
        expect(err, JSON.stringify(event)).to.be.instanceOf(ConfigError);
        expect((err as ConfigError).problems[0]).to.match(/expected a JSON object — a copy event .*an object event .*or an SQS batch$/);
      }
    });

    it('refuses a malformed object event with the push on write\'s own message', () => {
      const event = objectCreatedEvent('2024/01/01/a.json');
      delete (event.detail as Record<string, unknown>).object;
      expect(() => checkInvokeEvent(event, 1)).to.throw(EventValidationError, /^bad object event: /);
      expect(() => checkInvokeEvent({ Records: [s3NotificationRecord('k'), { eventSource: 'aws:s3' }] }, 1)).to.throw(EventValidationError, /"Records"\[1\]/);
    });

    it('refuses a dry run of an object event or a batch: the handler would copy for real', () => {
      for (const event of [{ ...objectCreatedEvent('2024/01/01/a.json'), dryRun: true }, { Records: [sqsRecord('m', '{}')], dryRun: false }]) {
        expect(() => checkInvokeEvent(event, 1)).to.throw(ConfigError, /the event is not usable/);
      }
    });

    it('checks a copy event as the handler does, with the caller\'s day limit and hint', () => {
      expect(() => checkInvokeEvent({ dates: ['2023-02-29'] }, 1)).to.throw(EventValidationError, /not a calendar date/);
      expect(() => checkInvokeEvent({ from: '2024-01-01', to: '2024-01-03' }, 1, { maxDays: 2, fanOutHint: 'use --workers N' })).to.throw(EventValidationError, /at most 2 days per event.*use --workers N/);
      expect(() => checkInvokeEvent({ what: 1 }, 1)).to.throw(EventValidationError, /^bad event: /);
    });
  });

  describe('readEventFile', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 's3-push-event-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('parses the file', async () => {
      const file = join(dir, 'ok.json');
      await writeFile(file, JSON.stringify(objectCreatedEvent('2024/01/01/a.json')));
      expect(await readEventFile(file)).to.deep.equal(objectCreatedEvent('2024/01/01/a.json'));
    });

    it('refuses a file over the limit by its size, one that is not JSON, and one that cannot be read (exit 2)', async () => {
      const big = join(dir, 'big.json');
      await writeFile(big, `{"dates": [], "pad": "${'x'.repeat(100)}"}`);
      const tooBig = await readEventFile(big, 64).catch((e: unknown) => e);
      expect(tooBig).to.be.instanceOf(ConfigError);
      expect((tooBig as ConfigError).problems[0]).to.equal(`--event ${big}: larger than 64 bytes, the most Lambda takes as one event (6 MB invoked and waited for, 1 MB with --async)`);
      const exact = join(dir, 'exact.json');
      await writeFile(exact, '{"check": true}');
      expect(await readEventFile(exact, 15)).to.deep.equal({ check: true });
      await writeFile(big, '{"dates": [');
      expect(((await readEventFile(big).catch((e: unknown) => e)) as ConfigError).problems[0]).to.match(/: not valid JSON \(/);
      expect(((await readEventFile(join(dir, 'none.json')).catch((e: unknown) => e)) as ConfigError).problems[0]).to.match(/none\.json: cannot read it \(.*ENOENT/);
    });

    it('has Lambda\'s limits: 6 MB invoked, 1 MB queued', () => {
      expect(MAX_SYNC_EVENT_BYTES).to.equal(6_291_456);
      expect(MAX_ASYNC_EVENT_BYTES).to.equal(1_048_576);
    });
  });
});
